package dev.steward.connector.salesforce;

import com.sun.net.httpserver.HttpServer;
import dev.steward.plugin.WebhookDelivery;
import dev.steward.plugin.WebhookRefusedException;
import dev.steward.plugin.WebhookRequest;
import dev.steward.plugin.WebhookSettings;
import dev.steward.testing.vendors.salesforce.FakeSalesforce;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The fake org's notifications, read by Steward's formats: Outbound Messages batched and
 * redelivered with the same ids until acknowledged, and CDC events from a relay.
 */
class FakeNotificationsTest {

    private FakeSalesforce fake;
    private HttpServer listener;
    private final List<WebhookDelivery.Notification> received = new CopyOnWriteArrayList<>();
    private final List<Integer> answers = new CopyOnWriteArrayList<>();
    private final AtomicInteger refuseFirst = new AtomicInteger();

    @BeforeEach
    void start() throws IOException {
        fake = FakeSalesforce.start().externalId("Account", "Customer_Number__c")
                .redelivery(Duration.ofMillis(50), Duration.ofMillis(200));
        listener = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        listener.createContext("/outbound", exchange -> {
            try (exchange) {
                byte[] body = exchange.getRequestBody().readAllBytes();
                if (refuseFirst.getAndDecrement() > 0) {
                    answers.add(503);
                    exchange.sendResponseHeaders(503, -1);
                    return;
                }
                WebhookRequest request = new WebhookRequest("POST", "http://127.0.0.1/outbound",
                        Map.of("Content-Type", exchange.getRequestHeaders().getFirst("Content-Type")), body, Instant.now());
                WebhookDelivery delivery = new OutboundMessageFormat().read(request,
                        new WebhookSettings(Optional.empty(), Map.of("organizationId", fake.organizationId())));
                received.addAll(delivery.notifications());
                byte[] reply = delivery.reply().orElseThrow().body().getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", delivery.reply().get().contentType());
                exchange.sendResponseHeaders(200, reply.length);
                exchange.getResponseBody().write(reply);
                answers.add(200);
            }
        });
        listener.createContext("/cdc", exchange -> {
            try (exchange) {
                byte[] body = exchange.getRequestBody().readAllBytes();
                Map<String, String> headers = new java.util.HashMap<>();
                exchange.getRequestHeaders().forEach((k, v) -> headers.put(k, v.getFirst()));
                try {
                    received.addAll(new ChangeEventFormat().read(new WebhookRequest("POST", "http://127.0.0.1/cdc",
                            headers, body, Instant.now()), new WebhookSettings(Optional.of("whsec_c2VjcmV0"), Map.of()))
                            .notifications());
                    exchange.sendResponseHeaders(202, -1);
                } catch (WebhookRefusedException e) {
                    exchange.sendResponseHeaders(e.status(), -1);
                }
            }
        });
        listener.start();
    }

    @AfterEach
    void stop() {
        fake.close();
        listener.stop(0);
    }

    @Test
    void outboundMessagesAreRedeliveredWithTheSameIdsUntilAcknowledged() {
        fake.outbound("Account", URI.create("http://127.0.0.1:" + listener.getAddress().getPort() + "/outbound"));
        refuseFirst.set(2);

        String id = fake.create("Account", Map.of("Name", "Acme", "Customer_Number__c", "C-1"));
        fake.update("Account", id, Map.of("Phone", "555"));

        await(() -> fake.acknowledged() == 2 && fake.pendingNotifications() == 0);
        assertThat(answers).startsWith(503, 503).endsWith(200);
        List<String> ids = fake.deliveries().stream().flatMap(d -> d.notificationIds().stream()).distinct().toList();
        assertThat(ids).hasSize(2).allMatch(n -> n.startsWith("04l") && n.length() == 18);
        String refused = fake.deliveries().getFirst().notificationIds().getFirst();
        assertThat(fake.deliveries()).filteredOn(d -> d.notificationIds().contains(refused)).hasSizeGreaterThan(1);
        assertThat(received).extracting(WebhookDelivery.Notification::id).containsExactlyInAnyOrderElementsOf(ids);
        // only the latest data is sent, in every notification
        assertThat(received).allSatisfy(n -> assertThat(n.payload()).containsEntry("Id", id)
                .containsEntry("Phone", "555").containsEntry("Customer_Number__c", "C-1")
                .containsEntry("sObjectType", "Account"));
    }

    @Test
    void aBatchHoldsAtMost100Notifications() {
        for (int i = 0; i < 150; i++) {
            fake.create("Account", Map.of("Name", "N" + i));
        }
        fake.outbound("Account", URI.create("http://127.0.0.1:" + listener.getAddress().getPort() + "/outbound"));
        fake.create("Account", Map.of("Name", "after"));
        for (int i = 0; i < 150; i++) {
            fake.create("Account", Map.of("Name", "M" + i));
        }

        await(() -> fake.acknowledged() == 151);
        assertThat(fake.deliveries()).allSatisfy(d -> assertThat(d.notificationIds().size()).isLessThanOrEqualTo(100));
        assertThat(received).extracting(WebhookDelivery.Notification::id).doesNotHaveDuplicates().hasSize(151);
    }

    @Test
    void changeDataCaptureEventsComeSignedFromTheRelay() {
        fake.changeDataCapture("Account", URI.create("http://127.0.0.1:" + listener.getAddress().getPort() + "/cdc"),
                "whsec_c2VjcmV0");

        String id = fake.create("Account", Map.of("Name", "Acme"));
        fake.update("Account", id, Map.of("Phone", "555"));

        await(() -> received.size() == 2);
        assertThat(received.get(1).payload()).containsEntry("Id", id).containsEntry("changeType", "UPDATE")
                .containsEntry("Phone", "555");
        assertThat(received.get(0).payload()).containsEntry("changeType", "CREATE").containsEntry("Name", "Acme");
        assertThat(fake.deliveries()).allSatisfy(d -> assertThat(d.status()).isEqualTo(202));
    }

    private static void await(BooleanSupplier condition) {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not reached in 20s");
            }
            Thread.onSpinWait();
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }
}
