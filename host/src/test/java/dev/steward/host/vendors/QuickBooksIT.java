package dev.steward.host.vendors;

import com.fasterxml.jackson.databind.JsonNode;
import dev.steward.host.RunningHost;
import dev.steward.testing.vendors.quickbooks.QuickBooksFake;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * QuickBooks Online end to end: a real host, the QuickBooks fake (OAuth with rotating refresh
 * tokens, SyncTokens, throttling, signed webhooks after every change) and a jdbc H2 CRM. A
 * QuickBooks change reaches the CRM through a signed, thin webhook that Steward completes with
 * {@code fetch: true}; a CRM change reaches QuickBooks as a sparse update, and the fake's webhook
 * about that write is an echo, not a loop.
 */
class QuickBooksIT {

    @TempDir
    Path temp;
    Path home;
    QuickBooksFake fake;
    RunningHost host;

    private void start(QuickBooksFake.Options options) throws Exception {
        start(options, "");
    }

    /** @param qboSettings more settings of the qbo system, one YAML line each, indented by four */
    private void start(QuickBooksFake.Options options, String qboSettings) throws Exception {
        fake = QuickBooksFake.start(options);
        home = RunningHost.emptyWorkspace(temp.resolve("workspace"));
        QuickBooksFake.Options o = fake.options();
        Files.writeString(home.resolve("steward.yaml"), """
                systems:
                  qbo:
                    connector: quickbooks
                    realmId: "%s"
                    clientId: %s
                    clientSecret: %s
                    refreshToken: %s
                    baseUrl: %s
                    tokenUrl: %s
                    optimisticWrites: true
                %s    entities:
                      customer:
                        object: Customer
                        fields: { name: DisplayName, email: PrimaryEmailAddr.Address, phone: PrimaryPhone.FreeFormNumber }
                  crm:
                    connector: jdbc
                    url: jdbc:h2:./data/crm
                    entities:
                      customer: { table: customers, key: qbo_id, fields: { name: name, email: email, phone: phone } }
                """.formatted(o.realmId(), o.clientId(), o.clientSecret(), o.initialRefreshToken(), fake.baseUrl(),
                fake.tokenUrl(), qboSettings.indent(4)));
        Files.writeString(home.resolve("rules/mastership.yaml"), """
                - { entity: customer, fields: [name], master: qbo, subscribers: [crm], reason: Accounting names who it bills. }
                - { entity: customer, fields: [email, phone], master: crm, subscribers: [qbo], reason: Sales keeps contacts. }
                """);
        Files.writeString(home.resolve("flows/qbo-customer.yaml"), """
                id: qbo-customer
                trigger:
                  webhook:
                    path: quickbooks
                    format: quickbooks
                    secret: %s
                    options: { realmId: "%s", entities: [Customer], maxAge: 1d }
                fetch: true
                source: qbo
                entity: customer
                key: id
                fields: { name: DisplayName, email: PrimaryEmailAddr.Address, phone: PrimaryPhone.FreeFormNumber }
                steps:
                  - rules: [mastership.yaml]
                  - sync: { to: [crm] }
                """.formatted(o.verifierToken(), o.realmId()));
        Files.writeString(home.resolve("flows/crm-customer.yaml"), """
                id: crm-customer
                trigger: { webhook: { path: crm/customer } }
                source: crm
                entity: customer
                key: qbo_id
                fields: { name: name, email: email, phone: phone }
                steps:
                  - rules: [mastership.yaml]
                  - sync: { to: [qbo] }
                """);
        sql("CREATE TABLE customers (qbo_id VARCHAR(32) PRIMARY KEY, name VARCHAR(200), email VARCHAR(200),"
                + " phone VARCHAR(50)); CREATE TABLE write_log (k VARCHAR(64)); CREATE TRIGGER count_writes AFTER INSERT,"
                + " UPDATE ON customers FOR EACH ROW CALL 'dev.steward.host.WriteCounter'");
        host = new RunningHost(home);
        fake.webhookUrl(host.url("/hooks/quickbooks"));
    }

    @AfterEach
    void stop() {
        if (host != null) {
            host.close();
        }
        if (fake != null) {
            fake.close();
        }
    }

    @Test
    void aQuickBooksChangeReachesTheCrmAndTheCrmsChangeComesBackWithoutALoop() throws Exception {
        start(QuickBooksFake.Options.defaults());
        String id = fake.realm().create("Customer", Map.of("DisplayName", "Amy's Bird Sanctuary",
                "PrimaryEmailAddr", Map.of("Address", "birds@example.com")));
        await(() -> "Amy's Bird Sanctuary".equals(crm("name", id)), "the customer reached the CRM");
        assertThat(crm("email", id)).as("the CRM masters the email").isNull();

        JsonNode event = host.deliver("crm/customer", "{\"qbo_id\":\"" + id + "\",\"email\":\"amy@birds.example\"}",
                "crm-" + UUID.randomUUID());
        assertThat(event.path("status").asText()).as(event.toString()).isEqualTo("succeeded");
        assertThat(fake.realm().get("Customer", id).orElseThrow().at("/PrimaryEmailAddr/Address").asText())
                .isEqualTo("amy@birds.example");
        assertThat(fake.realm().get("Customer", id).orElseThrow().path("DisplayName").asText())
                .isEqualTo("Amy's Bird Sanctuary");

        fake.awaitWebhooks(Duration.ofSeconds(10));
        quiet();
        assertThat(fake.apiWrites()).as("Steward wrote QuickBooks once").isEqualTo(1);
        assertThat(writes(id)).as("the CRM was written once: the webhook about Steward's own write is an echo")
                .isEqualTo(1);
        assertThat(host.getJson("/api/dead-letters").path("deadLetters")).isEmpty();
        assertThat(fake.violations()).isEmpty();
    }

    @Test
    void cloudEventsDeliveriesReachTheCrmTooAndARedeliveryIsStoredOnce() throws Exception {
        start(QuickBooksFake.Options.defaults().withCloudEvents(true));
        String id = fake.realm().create("Customer", Map.of("DisplayName", "Cool Cars"));
        await(() -> "Cool Cars".equals(crm("name", id)), "the customer reached the CRM");
        fake.awaitWebhooks(Duration.ofSeconds(10));
        quiet();
        int events = host.getJson("/api/events?flow=qbo-customer&limit=1000").path("events").size();
        QuickBooksFake.Delivery first = fake.deliveries().getFirst();
        HttpResponse<String> again = host.post("/hooks/quickbooks", first.body(), Map.of("intuit-signature",
                sign(fake.options().verifierToken(), first.body()), "Content-Type", "application/cloudevents-batch+json"));
        assertThat(again.statusCode()).as(again.body()).isEqualTo(200);
        quiet();
        assertThat(host.getJson("/api/events?flow=qbo-customer&limit=1000").path("events").size()).isEqualTo(events);
        assertThat(writes(id)).isEqualTo(1);
    }

    @Test
    void aBurstThatHitsQuickBooksThrottlingFinishesWithNoDeadLetter() throws Exception {
        // Steward's own limit is under QuickBooks' (as the page advises), but its burst of 10 is not
        start(QuickBooksFake.Options.defaults().withRequestsPerWindow(8, Duration.ofSeconds(1)),
                "rateLimit: { perSecond: 2, burst: 10 }");
        fake.webhookUrl(null); // the customers exist before the burst
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            ids.add(fake.realm().create("Customer", Map.of("DisplayName", "Customer " + i)));
        }
        fake.webhookUrl(host.url("/hooks/quickbooks"));
        List<String> events = new ArrayList<>();
        for (String id : ids) {
            HttpResponse<String> r = host.hook("crm/customer", "{\"qbo_id\":\"" + id + "\",\"email\":\"c" + id
                    + "@example.com\"}", "crm-" + UUID.randomUUID());
            assertThat(r.statusCode()).isEqualTo(202);
            events.add(RunningHost.json(r).get("eventId").asText());
        }
        for (String event : events) {
            JsonNode done = awaitDone(event);
            assertThat(done.path("status").asText()).as(done.toString()).isEqualTo("succeeded");
        }
        assertThat(fake.throttled()).as("the burst met QuickBooks' limit").isPositive();
        for (String id : ids) {
            assertThat(fake.realm().get("Customer", id).orElseThrow().at("/PrimaryEmailAddr/Address").asText())
                    .isEqualTo("c" + id + "@example.com");
        }
        fake.awaitWebhooks(Duration.ofSeconds(10));
        quiet();
        assertThat(host.getJson("/api/dead-letters").path("deadLetters")).isEmpty();
        assertThat(fake.violations()).isEmpty();
    }

    @Test
    void aStaleSyncTokenIsDecidedAgain() throws Exception {
        start(QuickBooksFake.Options.defaults());
        fake.webhookUrl(null);
        String id = fake.realm().create("Customer", Map.of("DisplayName", "Diego Rodriguez"));
        fake.webhookUrl(host.url("/hooks/quickbooks"));
        // a QuickBooks user edits the phone between Steward's read and its write
        fake.raceNextWrite("Customer", id, Map.of("PrimaryPhone", Map.of("FreeFormNumber", "(650) 555-4477")));

        JsonNode event = host.deliver("crm/customer", "{\"qbo_id\":\"" + id + "\",\"email\":\"diego@example.com\"}",
                "crm-" + UUID.randomUUID());

        assertThat(event.path("status").asText()).as(event.toString()).isEqualTo("succeeded");
        assertThat(event.at("/trace/steps").toString()).contains("read it again");
        JsonNode record = fake.realm().get("Customer", id).orElseThrow();
        assertThat(record.at("/PrimaryEmailAddr/Address").asText()).isEqualTo("diego@example.com");
        assertThat(record.at("/PrimaryPhone/FreeFormNumber").asText()).isEqualTo("(650) 555-4477");
        assertThat(fake.violations()).isEmpty();
    }

    @Test
    void aBadSignatureAnOldNotificationAndAnotherCompanyAreRefusedAndStoreNothing() throws Exception {
        start(QuickBooksFake.Options.defaults());
        String realm = fake.options().realmId();
        String token = fake.options().verifierToken();
        String fresh = classic(realm, "1", java.time.Instant.now().toString());
        int before = host.getJson("/api/events?limit=1000").path("events").size();

        HttpResponse<String> forged = host.post("/hooks/quickbooks", fresh, Map.of("intuit-signature", sign("not-the-token", fresh)));
        assertThat(forged.statusCode()).as(forged.body()).isEqualTo(401);
        HttpResponse<String> unsigned = host.post("/hooks/quickbooks", fresh, Map.of());
        assertThat(unsigned.statusCode()).isEqualTo(401);
        String old = classic(realm, "1", "2015-10-05T14:42:19-0700");
        HttpResponse<String> replay = host.post("/hooks/quickbooks", old, Map.of("intuit-signature", sign(token, old)));
        assertThat(replay.statusCode()).as(replay.body()).isEqualTo(401);
        String other = classic("123456", "1", java.time.Instant.now().toString());
        HttpResponse<String> otherCompany = host.post("/hooks/quickbooks", other, Map.of("intuit-signature", sign(token, other)));
        assertThat(otherCompany.statusCode()).as(otherCompany.body()).isEqualTo(403);

        assertThat(host.getJson("/api/events?limit=1000").path("events").size()).isEqualTo(before);
    }

    @Test
    void theExampleWorkspaceLoadsWithoutAProblem() {
        dev.steward.model.Workspace example = dev.steward.Engine.check(Path.of("../examples/quickbooks-crm"));
        assertThat(example.diagnostics()).isEmpty();
        assertThat(example.brokenFlows()).isEmpty();
        assertThat(example.flows()).containsOnlyKeys("qbo-customer", "crm-customer");
        assertThat(example.flows().get("qbo-customer").fetch()).isTrue();
    }

    private static String classic(String realm, String id, String lastUpdated) {
        return "{\"eventNotifications\":[{\"realmId\":\"" + realm + "\",\"dataChangeEvent\":{\"entities\":[{\"name\":"
                + "\"Customer\",\"id\":\"" + id + "\",\"operation\":\"Update\",\"lastUpdated\":\"" + lastUpdated + "\"}]}}]}";
    }

    private static String sign(String token, String body) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(token.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return Base64.getEncoder().encodeToString(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
    }

    /** Waits (bounded) until no event is pending or running. */
    private void quiet() {
        await(() -> host.getJson("/api/events?status=pending&limit=1").path("events").isEmpty()
                && host.getJson("/api/events?status=running&limit=1").path("events").isEmpty(), "Steward is idle");
    }

    private JsonNode awaitDone(String eventId) {
        long until = System.nanoTime() + Duration.ofSeconds(45).toNanos();
        while (System.nanoTime() < until) {
            JsonNode event = host.getJson("/api/events/" + eventId);
            String status = event.path("status").asText();
            if (!status.equals("pending") && !status.equals("running")) {
                return event;
            }
            pause();
        }
        throw new AssertionError("event " + eventId + " did not finish: " + host.getJson("/api/events/" + eventId));
    }

    private static void await(BooleanSupplier condition, String what) {
        long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > until) {
                throw new AssertionError("not within 20 s: " + what);
            }
            pause();
        }
    }

    private static void pause() {
        try {
            Thread.sleep(20);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private Connection crm() throws SQLException {
        return DriverManager.getConnection("jdbc:h2:" + home.resolve("data").resolve("crm").toAbsolutePath(), "", "");
    }

    private void sql(String statements) throws Exception {
        Files.createDirectories(home.resolve("data"));
        try (Connection c = crm(); Statement s = c.createStatement()) {
            s.execute(statements);
        }
    }

    private String crm(String column, String id) {
        try (Connection c = crm(); PreparedStatement s = c.prepareStatement("SELECT " + column
                + " FROM customers WHERE qbo_id = ?")) {
            s.setString(1, id);
            try (ResultSet rows = s.executeQuery()) {
                return rows.next() ? rows.getString(1) : null;
            }
        } catch (SQLException e) {
            throw new AssertionError(e);
        }
    }

    private long writes(String id) throws SQLException {
        try (Connection c = crm(); PreparedStatement s = c.prepareStatement("SELECT COUNT(*) FROM write_log WHERE k = ?")) {
            s.setString(1, id);
            try (ResultSet rows = s.executeQuery()) {
                rows.next();
                return rows.getLong(1);
            }
        }
    }
}
