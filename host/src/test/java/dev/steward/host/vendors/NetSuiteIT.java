package dev.steward.host.vendors;

import static dev.steward.testing.vendors.netsuite.FakeNetSuite.fields;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.steward.host.RunningHost;
import dev.steward.run.RetryPolicy;
import dev.steward.testing.vendors.netsuite.FakeNetSuite;
import dev.steward.testing.vendors.netsuite.FakeNetSuiteWebhooks;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * NetSuite end to end: a real host between the fake NetSuite (ERP: masters the credit limit)
 * and an H2 CRM over jdbc (masters email and phone). The fake posts what Steward's SuiteScript
 * posts after each change; Steward verifies it ({@code format: netsuite}), reads the record
 * ({@code fetch: true}), decides by mastership and writes the CRM; the CRM's changes go to
 * NetSuite by the upsert {@code PUT /customer/eid:KEY}, and the fake's delivery about Steward's
 * own write comes back as an echo and writes nothing.
 */
class NetSuiteIT {

    static final String ACCOUNT = "1234567_SB1";
    static final String SECRET = "whsec_" + Base64.getEncoder().encodeToString("netsuite-it-secret-32-bytes-long".getBytes());
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path temp;
    FakeNetSuite ns;
    Host host;
    String crmUrl;

    @BeforeEach
    void start() throws Exception {
        KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
        rsa.initialize(2048);
        KeyPair key = rsa.generateKeyPair();
        ns = new FakeNetSuite(ACCOUNT).allowM2m("steward-client", "cert-1", key.getPublic()).concurrencyLimit(5).start();
        Path home = temp.resolve("workspace");
        Files.createDirectories(home.resolve("flows"));
        Files.createDirectories(home.resolve("rules"));
        Files.createDirectories(home.resolve("secrets"));
        Files.writeString(home.resolve("secrets/netsuite-key.pem"), "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder().encodeToString(key.getPrivate().getEncoded()) + "\n-----END PRIVATE KEY-----\n");
        crmUrl = "jdbc:h2:" + home.resolve("data/crm").toAbsolutePath();
        Files.writeString(home.resolve("crm.sql"), """
                CREATE TABLE IF NOT EXISTS customers (id VARCHAR(40) PRIMARY KEY, email VARCHAR(200),
                  phone VARCHAR(40), credit_limit DECIMAL(12,2));
                """);
        Files.writeString(home.resolve("steward.yaml"), """
                systems:
                  crm:
                    connector: jdbc
                    url: jdbc:h2:./data/crm
                    init: crm.sql
                    entities:
                      customer: { table: customers, key: id, fields: { email: email, phone: phone, creditLimit: credit_limit } }
                  erp:
                    connector: netsuite
                    accountId: "%s"
                    baseUrl: %s
                    concurrency: 5
                    optimisticWrites: true
                    auth:
                      m2m: { clientId: steward-client, certificateId: cert-1, privateKeyFile: secrets/netsuite-key.pem }
                    entities:
                      customer:
                        record: customer
                        fields: { email: email, phone: phone, creditLimit: creditLimit }
                """.formatted(ACCOUNT, ns.baseUrl()));
        Files.writeString(home.resolve("rules/mastership.yaml"), """
                - { entity: customer, fields: [email, phone], master: crm, subscribers: [erp], reason: CRM owns contact data. }
                - { entity: customer, fields: [creditLimit], master: erp, subscribers: [crm], reason: ERP manages credit. }
                """);
        Files.writeString(home.resolve("flows/netsuite-customer.yaml"), """
                id: netsuite-customer
                trigger:
                  webhook:
                    path: netsuite/customer
                    format: netsuite
                    secret: %s
                source: erp
                entity: customer
                key: externalId
                fetch: true
                fields: { email: email, phone: phone, creditLimit: creditLimit }
                steps:
                  - rules: [mastership.yaml]
                  - sync: { to: [crm] }
                """.formatted(SECRET));
        Files.writeString(home.resolve("flows/crm-customer.yaml"), """
                id: crm-customer
                trigger: { webhook: { path: crm/customer } }
                source: crm
                entity: customer
                key: id
                fields: { email: email, phone: phone, creditLimit: credit_limit }
                steps:
                  - rules: [mastership.yaml]
                  - sync: { to: [erp] }
                """);
        host = new Host(home);
        ns.sendWebhooksTo(URI.create(host.url("/hooks/netsuite/customer")), SECRET);
    }

    @AfterEach
    void stop() {
        if (host != null) {
            host.close();
        }
        ns.close();
    }

    @Test
    void aNetSuiteChangeReachesTheCrmThroughTheScriptsDeliveryAndAFetch() throws Exception {
        ns.seed("customer", "C-1", fields("companyName", "Acme", "email", "ap@acme.example", "creditLimit", 5000));
        sql("INSERT INTO customers VALUES ('C-1', 'ap@acme.example', '+1 555 0100', 5000)");

        ns.change("customer", "eid:C-1", fields("creditLimit", 7500, "email", "typo@acme.example"));

        JsonNode event = finishedEventOfLastDelivery();
        assertThat(event.path("status").asText()).isEqualTo("succeeded");
        assertThat(decision(event, "creditLimit")).isEqualTo("accept");
        assertThat(decision(event, "email")).isEqualTo("reject"); // the CRM masters it
        assertThat(row("SELECT email, credit_limit FROM customers WHERE id = 'C-1'"))
                .containsExactly("ap@acme.example", "7500.00");
        assertThat(ns.violations()).isEmpty();
    }

    @Test
    void aCrmChangeIsUpsertedIntoNetSuiteAndItsEchoWritesNothing() throws Exception {
        JsonNode event = host.deliver("crm/customer", "{\"id\":\"C-2\",\"email\":\"b@globex.example\",\"phone\":\"+1 555 0101\"}");
        assertThat(event.path("status").asText()).isEqualTo("succeeded");
        assertThat(ns.record("customer", "eid:C-2").orElseThrow())
                .containsEntry("email", "b@globex.example").containsEntry("phone", "+1 555 0101");

        JsonNode echo = finishedEventOfLastDelivery();
        assertThat(echo.path("status").asText()).isEqualTo("succeeded");
        assertThat(echo.at("/trace/decisions")).allSatisfy(d -> assertThat(d.path("decision").asText())
                .isIn("suppress", "unchanged"));
        assertThat(echo.at("/trace/writes")).allSatisfy(w -> assertThat(w.path("fields")).isEmpty());
        assertThat(ns.apiWrites()).isEqualTo(1);
        assertThat(ns.deliveries()).hasSize(1);
        assertThat(count("SELECT COUNT(*) FROM customers")).isZero(); // nothing came back to the CRM
        assertThat(ns.violations()).isEmpty();
    }

    @Test
    void aBurstOverTheAccountsConcurrencyLimitFinishesWithNoDeadLetter() throws Exception {
        ns.concurrencyLimit(2).delay(Duration.ofMillis(30));
        List<String> events = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            events.add(host.accepted("crm/customer", "{\"id\":\"B-" + i + "\",\"email\":\"b" + i + "@burst.example\"}"));
        }
        for (String id : events) {
            assertThat(host.awaitFinished(id).path("status").asText()).isEqualTo("succeeded");
        }
        assertThat(ns.concurrencyRefusals()).as("the burst hit NetSuite's limit").isPositive();
        assertThat(ns.count("customer")).isEqualTo(8);
        assertThat(host.getJson("/api/events?status=failed&limit=1").path("events")).isEmpty();
        assertThat(ns.violations()).isEmpty();
    }

    @Test
    void aRecordChangedInNetSuiteWhileStewardWritesIsDecidedAgain() throws Exception {
        ns.seed("customer", "C-3", fields("companyName", "Initech", "email", "old@initech.example", "phone", "1"));
        ns.changeAfterNextRead("customer", "eid:C-3", fields("phone", "2"));

        JsonNode event = host.deliver("crm/customer", "{\"id\":\"C-3\",\"email\":\"new@initech.example\",\"phone\":\"3\"}");

        assertThat(event.path("status").asText()).isEqualTo("succeeded");
        assertThat(event.toString()).contains("changed while Steward wrote it");
        // phone is the CRM's: written again over the NetSuite user's change
        assertThat(ns.record("customer", "eid:C-3").orElseThrow())
                .containsEntry("email", "new@initech.example").containsEntry("phone", "3");
        assertThat(ns.violations()).isEmpty();
    }

    @Test
    void aBadSignatureAndAReplayAreRefusedAndStoreNothing() throws Exception {
        String body = "{\"id\":\"101\",\"type\":\"customer\",\"externalId\":\"C-9\",\"event\":\"edit\","
                + "\"changedFields\":[\"email\"],\"lastModifiedDate\":\"2026-11-28T12:00:00Z\"}";
        String now = Long.toString(Instant.now().getEpochSecond());
        HttpResponse<String> forged = host.postSigned("/hooks/netsuite/customer", body, "ns_forged", now,
                "v1," + FakeNetSuiteWebhooks.sign("whsec_" + Base64.getEncoder().encodeToString("wrong".getBytes()),
                        "ns_forged", now, body));
        assertThat(forged.statusCode()).isEqualTo(401);

        String old = Long.toString(Instant.now().minus(Duration.ofMinutes(10)).getEpochSecond());
        HttpResponse<String> replay = host.postSigned("/hooks/netsuite/customer", body, "ns_old", old,
                "v1," + FakeNetSuiteWebhooks.sign(SECRET, "ns_old", old, body));
        assertThat(replay.statusCode()).isEqualTo(401);

        assertThat(host.getJson("/api/events?flow=netsuite-customer&limit=1").path("events")).isEmpty();
    }

    private JsonNode finishedEventOfLastDelivery() throws Exception {
        assertThat(ns.awaitDeliveries(Duration.ofSeconds(20))).isTrue();
        FakeNetSuiteWebhooks.Delivery delivery = ns.deliveries().getLast();
        assertThat(delivery.delivered()).as(delivery.toString()).isTrue();
        JsonNode answer = JSON.readTree(delivery.answer());
        assertThat(answer.path("eventIds")).as(delivery.answer()).hasSize(1);
        return host.awaitFinished(answer.path("eventIds").get(0).asText());
    }

    private static String decision(JsonNode event, String field) {
        for (JsonNode d : event.at("/trace/decisions")) {
            if (d.path("field").asText().equals(field)) {
                return d.path("decision").asText();
            }
        }
        return "none";
    }

    private void sql(String statement) throws SQLException {
        try (Connection c = DriverManager.getConnection(crmUrl)) {
            c.createStatement().execute(statement);
        }
    }

    private List<String> row(String query) throws SQLException {
        try (Connection c = DriverManager.getConnection(crmUrl); ResultSet rs = c.createStatement().executeQuery(query)) {
            List<String> values = new ArrayList<>();
            if (rs.next()) {
                for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                    values.add(rs.getString(i));
                }
            }
            return values;
        }
    }

    private long count(String query) throws SQLException {
        try (Connection c = DriverManager.getConnection(crmUrl); ResultSet rs = c.createStatement().executeQuery(query)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** The shared {@link RunningHost}, with the signed and unsigned deliveries these tests send. */
    static final class Host implements AutoCloseable {

        private static final RetryPolicy RETRY = new RetryPolicy(20, Duration.ofMillis(20), Duration.ofMillis(300));
        private final RunningHost running;

        Host(Path home) {
            this(home, Map.of());
        }

        /** @param env the environment the workspace's {@code ${env:...}} read, over the process's */
        Host(Path home, Map<String, String> env) {
            running = new RunningHost(home, RETRY, env);
            assertThat(running.engine().workspace().diagnostics()).as("the workspace's problems").isEmpty();
            assertThat(running.engine().workspace().brokenFlows()).as("flows that did not load").isEmpty();
        }

        String url(String path) {
            return running.url(path);
        }

        HttpResponse<String> postSigned(String path, String body, String id, String timestamp, String signature) {
            return running.postAsIs(path, body, Map.of("webhook-id", id, "webhook-timestamp", timestamp,
                    "webhook-signature", signature));
        }

        /** Posts an unsigned delivery and returns its event id. */
        String accepted(String hook, String body) {
            HttpResponse<String> response = running.postAsIs("/hooks/" + hook, body,
                    Map.of("webhook-id", "msg_" + UUID.randomUUID()));
            assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
            return RunningHost.json(response).path("eventId").asText();
        }

        JsonNode deliver(String hook, String body) {
            return awaitFinished(accepted(hook, body));
        }

        JsonNode getJson(String path) {
            return running.getJson(path);
        }

        JsonNode awaitFinished(String eventId) {
            return poll(() -> {
                JsonNode event = getJson("/api/events/" + eventId);
                String status = event.path("status").asText();
                return status.equals("pending") || status.equals("running") ? null : event;
            }, "event " + eventId + " to finish");
        }

        static <T> T poll(Supplier<T> probe, String what) {
            return Polling.await(what, Duration.ofSeconds(30), 20, probe);
        }

        @Override
        public void close() {
            running.close();
        }
    }
}
