package dev.steward.host.vendors;

import com.fasterxml.jackson.databind.JsonNode;
import dev.steward.host.RunningHost;
import dev.steward.run.RetryPolicy;
import dev.steward.testing.vendors.sap.SapFake;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 15's proof for SAP S/4HANA Cloud: a real host with {@code connector: sap} against
 * {@link SapFake} and a jdbc H2 CRM. A business partner changed in SAP reaches the CRM through
 * Event Mesh's CloudEvent (keys only, so the flow fetches); a CRM change is written to SAP
 * (CSRF token, ETag) and SAP's event about that write changes nothing (no loop); a burst over
 * the rate limit ends with no dead letter; a change racing Steward's write (412) is decided
 * again; an expired CSRF token fails no event; a wrong key is refused 401 and a redelivered
 * event is a duplicate, storing nothing.
 */
class SapIT {

    private static final String MESH_KEY = "mesh-key-" + UUID.randomUUID();
    private static final RetryPolicy RETRY = new RetryPolicy(10, Duration.ofMillis(50), Duration.ofSeconds(1));

    @TempDir
    Path temp;
    Path home;
    SapFake fake;
    RunningHost host;

    @BeforeEach
    void start() throws IOException {
        fake = new SapFake();
        home = temp.resolve("workspace");
        Files.createDirectories(home.resolve("flows"));
        Files.createDirectories(home.resolve("rules"));
        Files.createDirectories(home.resolve("systems"));
        Files.writeString(home.resolve("steward.yaml"), """
                host:
                  workers: 2
                systems:
                  s4:
                    connector: sap
                    baseUrl: %s
                    sapClient: "100"
                    auth: { type: basic, user: STEWARD_COMM, password: comm-secret }
                    optimisticWrites: true
                    entities:
                      customer:
                        entitySet: A_BusinessPartner
                        fields: { name: OrganizationBPName1, searchTerm: SearchTerm1 }
                  crm:
                    connector: jdbc
                    url: jdbc:h2:./data/crm
                    init: systems/crm.sql
                    entities:
                      customer: { table: accounts, key: sap_id, fields: { name: name, searchTerm: search_term } }
                """.formatted(fake.baseUrl()));
        Files.writeString(home.resolve("systems/crm.sql"), """
                CREATE TABLE IF NOT EXISTS accounts (
                  sap_id VARCHAR(10) PRIMARY KEY,
                  name VARCHAR(40),
                  search_term VARCHAR(20)
                );
                """);
        Files.writeString(home.resolve("rules/mastership.yaml"), """
                - entity: customer
                  fields: [name]
                  master: s4
                  subscribers: [crm]
                  reason: SAP owns the business partner's legal name.
                - entity: customer
                  fields: [searchTerm]
                  master: crm
                  subscribers: [s4]
                  reason: Sales keeps the search term in the CRM.
                """);
        Files.writeString(home.resolve("flows/sap-partner.yaml"), """
                id: sap-partner
                trigger:
                  webhook:
                    path: sap/partner
                    format: sap-events
                    secret: %s
                    options: { types: ["sap.s4.beh.businesspartner.v1.BusinessPartner.*"] }
                source: s4
                entity: customer
                fetch: true
                key: BusinessPartner
                fields: { name: OrganizationBPName1, searchTerm: SearchTerm1 }
                steps:
                  - rules: [mastership.yaml]
                  - sync: { to: [crm] }
                """.formatted(MESH_KEY));
        Files.writeString(home.resolve("flows/crm-account.yaml"), """
                id: crm-account
                trigger: { webhook: { path: crm/account } }
                source: crm
                entity: customer
                key: sap_id
                fields: { name: name, searchTerm: search_term }
                steps:
                  - rules: [mastership.yaml]
                  - sync: { to: [s4] }
                """);
        host = new RunningHost(home, RETRY, Map.of());
        assertThat(host.engine().workspace().diagnostics()).filteredOn(d -> d.isError()).isEmpty();
        fake.subscribe(URI.create(host.url("/hooks/sap/partner")), Map.of("X-Steward-Key", MESH_KEY), false,
                Duration.ofMillis(200));
    }

    @AfterEach
    void stop() {
        if (host != null) {
            host.close();
        }
        fake.close();
    }

    @Test
    void sapToCrmAndBackWithoutALoop() throws Exception {
        fake.change("A_BusinessPartner", "1000001", Map.of("OrganizationBPName1", "ACME AG", "BusinessPartnerCategory", "2"));
        await(() -> crm("1000001"), row -> row.size() == 2 && "ACME AG".equals(row.get(0)));

        JsonNode event = crmChange("1000001", "ACME");
        assertThat(event.get("status").asText()).as(event.toString()).isEqualTo("succeeded");
        assertThat(fake.record("A_BusinessPartner", "1000001")).get()
                .satisfies(r -> assertThat(r).containsEntry("SearchTerm1", "ACME").containsEntry("OrganizationBPName1", "ACME AG"));

        // SAP's event about Steward's own write: fetched and decided, and nothing is written back
        await(() -> finished("sap-partner"), list -> list.size() == 2);
        awaitQuiet();
        assertThat(fake.count("PATCH A_BusinessPartner")).isEqualTo(1);
        assertThat(fake.count("POST A_BusinessPartner")).isZero();
        assertThat(statuses("sap-partner")).containsOnly("succeeded");
        assertThat(events("sap-partner")).map(id -> host.getJson("/api/events/" + id).get("trace").toString())
                .anySatisfy(trace -> assertThat(trace).contains("echo of Steward's own write"));
        assertThat(crm("1000001")).containsExactly("ACME AG", "ACME");
        assertThat(fake.violations()).isEmpty();
    }

    @Test
    void aBurstOverTheRateLimitEndsWithNoDeadLetter() {
        fake.rateLimit(8, Duration.ofSeconds(1));
        int burst = 10;
        for (int i = 1; i <= burst; i++) {
            HttpResponse<String> answer = host.postAsIs("/hooks/crm/account",
                    "{\"sap_id\":\"20000" + (10 + i) + "\",\"search_term\":\"T" + i + "\"}",
                    Map.of("webhook-id", "burst-" + i));
            assertThat(answer.statusCode()).as(answer.body()).isEqualTo(202);
        }
        await(() -> finished("crm-account"), list -> list.size() == burst);
        await(() -> finished("sap-partner"), list -> list.size() == burst);
        awaitQuiet();
        assertThat(statuses("crm-account")).containsOnly("succeeded");
        assertThat(statuses("sap-partner")).containsOnly("succeeded");
        assertThat(fake.count("429")).isPositive();
        assertThat(fake.count("POST A_BusinessPartner")).isEqualTo(burst);
        assertThat(host.getJson("/api/dead-letters").toString()).doesNotContain("2000011");
        assertThat(fake.violations()).isEmpty();
    }

    @Test
    void aChangeRacingStewardsWriteIsDecidedAgain() throws Exception {
        fake.change("A_BusinessPartner", "3000001", Map.of("OrganizationBPName1", "Old Name", "BusinessPartnerCategory", "2"));
        await(() -> crm("3000001"), row -> !row.isEmpty());
        await(() -> finished("sap-partner"), list -> list.size() == 1);
        fake.changeBeforeNextWrite("A_BusinessPartner", "3000001", Map.of("OrganizationBPName1", "Renamed in SAP"));

        JsonNode event = crmChange("3000001", "RACE");

        assertThat(event.get("status").asText()).as(event.toString()).isEqualTo("succeeded");
        assertThat(event.get("trace").toString()).contains("changed while Steward wrote it");
        assertThat(fake.count("412")).isEqualTo(1);
        assertThat(fake.record("A_BusinessPartner", "3000001")).get().satisfies(r -> assertThat(r)
                .containsEntry("OrganizationBPName1", "Renamed in SAP").containsEntry("SearchTerm1", "RACE"));
        await(() -> crm("3000001"), row -> "Renamed in SAP".equals(row.get(0)));
        assertThat(fake.violations()).isEmpty();
    }

    @Test
    void anExpiredCsrfTokenFailsNoEvent() {
        fake.change("A_BusinessPartner", "4000001", Map.of("OrganizationBPName1", "Csrf GmbH"));
        assertThat(crmChange("4000001", "ONE").get("status").asText()).isEqualTo("succeeded");
        fake.expireCsrfTokens();
        JsonNode second = crmChange("4000001", "TWO");
        assertThat(second.get("status").asText()).as(second.toString()).isEqualTo("succeeded");
        assertThat(second.get("attempts").asInt()).isEqualTo(1);
        assertThat(fake.count("csrf-required")).isEqualTo(1);
        assertThat(fake.count("csrf-fetch")).isEqualTo(2);
        assertThat(fake.record("A_BusinessPartner", "4000001")).get()
                .satisfies(r -> assertThat(r).containsEntry("SearchTerm1", "TWO"));
        assertThat(fake.violations()).isEmpty();
    }

    @Test
    void aWrongKeyIsRefusedAndARedeliveryIsADuplicate() {
        String event = """
                {"specversion":"1.0","id":"%s","source":"/default/sap.s4.beh/FAKCLNT100",
                 "type":"sap.s4.beh.businesspartner.v1.BusinessPartner.Changed.v1","time":"2026-11-28T10:00:00Z",
                 "datacontenttype":"application/json","data":{"BusinessPartner":"5000001"}}""".formatted(UUID.randomUUID());
        Map<String, String> structured = Map.of("Content-Type", "application/cloudevents+json");

        HttpResponse<String> wrong = host.postAsIs("/hooks/sap/partner", event,
                Map.of("Content-Type", "application/cloudevents+json", "X-Steward-Key", "not-the-key"));
        HttpResponse<String> missing = host.postAsIs("/hooks/sap/partner", event, structured);
        assertThat(wrong.statusCode()).as(wrong.body()).isEqualTo(401);
        assertThat(missing.statusCode()).as(missing.body()).isEqualTo(401);
        assertThat(events("sap-partner")).isEmpty();

        Map<String, String> keyed = Map.of("Content-Type", "application/cloudevents+json", "X-Steward-Key", MESH_KEY);
        HttpResponse<String> first = host.postAsIs("/hooks/sap/partner", event, keyed);
        HttpResponse<String> replay = host.postAsIs("/hooks/sap/partner", event, keyed);
        assertThat(first.statusCode()).as(first.body()).isEqualTo(202);
        assertThat(replay.statusCode()).as(replay.body()).isEqualTo(202);
        assertThat(RunningHost.json(replay).get("duplicates").asInt()).isEqualTo(1);
        assertThat(events("sap-partner")).hasSize(1);
    }

    // --- helpers ---

    private JsonNode deliverCrm(String body) {
        HttpResponse<String> answer = host.postAsIs("/hooks/crm/account", body, Map.of("webhook-id", "crm-" + UUID.randomUUID()));
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(202);
        String id = RunningHost.json(answer).get("eventId").asText();
        return await(() -> host.getJson("/api/events/" + id),
                e -> !e.path("status").asText().equals("pending") && !e.path("status").asText().equals("running"));
    }

    /** Waits until no event is pending or running and the fake has no event left to push. */
    private void awaitQuiet() {
        await(() -> {
            List<String> open = new ArrayList<>();
            for (String flow : List.of("sap-partner", "crm-account")) {
                open.addAll(statuses(flow).stream().filter(s -> s.equals("pending") || s.equals("running")).toList());
            }
            return open.size() + fake.events().pending();
        }, n -> n == 0);
    }

    private List<String> events(String flow) {
        List<String> ids = new ArrayList<>();
        host.getJson("/api/events?flow=" + flow + "&limit=1000").get("events").forEach(e -> ids.add(e.get("eventId").asText()));
        return ids;
    }

    private List<String> statuses(String flow) {
        List<String> statuses = new ArrayList<>();
        host.getJson("/api/events?flow=" + flow + "&limit=1000").get("events").forEach(e -> statuses.add(e.get("status").asText()));
        return statuses;
    }

    private List<String> finished(String flow) {
        return statuses(flow).stream().filter(s -> !s.equals("pending") && !s.equals("running")).toList();
    }

    /** The CRM changes an account's search term (its own row, then its webhook), and Steward runs the event. */
    private JsonNode crmChange(String sapId, String searchTerm) {
        try (Connection db = DriverManager.getConnection("jdbc:h2:" + home.resolve("data").resolve("crm"), "", "");
             PreparedStatement merge = db.prepareStatement("MERGE INTO accounts (sap_id, search_term) KEY (sap_id) VALUES (?, ?)")) {
            merge.setString(1, sapId);
            merge.setString(2, searchTerm);
            merge.executeUpdate();
        } catch (SQLException e) {
            throw new AssertionError(e);
        }
        return deliverCrm("{\"sap_id\":\"" + sapId + "\",\"search_term\":\"" + searchTerm + "\"}");
    }

    private List<String> crm(String sapId) {
        try (Connection db = DriverManager.getConnection("jdbc:h2:" + home.resolve("data").resolve("crm"), "", "");
             PreparedStatement select = db.prepareStatement("SELECT name, search_term FROM accounts WHERE sap_id = ?")) {
            select.setString(1, sapId);
            try (ResultSet row = select.executeQuery()) {
                List<String> values = new ArrayList<>();
                if (row.next()) {
                    values.add(row.getString(1));
                    values.add(row.getString(2));
                }
                return values;
            }
        } catch (SQLException e) {
            return List.of();
        }
    }

    /** Polls until the condition holds, for at most 30 seconds. */
    private static <T> T await(Supplier<T> probe, Predicate<T> condition) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        T value = probe.get();
        while (!condition.test(value)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within 30 s: " + value);
            }
            try {
                Thread.sleep(25);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
            value = probe.get();
        }
        return value;
    }
}
