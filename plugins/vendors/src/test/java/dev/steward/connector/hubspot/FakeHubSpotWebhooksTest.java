package dev.steward.connector.hubspot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.steward.connector.vendor.TestContext;
import dev.steward.plugin.Connector;
import dev.steward.plugin.EntityConfig;
import dev.steward.plugin.SecretStore;
import dev.steward.plugin.SystemConfig;
import dev.steward.plugin.WebhookDelivery;
import dev.steward.plugin.WebhookRefusedException;
import dev.steward.plugin.WebhookRequest;
import dev.steward.plugin.WebhookSettings;
import dev.steward.plugin.WriteOptions;
import dev.steward.testing.vendors.hubspot.HubSpotFake;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The fake's webhooks, received over real HTTP and read by the hubspot format, as Steward would. */
class FakeHubSpotWebhooksTest {

    private HubSpotFake fake;
    private HttpServer receiver;
    private final List<WebhookDelivery.Notification> received = new CopyOnWriteArrayList<>();
    private final List<Integer> statuses = new CopyOnWriteArrayList<>();
    private final AtomicInteger failNext = new AtomicInteger();

    @BeforeEach
    void start() throws Exception {
        fake = HubSpotFake.start(62515, "client-id", "client-secret").privateAppToken("pat")
                .webhookRetries(3, Duration.ofMillis(50));
        receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        String url = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hooks/hubspot/contact";
        HubSpotWebhookFormat format = new HubSpotWebhookFormat();
        receiver.createContext("/hooks/hubspot/contact", exchange -> {
            Map<String, String> headers = new java.util.HashMap<>();
            exchange.getRequestHeaders().forEach((k, v) -> headers.put(k, v.getFirst()));
            WebhookRequest request = new WebhookRequest(exchange.getRequestMethod(), url, headers,
                    exchange.getRequestBody().readAllBytes(), Instant.now());
            int status;
            try {
                WebhookDelivery delivery = format.read(request, new WebhookSettings(Optional.of("client-secret"),
                        Map.of("portalId", 62515)));
                status = failNext.getAndDecrement() > 0 ? 503 : 202;
                if (status == 202) {
                    received.addAll(delivery.notifications());
                }
            } catch (WebhookRefusedException e) {
                status = e.status();
            }
            statuses.add(status);
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        receiver.start();
        fake.webhook("contact", URI.create(url));
    }

    @AfterEach
    void stop() {
        receiver.stop(0);
        assertEquals(List.of(), fake.violations());
        fake.close();
    }

    private void awaitIdle() throws InterruptedException {
        long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!fake.webhooksIdle() && System.nanoTime() < end) {
            Thread.sleep(10);
        }
        assertTrue(fake.webhooksIdle(), "webhooks still pending");
    }

    @Test
    void changesArriveV3SignedAndBatchedWithOneEventPerChangedProperty() throws Exception {
        String id = fake.change("contacts", null, Map.of("email", "ada@example.com"));
        awaitIdle();
        fake.change("contacts", id, Map.of("phone", "+1", "firstname", "Ada"));
        awaitIdle();
        assertEquals(List.of(202, 202), statuses);
        assertEquals(3, received.size());
        assertEquals("contact.creation", received.get(0).payload().get("subscriptionType"));
        assertEquals(Long.parseLong(id), ((Number) received.get(0).payload().get("objectId")).longValue());
        assertEquals("CRM", received.get(1).payload().get("changeSource"));
        assertEquals(java.util.Set.of("phone", "firstname"), java.util.Set.of(received.get(1).payload().get("propertyName"),
                received.get(2).payload().get("propertyName")));
    }

    @Test
    void aFailedDeliveryIsSentAgainWithTheSameEventIds() throws Exception {
        failNext.set(1);
        fake.change("contacts", null, Map.of("email", "ada@example.com"));
        awaitIdle();
        assertEquals(List.of(503, 202), statuses);
        assertEquals(2, fake.deliveries().size());
        assertEquals(fake.deliveries().get(0).eventIds(), fake.deliveries().get(1).eventIds());
        assertEquals(1, fake.deliveries().get(1).attempt());
        assertEquals(1, ((Number) received.getFirst().payload().get("attemptNumber")).intValue());
    }

    @Test
    void stewardsOwnWritesComeBackAsIntegrationChangesAndUnchangedValuesSendNothing() throws Exception {
        String id = fake.change("contacts", null, Map.of("email", "ada@example.com"));
        awaitIdle();
        received.clear();
        EntityConfig entity = new EntityConfig("customer", Map.of("object", "contacts"), Map.of("phone", "phone"));
        SystemConfig config = new SystemConfig("hubspot", "hubspot", Map.of("baseUrl", fake.baseUrl().toString(),
                "auth", Map.of("token", "pat")), Map.of("customer", entity));
        try (Connector c = new HubSpotConnectorFactory().create(config, TestContext.of(Clock.systemUTC(),
                SecretStore.inMemory()))) {
            c.upsert(entity, id, Map.of("phone", "+9"), new WriteOptions("k", "e"));
            awaitIdle();
            c.upsert(entity, id, Map.of("phone", "+9"), new WriteOptions("k", "e"));
            awaitIdle();
        }
        assertEquals(1, received.size(), "the second, unchanged write changed nothing");
        assertEquals("INTEGRATION", received.getFirst().payload().get("changeSource"));
        assertEquals("+9", received.getFirst().payload().get("propertyValue"));
    }
}
