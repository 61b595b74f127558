package dev.steward.host;

import com.fasterxml.jackson.databind.JsonNode;
import dev.steward.host.access.Role;
import dev.steward.run.Values;
import dev.steward.testing.PostgresDatabase;
import dev.steward.testing.PostgresExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code steward audit} and {@code /api/audits} on the example workspace: a real host on a random
 * port, the CRM and ERP in their own H2 databases, a change made behind Steward's back with plain
 * JDBC. The audit names it (key, field, both values, the last sync, "changed outside Steward"),
 * reports nothing for records that agree, repairs it through an event of the master's flow, and a
 * second audit exits 0. Once with the embedded store and once with the store on PostgreSQL.
 */
class AuditIT {

    @TempDir
    Path temp;
    @RegisterExtension
    final ConsoleCapture console = new ConsoleCapture();
    private final ByteArrayOutputStream out = console.out;
    private final ByteArrayOutputStream err = console.err;
    private Path home;

    @Test
    void anAuditFindsAChangeMadeBehindStewardsBackAndTheRepairMakesTheSystemsAgree() throws Exception {
        home = RunningHost.copyExample(temp.resolve("workspace"));
        String syncEvent = syncedThenChangedBehindStewardsBack();

        // The CLI: a table naming the record, the field and both values; exit 1.
        int code = Main.run("audit", "--home", home.toString(), "--entity", "customer");
        String table = out.toString(StandardCharsets.UTF_8);
        assertThat(code).as(table + err).isEqualTo(1);
        assertThat(table).contains("C-1001", "email", "\"ada@new.example\"", "\"rogue@erp.example\"", syncEvent,
                "changed outside Steward", "1 divergences in 1 records.");
        assertThat(table).doesNotContain("C-2001", "C-2002", "C-2003");
        assertThat(err.toString(StandardCharsets.UTF_8)).as("progress as plain lines when not a terminal")
                .contains("audit: compare: ");

        // JSON and HTML for the same audit.
        out.reset();
        Path html = temp.resolve("audit.html");
        assertThat(Main.run("audit", "--home", home.toString(), "--entity", "customer", "--all", "--json",
                "--html", html.toString())).isEqualTo(1);
        JsonNode report = printedJson();
        assertThat(report.get("scope").asText()).isEqualTo("all");
        assertThat(report.get("records").asInt()).isEqualTo(4);
        assertThat(report.get("divergences")).hasSize(1);
        JsonNode divergence = report.get("divergences").get(0);
        assertThat(divergence.get("key").asText()).isEqualTo("C-1001");
        assertThat(divergence.get("field").asText()).isEqualTo("email");
        assertThat(divergence.get("master").asText()).isEqualTo("crm");
        assertThat(divergence.get("masterValue").asText()).isEqualTo("ada@new.example");
        assertThat(divergence.get("subscriber").asText()).isEqualTo("erp");
        assertThat(divergence.get("subscriberValue").asText()).isEqualTo("rogue@erp.example");
        assertThat(divergence.at("/lastSync/eventId").asText()).isEqualTo(syncEvent);
        assertThat(divergence.at("/lastSync/value").asText()).isEqualTo("ada@new.example");
        assertThat(divergence.at("/parted/outside").asBoolean()).isTrue();
        String page = Files.readString(html);
        assertThat(page).startsWith("<!DOCTYPE html>").contains("<h2>customer</h2>", "data-field=\"email\"",
                "rogue@erp.example", "<script>").doesNotContain("<script src", "<link");

        // A dry run lists the repair and writes nothing.
        out.reset();
        assertThat(Main.run("audit", "--home", home.toString(), "--entity", "customer", "--repair")).isEqualTo(1);
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("Repairs (dry run", "C-1001 crm -> erp via crm-customer",
                "[dry-run]");
        assertThat(erpEmail("C-1001")).isEqualTo("rogue@erp.example");

        // --apply writes the master's value through an event of crm-customer, run by the engine.
        out.reset();
        assertThat(Main.run("audit", "--home", home.toString(), "--entity", "customer", "--repair", "--apply")).isEqualTo(1);
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("Repairs written:", "[succeeded]");
        assertThat(erpEmail("C-1001")).isEqualTo("ada@new.example");

        out.reset();
        assertThat(Main.run("audit", "--home", home.toString(), "--entity", "customer", "--all"))
                .as(out.toString(StandardCharsets.UTF_8)).isEqualTo(0);
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("All mastered fields agree.");

        // The repair went through the run path: its event's trace shows the write to the ERP, and the ledger has it.
        try (RunningHost host = new RunningHost(home)) {
            JsonNode events = host.getJson("/api/events?flow=crm-customer&limit=1").get("events");
            JsonNode repair = host.getJson("/api/events/" + events.get(0).get("eventId").asText());
            assertThat(repair.get("deliveryId").asText()).startsWith("audit:aud_");
            assertThat(repair.get("status").asText()).isEqualTo("succeeded");
            assertThat(repair.at("/trace/writes/0/system").asText()).isEqualTo("erp");
            assertThat(repair.at("/trace/writes/0/fields/email").asText()).isEqualTo("ada@new.example");
            assertThat(host.getJson("/api/systems/erp/customer/C-1001").at("/lastWritten/email/event").asText())
                    .isEqualTo(repair.get("eventId").asText());
        }
    }

    @Test
    void whenAnEventExplainsTheDivergenceTheAuditNamesIt() throws Exception {
        home = RunningHost.copyExample(temp.resolve("workspace"));
        try (RunningHost host = new RunningHost(home)) {
            // The CRM takes an email its own form did not check; Steward quarantines the change, so the ERP keeps the old one.
            update("crm", "UPDATE customers SET email = 'not-an-email' WHERE id = 'C-1001'");
            JsonNode quarantined = host.deliver("crm/customer", "{\"id\":\"C-1001\",\"email\":\"not-an-email\"}", id());
            assertThat(quarantined.get("status").asText()).isEqualTo("invalid");

            JsonNode report = post(host, host.adminToken, "{\"entity\":\"customer\"}");
            assertThat(report.get("status").asText()).isEqualTo("done");
            JsonNode divergence = report.at("/report/divergences/0");
            assertThat(divergence.get("subscriberValue").asText()).isEqualTo("ada@old.example");
            assertThat(divergence.get("lastSync").isNull()).as("Steward never wrote it").isTrue();
            assertThat(divergence.at("/parted/outside").asBoolean()).isFalse();
            assertThat(divergence.at("/parted/eventId").asText()).isEqualTo(quarantined.get("eventId").asText());
            assertThat(divergence.at("/parted/flow").asText()).isEqualTo("crm-customer");
            assertThat(divergence.at("/parted/detail").asText()).contains("email = \"not-an-email\": invalid");
        }
    }

    @Test
    void theApiRunsAuditsForOperatorsAndKeepsTheirResults() throws Exception {
        home = RunningHost.copyExample(temp.resolve("workspace"));
        syncedThenChangedBehindStewardsBack();
        try (RunningHost host = new RunningHost(home)) {
            String operator = host.access.createToken("operator", Role.OPERATOR, "test").orElseThrow().secret();
            String viewer = host.access.createToken("viewer", Role.VIEWER, "test").orElseThrow().secret();

            assertThat(send(host, viewer, "POST", "/api/audits", "{\"entity\":\"customer\"}").statusCode()).isEqualTo(403);
            assertThat(send(host, viewer, "GET", "/api/audits", null).statusCode()).isEqualTo(403);
            HttpResponse<String> bad = send(host, operator, "POST", "/api/audits", "{\"entity\":\"customer\",\"sample\":0}");
            assertThat(bad.statusCode()).isEqualTo(400);
            assertThat(bad.body()).contains("'sample' must be a whole number");
            HttpResponse<String> unknown = send(host, operator, "POST", "/api/audits", "{\"entity\":\"invoice\"}");
            assertThat(unknown.statusCode()).isEqualTo(404);
            assertThat(unknown.body()).contains("no mastership table names the entity 'invoice'");

            JsonNode first = post(host, operator, "{\"entity\":\"customer\",\"sample\":100,\"repair\":false}");
            assertThat(first.get("divergences").asInt()).isEqualTo(1);
            assertThat(first.at("/report/divergences/0/key").asText()).isEqualTo("C-1001");
            assertThat(first.at("/report/divergences/0/subscriberValue").asText()).isEqualTo("rogue@erp.example");

            JsonNode repaired = post(host, operator, "{\"entity\":\"customer\",\"repair\":true,\"apply\":true}");
            assertThat(repaired.at("/report/repairs/0/status").asText()).isEqualTo("succeeded");
            assertThat(erpEmail("C-1001")).isEqualTo("ada@new.example");
            JsonNode again = post(host, operator, "{\"entity\":\"customer\",\"all\":true}");
            assertThat(again.get("divergences").asInt()).isZero();

            JsonNode list = RunningHost.json(send(host, operator, "GET", "/api/audits", null));
            assertThat(list.get("audits")).hasSizeGreaterThanOrEqualTo(3);
            assertThat(list.at("/audits/0/id").asText()).isEqualTo(again.get("id").asText());
            assertThat(list.at("/audits/0/status").asText()).isEqualTo("done");
            JsonNode stored = RunningHost.json(send(host, operator, "GET", "/api/audits/" + first.get("id").asText(), null));
            assertThat(stored.get("divergences").asInt()).isEqualTo(1);
            assertThat(stored.at("/report/divergences/0/field").asText()).isEqualTo("email");
            assertThat(send(host, operator, "GET", "/api/audits/aud_nope", null).statusCode()).isEqualTo(404);
        }
    }

    @Test
    @ExtendWith(PostgresExtension.class)
    void theStoreOnPostgresqlKeepsTheHistoryAnAuditReads(PostgresDatabase database) throws Exception {
        home = RunningHost.copyExample(temp.resolve("workspace"));
        String yaml = Files.readString(home.resolve("steward.yaml")).replace("  url: jdbc:h2:./data/steward",
                "  url: \"" + database.url() + "\"\n  user: \"" + database.user() + "\"\n  password: \""
                        + database.password() + "\"");
        assertThat(yaml).contains("jdbc:postgresql:");
        Files.writeString(home.resolve("steward.yaml"), yaml);
        String syncEvent = syncedThenChangedBehindStewardsBack();

        out.reset();
        assertThat(Main.run("audit", "--home", home.toString(), "--entity", "customer", "--json")).isEqualTo(1);
        JsonNode report = printedJson();
        assertThat(report.at("/divergences/0/lastSync/eventId").asText()).isEqualTo(syncEvent);
        assertThat(Main.run("audit", "--home", home.toString(), "--entity", "customer", "--repair", "--apply")).isEqualTo(1);
        assertThat(erpEmail("C-1001")).isEqualTo("ada@new.example");
        assertThat(Main.run("audit", "--home", home.toString(), "--entity", "customer")).isZero();
    }

    /**
     * Three records that agree (C-2001..C-2003), then C-1001: the CRM changes its email and Steward
     * syncs it to the ERP; then someone edits the ERP's row directly. Returns the sync's event id.
     */
    private String syncedThenChangedBehindStewardsBack() throws Exception {
        try (RunningHost host = new RunningHost(home)) {
            for (int i = 1; i <= 3; i++) {
                update("crm", "INSERT INTO customers (id, name, email, phone, credit_limit) VALUES ('C-200" + i
                        + "', 'Customer " + i + "', 'c" + i + "@example.com', '+1 555 000" + i + "', 1000.00)");
                update("erp", "INSERT INTO customers (crm_id, account_no, email, phone, credit_limit) VALUES ('C-200" + i
                        + "', 'A-200" + i + "', 'c" + i + "@example.com', '+1 555 000" + i + "', 1000)");
            }
            update("crm", "UPDATE customers SET email = 'ada@new.example' WHERE id = 'C-1001'");
            JsonNode synced = host.deliver("crm/customer", "{\"id\":\"C-1001\",\"email\":\"ada@new.example\"}", id());
            assertThat(synced.get("status").asText()).isEqualTo("succeeded");
            assertThat(erpEmail("C-1001")).isEqualTo("ada@new.example");
            update("erp", "UPDATE customers SET email = 'rogue@erp.example' WHERE crm_id = 'C-1001'");
            return synced.get("eventId").asText();
        }
    }

    /** The JSON the command printed (the test logger writes to stdout as well; the real one to stderr). */
    private JsonNode printedJson() throws java.io.IOException {
        String printed = out.toString(StandardCharsets.UTF_8);
        int start = printed.startsWith("{") ? 0 : printed.indexOf("\n{") + 1;
        int end = printed.indexOf("\n}", start) + 2;
        return Values.JSON.readTree(printed.substring(start, end));
    }

    private static JsonNode post(RunningHost host, String token, String body) {
        HttpResponse<String> response = send(host, token, "POST", "/api/audits", body);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return RunningHost.json(response);
    }

    private static HttpResponse<String> send(RunningHost host, String token, String method, String path, String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(host.url(path)))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json");
        request.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return host.sendAsIs(request.build());
    }

    private String erpEmail(String key) throws SQLException {
        try (Connection c = connect("erp"); ResultSet row = c.createStatement()
                .executeQuery("SELECT email FROM customers WHERE crm_id = '" + key + "'")) {
            assertThat(row.next()).isTrue();
            return row.getString(1);
        }
    }

    private void update(String system, String sql) throws SQLException {
        try (Connection c = connect(system)) {
            c.createStatement().executeUpdate(sql);
        }
    }

    private Connection connect(String system) throws SQLException {
        return DriverManager.getConnection("jdbc:h2:" + home.resolve("data").resolve(system), "", "");
    }

    private static String id() {
        return "msg_" + UUID.randomUUID();
    }
}
