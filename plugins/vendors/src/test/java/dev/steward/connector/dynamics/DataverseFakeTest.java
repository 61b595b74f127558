package dev.steward.connector.dynamics;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.steward.plugin.Connector;
import dev.steward.plugin.WebhookDelivery;
import dev.steward.plugin.WebhookRequest;
import dev.steward.plugin.WebhookSettings;
import dev.steward.plugin.WriteOptions;
import dev.steward.testing.vendors.dynamics.DataverseFake;
import dev.steward.testing.vendors.dynamics.DataverseTable;
import dev.steward.testing.vendors.dynamics.DataverseWebhooks;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The fake's webhooks, read by the format they are meant for, and its attribute tables checked
 * against the Common Data Model when the shared vendor specifications are at hand.
 */
class DataverseFakeTest {

    private static final String KEY = "hook-key";

    /** A receiver on 127.0.0.1 that answers the first {@code failures} deliveries 503. */
    private record Receiver(HttpServer server, List<Map<String, String>> headers, List<byte[]> bodies,
                            List<String> urls) implements AutoCloseable {

        static Receiver start(int failures) throws IOException {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            Receiver receiver = new Receiver(server, new CopyOnWriteArrayList<>(), new CopyOnWriteArrayList<>(),
                    new CopyOnWriteArrayList<>());
            AtomicInteger calls = new AtomicInteger();
            server.createContext("/", exchange -> {
                Map<String, String> headers = new HashMap<>();
                exchange.getRequestHeaders().forEach((name, values) -> headers.put(name.toLowerCase(), values.getFirst()));
                receiver.headers.add(headers);
                receiver.bodies.add(exchange.getRequestBody().readAllBytes());
                receiver.urls.add(exchange.getRequestURI().toString());
                exchange.sendResponseHeaders(calls.incrementAndGet() <= failures ? 503 : 204, -1);
                exchange.close();
            });
            server.start();
            return receiver;
        }

        URI url() {
            return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/hooks/dynamics/account");
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }

    private static void await(DataverseWebhooks webhooks, int attempts) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while ((webhooks.attempts().size() < attempts || !webhooks.idle()) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
    }

    @Test
    void everyChangeStewardsWritesIncludedIsPostedAndReadByTheFormat() throws Exception {
        try (DataverseFake fake = DataverseFake.start(); Receiver receiver = Receiver.start(0)) {
            DataverseWebhooks webhooks = fake.webhook(receiver.url(), DataverseWebhooks.Auth.HTTP_HEADER,
                    "x-steward-key", KEY, false);
            fake.change("accounts", "A-1", Map.of("name", "Contoso", "creditlimit", 100));
            try (Connector connector = new DynamicsConnectorFactory().create(Dynamics.system(fake, Map.of()),
                    new Dynamics.Context(Clock.systemUTC()))) {
                connector.upsert(Dynamics.CUSTOMER, "A-1", Map.of("creditlimit", 200), new WriteOptions("i", "e"));
            }
            await(webhooks, 2);

            assertEquals(2, receiver.bodies().size());
            DynamicsWebhookFormat format = new DynamicsWebhookFormat();
            List<WebhookDelivery.Notification> notifications = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                assertEquals(KEY, receiver.headers().get(i).get("x-steward-key"));
                assertEquals("account", receiver.headers().get(i).get("x-ms-dynamics-entity-name"));
                notifications.addAll(format.read(new WebhookRequest("POST", receiver.url().toString(),
                        receiver.headers().get(i), receiver.bodies().get(i), Instant.now()),
                        new WebhookSettings(Optional.of(KEY), Map.of())).notifications());
            }
            assertTrue(notifications.get(0).id().contains(":Create:"), notifications.get(0).id());
            assertEquals("Contoso", notifications.get(0).payload().get("name"));
            assertEquals("A-1", notifications.get(0).payload().get("accountnumber"));
            assertTrue(notifications.get(1).id().contains(":Update:"), notifications.get(1).id());
            Map<String, Object> thin = notifications.get(1).payload();
            assertEquals(200, ((Number) thin.get("creditlimit")).intValue());
            assertEquals("A-1", thin.get("accountnumber"), "Steward's upsert by key names the key");
            assertTrue(!thin.containsKey("name"), "an update carries only what changed: " + thin);
            assertEquals(List.of(), fake.violations());
        }
    }

    @Test
    void aFailedDeliveryIsRetriedWithTheSameContextAndAWebhookKeyInTheQuery() throws Exception {
        try (DataverseFake fake = DataverseFake.start(); Receiver receiver = Receiver.start(1)) {
            DataverseWebhooks webhooks = fake.webhook(receiver.url(), DataverseWebhooks.Auth.WEBHOOK_KEY, null, KEY,
                    true);
            fake.change("accounts", "A-1", Map.of("name", "Contoso"));
            await(webhooks, 2);

            assertEquals(List.of(503, 204), webhooks.attempts().stream().map(DataverseWebhooks.Attempt::status).toList());
            assertEquals(webhooks.attempts().get(0).body(), webhooks.attempts().get(1).body());
            assertTrue(receiver.urls().getFirst().endsWith("?code=" + KEY), receiver.urls().getFirst());
            JsonNode context = new ObjectMapper().readTree(webhooks.attempts().getFirst().body());
            assertEquals("PostImage", context.path("PostEntityImages").path(0).path("key").asText());
        }
    }

    @Test
    void theFakesAttributesAreTheCommonDataModels() throws IOException {
        for (DataverseTable table : List.of(DataverseTable.ACCOUNT, DataverseTable.CONTACT)) {
            String name = table == DataverseTable.ACCOUNT ? "Account" : "Contact";
            Optional<Path> cdm = VendorSpecs.file("dataverse/cdm/" + name + ".cdm.json");
            Assumptions.assumeTrue(cdm.isPresent(), "the shared vendor-specs folder is not beside this checkout");
            String text = Files.readString(cdm.get())
                    + VendorSpecs.file("dataverse/cdm/crmCommon." + name + ".cdm.json").map(p -> {
                        try {
                            return Files.readString(p);
                        } catch (IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    }).orElse("");
            for (String attribute : table.attributes().keySet()) {
                assertTrue(text.contains("\"sourceName\": \"" + attribute + "\""),
                        attribute + " of " + table.logicalName() + " is not in the Common Data Model");
            }
            assertTrue(table.attributes().containsKey(table.alternateKey()));
            assertTrue(table.attributes().containsKey(table.idAttribute()));
        }
    }
}
