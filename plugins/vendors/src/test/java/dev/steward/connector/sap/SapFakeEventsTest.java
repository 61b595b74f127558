package dev.steward.connector.sap;

import com.sun.net.httpserver.HttpServer;
import dev.steward.connector.vendor.TestContext;
import dev.steward.plugin.Connector;
import dev.steward.plugin.WebhookDelivery;
import dev.steward.plugin.WebhookRefusedException;
import dev.steward.plugin.WebhookRequest;
import dev.steward.plugin.WebhookSettings;
import dev.steward.plugin.WriteOptions;
import dev.steward.testing.vendors.sap.SapEventPusher;
import dev.steward.testing.vendors.sap.SapFake;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The fake's Event Mesh pushes, read by {@link SapEventsFormat} in a real receiver: events after
 * the connector's own writes and a user's changes, in both modes, redelivered until answered 2xx.
 */
class SapFakeEventsTest {

    private final SapEventsFormat format = new SapEventsFormat();
    private final WebhookSettings settings = new WebhookSettings(Optional.of("mesh-key"), Map.of());
    private final List<WebhookDelivery.Notification> received = new CopyOnWriteArrayList<>();
    private final AtomicInteger refusals = new AtomicInteger();
    private final AtomicInteger failuresToFake = new AtomicInteger();
    private HttpServer receiver;
    private SapFake fake;

    private URI receiver() throws Exception {
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/hooks/sap", exchange -> {
            try (exchange) {
                Map<String, String> headers = new HashMap<>();
                exchange.getRequestHeaders().forEach((name, values) -> headers.put(name, values.getFirst()));
                WebhookRequest request = new WebhookRequest("POST", exchange.getRequestURI().toString(), headers,
                        exchange.getRequestBody().readAllBytes(), Instant.now());
                if (failuresToFake.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                    exchange.sendResponseHeaders(503, -1);
                    return;
                }
                try {
                    received.addAll(format.read(request, settings).notifications());
                    exchange.sendResponseHeaders(202, -1);
                } catch (WebhookRefusedException e) {
                    refusals.incrementAndGet();
                    exchange.sendResponseHeaders(e.status(), -1);
                }
            }
        });
        receiver.start();
        return URI.create("http://127.0.0.1:" + receiver.getAddress().getPort() + "/hooks/sap");
    }

    @AfterEach
    void stop() {
        if (fake != null) {
            fake.close();
        }
        if (receiver != null) {
            receiver.stop(0);
        }
    }

    @Test
    void everyChangeIsPushedAndRedeliveredUntilAnswered2xx() throws Exception {
        fake = new SapFake();
        fake.subscribe(receiver(), Map.of("X-Steward-Key", "mesh-key"), false, Duration.ofMillis(100));
        failuresToFake.set(2);
        fake.change("A_BusinessPartner", "1000001", Map.of("OrganizationBPName1", "User's change"));
        Connector sap = new SapConnectorFactory().create(SapConnectorTest.config(fake.baseUrl(),
                Map.of("type", "basic", "user", "STEWARD_COMM", "password", "comm-secret")), TestContext.of(Clock.systemUTC()));
        try (sap) {
            sap.upsert(SapConnectorTest.partner(), "1000001", Map.of("OrganizationBPName1", "Steward's write"),
                    new WriteOptions("i", "e"));
        }
        awaitDelivered(2);
        assertThat(received).extracting(n -> n.payload().get("BusinessPartner")).containsExactly("1000001", "1000001");
        assertThat(received).extracting(WebhookDelivery.Notification::id).doesNotHaveDuplicates();
        // The first event waits out two refusals, so the second may be delivered before it (as Event Mesh may).
        assertThat(fake.events().delivered()).extracting(SapEventPusher.Delivered::type).containsExactlyInAnyOrder(
                "sap.s4.beh.businesspartner.v1.BusinessPartner.Created.v1",
                "sap.s4.beh.businesspartner.v1.BusinessPartner.Changed.v1");
        // two refused pushes, then one answered push per event
        assertThat(fake.events().delivered().stream().mapToInt(SapEventPusher.Delivered::attempts).sum()).isEqualTo(4);
        assertThat(fake.violations()).isEmpty();
    }

    @Test
    void binaryModeAndAWrongKeyIsRefusedAndRedelivered() throws Exception {
        fake = new SapFake();
        fake.subscribe(receiver(), Map.of("X-Steward-Key", "wrong"), true, Duration.ofMillis(100));
        fake.change("A_Customer", "C1", Map.of("CustomerClassification", "A"));
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (refusals.get() < 2 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(refusals.get()).isGreaterThanOrEqualTo(2);
        assertThat(received).isEmpty();
        fake.subscribe(URI.create("http://127.0.0.1:" + receiver.getAddress().getPort() + "/hooks/sap"),
                Map.of("X-Steward-Key", "mesh-key"), true, Duration.ofMillis(100));
        awaitDelivered(1);
        assertThat(received).singleElement().satisfies(n -> assertThat(n.payload()).containsEntry("Customer", "C1"));
    }

    private void awaitDelivered(int events) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (fake.events().delivered().size() < events && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(fake.events().delivered()).hasSize(events);
        assertThat(fake.events().pending()).isZero();
    }
}
