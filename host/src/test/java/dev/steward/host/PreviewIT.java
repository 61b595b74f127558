package dev.steward.host;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import dev.steward.host.AccessClient.Credentials;
import dev.steward.host.access.Role;
import dev.steward.run.Values;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.patch;
import static com.github.tomakehurst.wiremock.client.WireMock.patchRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlMatching;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Shadow mode and the conflicts-prevented counts on a real host: the CRM masters email, the ERP
 * phone, both sync both ways with {@code enforce}. Real runs make a rejection, a heal and an echo;
 * {@code POST /api/preview} of a draft that gives email to the ERP reports the email decisions
 * that would change, and writes nothing; {@code GET /api/stats} counts the conflicts and still
 * does after a restart. Both systems are local HTTP servers (WireMock).
 */
class PreviewIT {

    private static final String MASTERSHIP = """
            - entity: customer
              fields: [email]
              master: crm
              subscribers: [erp]
              reason: Sales enter emails in the CRM.
            - entity: customer
              fields: [phone]
              master: erp
              subscribers: [crm]
              reason: Billing keeps phones in the ERP.
            """;
    /** The draft: the ERP masters email too. */
    private static final String ERP_OWNS_EMAIL = """
            - entity: customer
              fields: [email, phone]
              master: erp
              subscribers: [crm]
              reason: The ERP is the book of record now.
            """;

    @TempDir
    Path temp;
    WireMockServer crm;
    WireMockServer erp;
    RunningHost host;
    Path home;
    AccessClient client;

    @BeforeEach
    void start() throws IOException {
        crm = RunningHost.localServer();
        erp = RunningHost.localServer();
        for (WireMockServer system : new WireMockServer[] {crm, erp}) {
            system.stubFor(patch(urlMatching("/customers/.*")).willReturn(aResponse().withStatus(200).withBody("{}")));
        }
        erp.stubFor(get(urlMatching("/customers/.*")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBody("{\"phone\": \"+1 555 0100\"}")));
        home = RunningHost.emptyWorkspace(temp.resolve("workspace"));
        Files.writeString(home.resolve("steward.yaml"), """
                host:
                  workers: 2
                systems:
                  crm:
                    connector: http
                    baseUrl: http://127.0.0.1:%d
                    entities:
                      customer: { path: "/customers/{key}", fields: { email: email, phone: phone } }
                  erp:
                    connector: http
                    baseUrl: http://127.0.0.1:%d
                    entities:
                      customer: { path: "/customers/{key}", fields: { email: email, phone: phone } }
                """.formatted(crm.port(), erp.port()));
        Files.writeString(home.resolve("rules/mastership.yaml"), MASTERSHIP);
        for (String[] flow : new String[][] {{"crm", "erp"}, {"erp", "crm"}}) {
            Files.writeString(home.resolve("flows/" + flow[0] + "-customer.yaml"), """
                    id: %1$s-customer
                    trigger: { webhook: { path: %1$s/customer } }
                    source: %1$s
                    entity: customer
                    key: id
                    fields: { email: email, phone: phone }
                    steps:
                      - rules: [mastership.yaml]
                      - sync: { to: [%2$s], enforce: true }
                    """.formatted(flow[0], flow[1]));
        }
        host = new RunningHost(home);
        client = new AccessClient(host);
    }

    @AfterEach
    void stop() {
        host.close();
        crm.stop();
        erp.stop();
    }

    /** Five new emails from the CRM (accepted, written to the ERP), a phone change from the CRM (rejected, healed), the ERP's echo of one email. */
    private void runConflicts() {
        for (int i = 1; i <= 5; i++) {
            assertThat(deliver("crm/customer", "{\"id\":\"C-%d\",\"email\":\"c%d@example.com\"}".formatted(i, i)))
                    .isEqualTo("succeeded");
        }
        assertThat(deliver("crm/customer", "{\"id\":\"C-1\",\"email\":\"c1@example.com\",\"phone\":\"+9 999\"}"))
                .isEqualTo("succeeded");
        crm.verify(patchRequestedFor(urlEqualTo("/customers/C-1")).withRequestBody(equalToJson("{\"phone\":\"+1 555 0100\"}")));
        assertThat(deliver("erp/customer", "{\"id\":\"C-2\",\"email\":\"c2@example.com\"}")).isEqualTo("succeeded");
    }

    @Test
    void aDraftMastershipChangeIsReportedFieldByFieldAndNothingIsWritten() throws IOException {
        runConflicts();
        String eventsBefore = host.get("/api/events?limit=100").body();
        String statsBefore = host.get("/api/stats").body();
        String rulesBefore = host.getJson("/api/rules/versions").get("current").asText();
        int crmCalls = crm.getAllServeEvents().size();
        int erpCalls = erp.getAllServeEvents().size();

        HttpResponse<String> answer = preview(Map.of("rules/mastership.yaml", ERP_OWNS_EMAIL), null, token(Role.AUTHOR));

        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        JsonNode preview = RunningHost.json(answer);
        assertThat(preview.get("current").asText()).isEqualTo(rulesBefore);
        assertThat(preview.get("draft").asText()).matches("[0-9a-f]{12}").isNotEqualTo(rulesBefore);
        assertThat(preview.get("events").asInt()).as("every stored event of both flows").isEqualTo(7);
        assertThat(preview.get("changed").asInt()).isEqualTo(5);
        assertThat(preview.get("elapsedMs").asLong()).isNotNegative();
        assertThat(preview.get("differences")).as(preview.toString()).singleElement().satisfies(d -> {
            assertThat(d.get("flow").asText()).isEqualTo("crm-customer");
            assertThat(d.get("entity").asText()).isEqualTo("customer");
            assertThat(d.get("field").asText()).isEqualTo("email");
            assertThat(d.get("before").asText()).isEqualTo("accept");
            assertThat(d.get("after").asText()).isEqualTo("reject");
            assertThat(d.get("beforeBy").asText()).contains("mastership.yaml:1");
            assertThat(d.get("afterBy").asText()).contains("mastership.yaml:1");
            assertThat(d.get("count").asInt()).isEqualTo(5);
            assertThat(d.get("samples")).hasSize(5);
        });

        assertThat(crm.getAllServeEvents()).as("no call to the CRM").hasSize(crmCalls);
        assertThat(erp.getAllServeEvents()).as("no call to the ERP").hasSize(erpCalls);
        assertThat(host.get("/api/events?limit=100").body()).as("no event stored or changed").isEqualTo(eventsBefore);
        assertThat(host.get("/api/stats").body()).isEqualTo(statsBefore);
        assertThat(host.getJson("/api/rules/versions").get("current").asText()).isEqualTo(rulesBefore);
        assertThat(Files.readString(home.resolve("rules/mastership.yaml"))).isEqualTo(MASTERSHIP);

        JsonNode limited = RunningHost.json(preview(Map.of("rules/mastership.yaml", ERP_OWNS_EMAIL), 2, token(Role.AUTHOR)));
        assertThat(limited.get("events").asInt()).isEqualTo(2);
        JsonNode same = RunningHost.json(preview(Map.of("rules/mastership.yaml", MASTERSHIP), null, token(Role.AUTHOR)));
        assertThat(same.get("changed").asInt()).as("the running rules as the draft").isZero();
        assertThat(same.get("differences")).isEmpty();
    }

    @Test
    void theCommandLineComparesTheFilesOnDiskWithWhatTheEventsRecorded() throws Exception {
        runConflicts();
        host.close();
        Files.writeString(home.resolve("rules/mastership.yaml"), ERP_OWNS_EMAIL);
        PrintStream out = System.out;
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        int exit;
        try {
            System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
            exit = Main.run("preview", "--home", home.toString(), "--since", "1h", "--json");
        } finally {
            System.setOut(out);
        }
        assertThat(exit).as(printed.toString(StandardCharsets.UTF_8)).isZero();
        JsonNode preview = Values.JSON.readTree(printed.toString(StandardCharsets.UTF_8));
        assertThat(preview.get("events").asInt()).isEqualTo(7);
        assertThat(preview.get("differences")).singleElement().satisfies(d -> {
            assertThat(d.get("field").asText()).isEqualTo("email");
            assertThat(d.get("before").asText() + " -> " + d.get("after").asText()).isEqualTo("accept -> reject");
            assertThat(d.get("count").asInt()).isEqualTo(5);
        });
        printed.reset();
        try {
            System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
            exit = Main.run("preview", "--home", home.toString());
        } finally {
            System.setOut(out);
        }
        String table = printed.toString(StandardCharsets.UTF_8);
        assertThat(exit).isZero();
        assertThat(table).contains("crm-customer").contains("customer.email").contains("accept -> reject");
        host = new RunningHost(home); // for @AfterEach
    }

    @Test
    void anInvalidDraftIsRefusedWithItsDiagnosticsAndAViewerMayNotPreview() {
        HttpResponse<String> invalid = preview(Map.of("rules/mastership.yaml", """
                - entity: customer
                  fields: [email]
                  master: warehouse
                  subscribers: [erp]
                  reason: There is no such system.
                """), null, token(Role.AUTHOR));
        assertThat(invalid.statusCode()).as(invalid.body()).isEqualTo(422);
        JsonNode answer = RunningHost.json(invalid);
        assertThat(answer.get("valid").asBoolean()).isFalse();
        assertThat(answer.get("diagnostics")).anySatisfy(d -> {
            assertThat(d.get("file").asText()).isEqualTo("rules/mastership.yaml");
            assertThat(d.get("line").asInt()).as("the row's line").isEqualTo(1);
            assertThat(d.get("severity").asText()).isEqualTo("error");
            assertThat(d.get("message").asText()).contains("warehouse");
        });

        HttpResponse<String> broken = preview(Map.of("rules/mastership.yaml", MASTERSHIP.replace("[phone]", "[phone")),
                null, token(Role.AUTHOR));
        assertThat(broken.statusCode()).as(broken.body()).isEqualTo(422);
        assertThat(RunningHost.json(broken).get("diagnostics")).anySatisfy(d -> {
            assertThat(d.get("file").asText()).isEqualTo("rules/mastership.yaml");
            assertThat(d.get("line").asInt()).as(d.toString()).isGreaterThanOrEqualTo(7);
        });

        assertThat(preview(Map.of("rules/mastership.yaml", ERP_OWNS_EMAIL), null, token(Role.VIEWER)).statusCode())
                .isEqualTo(403);
        assertThat(preview(Map.of("rules/mastership.yaml", ERP_OWNS_EMAIL), 0, token(Role.AUTHOR)).statusCode())
                .isEqualTo(400);
        assertThat(preview(Map.of("rules/mastership.yaml", ERP_OWNS_EMAIL), 10_001, token(Role.AUTHOR)).statusCode())
                .isEqualTo(400);
        assertThat(client.send("POST", "/api/preview", "application/json", "{}", token(Role.AUTHOR), Map.of()).statusCode())
                .isEqualTo(400);
    }

    @Test
    void theConflictsPreventedAreCountedPerFieldAndDayAndSurviveARestart() {
        runConflicts();
        Credentials viewer = token(Role.VIEWER);
        HttpResponse<String> answer = client.send("GET", "/api/stats?period=week", null, null, viewer, Map.of());
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        JsonNode week = RunningHost.json(answer);
        assertStats(week);
        assertThat(week.get("days")).hasSize(7);
        assertThat(week.get("to").asText()).isEqualTo(week.get("days").get(6).get("day").asText());
        JsonNode today = host.getJson("/api/stats?period=day");
        assertThat(today.get("from").asText()).isEqualTo(today.get("to").asText());
        assertThat(today.get("totals")).isEqualTo(week.get("totals"));
        String metrics = host.get("/metrics").body();
        assertThat(metrics).containsPattern("steward_conflicts_prevented_total\\{[^}]*field=\"phone\"[^}]*kind=\"heals\"[^}]*} 1\\.0");
        assertThat(metrics).containsPattern("steward_conflicts_prevented_total\\{[^}]*field=\"email\"[^}]*kind=\"echoes\"[^}]*} 1\\.0");
        assertThat(client.send("GET", "/api/stats?period=year", null, null, viewer, Map.of()).statusCode()).isEqualTo(400);

        host.close();
        host = new RunningHost(home);
        assertStats(host.getJson("/api/stats"));
    }

    private static void assertStats(JsonNode stats) {
        assertThat(stats.get("period").asText()).isEqualTo("week");
        JsonNode totals = stats.get("totals");
        assertThat(totals.toString()).isEqualTo("{\"rejected\":1,\"quarantined\":0,\"heals\":1,\"echoes\":1,\"holds\":0}");
        assertThat(stats.get("byField")).extracting(JsonNode::toString).containsExactly(
                "{\"entity\":\"customer\",\"field\":\"email\",\"rejected\":0,\"quarantined\":0,\"heals\":0,\"echoes\":1,\"holds\":0}",
                "{\"entity\":\"customer\",\"field\":\"phone\",\"rejected\":1,\"quarantined\":0,\"heals\":1,\"echoes\":0,\"holds\":0}");
        assertThat(stats.get("days").get(stats.get("days").size() - 1).get("rejected").asInt()).isEqualTo(1);
    }

    private String deliver(String path, String body) {
        return host.deliver(path, body, UUID.randomUUID().toString()).get("status").asText();
    }

    private HttpResponse<String> preview(Map<String, String> drafts, Integer limit, Credentials who) {
        var files = Values.JSON.createObjectNode();
        drafts.forEach(files::put);
        var body = Values.JSON.createObjectNode().set("files", files);
        if (limit != null) {
            ((com.fasterxml.jackson.databind.node.ObjectNode) body).put("limit", limit);
        }
        return client.send("POST", "/api/preview", "application/json", body.toString(), who, Map.of());
    }

    private Credentials token(Role role) {
        String name = role.label() + "-" + UUID.randomUUID().toString().substring(0, 8);
        return Credentials.token(name, host.access.createToken(name, role, "test").orElseThrow().secret());
    }
}
