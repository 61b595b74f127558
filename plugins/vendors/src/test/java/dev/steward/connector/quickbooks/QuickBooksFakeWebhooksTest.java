package dev.steward.connector.quickbooks;

import com.sun.net.httpserver.HttpServer;
import dev.steward.plugin.WebhookDelivery;
import dev.steward.plugin.WebhookRequest;
import dev.steward.plugin.WebhookSettings;
import dev.steward.testing.vendors.quickbooks.QuickBooksFake;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The fake's webhooks, in both of Intuit's forms, are what {@code format: quickbooks} takes. */
class QuickBooksFakeWebhooksTest {

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void everyChangeArrivesSignedAndSplitIntoOneNotificationPerRecord(boolean cloudEvents) throws Exception {
        List<WebhookRequest> received = new CopyOnWriteArrayList<>();
        HttpServer steward = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        steward.createContext("/hooks/qbo", exchange -> {
            try (exchange; InputStream in = exchange.getRequestBody()) {
                Map<String, String> headers = new java.util.HashMap<>();
                exchange.getRequestHeaders().forEach((k, v) -> headers.put(k, v.getFirst()));
                received.add(new WebhookRequest("POST", "http://127.0.0.1/hooks/qbo", headers, in.readAllBytes(), Instant.now()));
                exchange.sendResponseHeaders(200, -1);
            }
        });
        steward.start();
        try (QuickBooksFake fake = QuickBooksFake.start(QuickBooksFake.Options.defaults().withCloudEvents(cloudEvents))) {
            fake.webhookUrl("http://127.0.0.1:" + steward.getAddress().getPort() + "/hooks/qbo");
            String id = fake.realm().create("Customer", Map.of("DisplayName", "Sonnenschein Family Store"));
            fake.realm().change("Customer", id, Map.of("PrimaryEmailAddr", Map.of("Address", "sun@example.com")));
            fake.realm().create("Item", Map.of("Name", "Pump", "Type", "Service"));
            fake.awaitWebhooks(Duration.ofSeconds(5));

            QuickBooksWebhookFormat format = new QuickBooksWebhookFormat();
            WebhookSettings settings = new WebhookSettings(Optional.of(fake.options().verifierToken()),
                    Map.of("realmId", fake.options().realmId(), "entities", List.of("Customer")));
            List<Map<String, Object>> payloads = new java.util.ArrayList<>();
            List<String> ids = new java.util.ArrayList<>();
            for (WebhookRequest request : received) {
                WebhookDelivery delivery = format.read(request, settings);
                delivery.notifications().forEach(n -> {
                    payloads.add(n.payload());
                    ids.add(n.id());
                });
            }
            assertEquals(List.of("Create", "Update"), payloads.stream().map(p -> p.get("operation")).toList());
            assertEquals(List.of(id, id), payloads.stream().map(p -> p.get("id")).toList());
            assertEquals(2, ids.stream().distinct().count(), "each change has its own event id");
        } finally {
            steward.stop(0);
        }
    }
}
