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

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.patch;
import static com.github.tomakehurst.wiremock.client.WireMock.patchRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Saving through the API on a real host: a save is checked first (an invalid one changes
 * nothing, the old configuration keeps running), a valid one is live for the next webhook
 * without a restart; paths and roles are enforced; drafts are checked without saving; the rules
 * versions are listed. The ERP is a local HTTP server (WireMock).
 */
class FilesIT {

    private static final String FLOW = """
            id: crm-customer
            trigger: { webhook: { path: %s } }
            source: crm
            entity: customer
            key: id
            fields: { email: email }
            steps:
              - rules: [mastership.yaml]
              - sync: { to: [erp] }
            """;

    @TempDir
    Path temp;
    WireMockServer erp;
    RunningHost host;
    Path home;
    AccessClient client;

    @BeforeEach
    void start() throws IOException {
        erp = RunningHost.localServer();
        erp.stubFor(patch(urlEqualTo("/api/customers/C-1")).willReturn(aResponse().withStatus(200).withBody("{}")));
        erp.stubFor(patch(urlEqualTo("/api/customers/C-2")).willReturn(aResponse().withStatus(200).withBody("{}")));
        home = RunningHost.crmEmailToErp(temp.resolve("workspace"), 1, erp.port(), "");
        host = new RunningHost(home);
        client = new AccessClient(host);
    }

    @AfterEach
    void stop() {
        host.close();
        erp.stop();
    }

    @Test
    void anInvalidSaveChangesNothingAndTheOldConfigurationKeepsRunning() throws IOException {
        String before = Files.readString(home.resolve("flows/crm-customer.yaml"));
        String broken = FLOW.formatted("crm/customer").replace("to: [erp]", "to: [warehouse]");

        HttpResponse<String> refused = put("flows/crm-customer.yaml", broken, admin());

        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(422);
        JsonNode answer = RunningHost.json(refused);
        assertThat(answer.get("saved").asBoolean()).isFalse();
        assertThat(answer.get("diagnostics")).anySatisfy(d -> {
            assertThat(d.get("file").asText()).isEqualTo("flows/crm-customer.yaml");
            assertThat(d.get("line").asInt()).isEqualTo(9);
            assertThat(d.get("severity").asText()).isEqualTo("error");
            assertThat(d.get("message").asText()).contains("warehouse");
        });
        assertThat(Files.readString(home.resolve("flows/crm-customer.yaml"))).isEqualTo(before);
        assertThat(host.deliver("crm/customer", "{\"id\":\"C-1\",\"email\":\"old@example.com\"}", id())
                .get("status").asText()).isEqualTo("succeeded");
        erp.verify(patchRequestedFor(urlEqualTo("/api/customers/C-1")).withRequestBody(equalToJson("{\"email\":\"old@example.com\"}")));
        assertThat(auditActions()).contains("file-save-refused");
    }

    @Test
    void aValidSaveIsLiveForTheNextWebhookWithoutARestart() throws IOException {
        assertThat(host.deliver("crm/customer", "{\"id\":\"C-1\",\"email\":\"a@example.com\"}", id())
                .get("status").asText()).isEqualTo("succeeded");

        HttpResponse<String> saved = put("flows/crm-customer.yaml", FLOW.formatted("crm/client"), admin());

        assertThat(saved.statusCode()).as(saved.body()).isEqualTo(200);
        assertThat(RunningHost.json(saved).get("saved").asBoolean()).isTrue();
        assertThat(Files.readString(home.resolve("flows/crm-customer.yaml"))).contains("crm/client");
        assertThat(host.hook("crm/customer", "{\"id\":\"C-2\",\"email\":\"b@example.com\"}", id()).statusCode())
                .as("the old hook path is gone").isEqualTo(404);
        JsonNode event = host.deliver("crm/client", "{\"id\":\"C-2\",\"email\":\"b@example.com\"}", id());
        assertThat(event.get("status").asText()).as(event.toString()).isEqualTo("succeeded");
        erp.verify(patchRequestedFor(urlEqualTo("/api/customers/C-2")).withRequestBody(equalToJson("{\"email\":\"b@example.com\"}")));
        JsonNode file = host.getJson("/api/files/flows/crm-customer.yaml");
        assertThat(file.get("text").asText()).contains("crm/client");
        assertThat(auditActions()).contains("file-save");
    }

    @Test
    void pathsOutsideTheEditableFoldersAreRefused() {
        for (String path : new String[] {"data/steward.mv.db", "flows/notes.txt", "plugins/x.jar", "flows/.hidden.yaml",
                "flows/%2E%2E/steward.yaml", "rules/tests/x.drl"}) {
            HttpResponse<String> read = client.send("GET", "/api/files/" + path, null, null, admin(), Map.of());
            HttpResponse<String> write = put(path, "x: 1", admin());
            assertThat(read.statusCode()).as(path + ": " + read.body()).isEqualTo(403);
            assertThat(write.statusCode()).as(path + ": " + write.body()).isEqualTo(403);
        }
        // a client that sends '..' unencoded: refused before any file is looked at
        HttpResponse<String> dotted = client.send("GET", "/api/files/flows/../../../etc/passwd", null, null, admin(), Map.of());
        assertThat(dotted.statusCode()).as(dotted.body()).isIn(400, 403, 404);
        assertThat(dotted.body()).doesNotContain("root:");
        assertThat(client.send("GET", "/api/files/flows/missing.yaml", null, null, admin(), Map.of()).statusCode())
                .isEqualTo(404);
        assertThat(client.send("PUT", "/api/files/flows/crm-customer.yaml", "text/plain", "id: x", admin(), Map.of())
                .statusCode()).as("changes are JSON only").isEqualTo(415);
        assertThat(put("flows/big.yaml", "#".repeat(1_100_000), admin()).statusCode()).isEqualTo(413);
    }

    @Test
    void anAuthorSavesFlowsAndTablesButNotDrlOrSettings() {
        Credentials author = token(Role.AUTHOR);
        Credentials developer = token(Role.DEVELOPER);
        String drl = """
                package rules;
                rule "nothing" when then end
                """;
        HttpResponse<String> refused = put("rules/extra.drl", drl, author);
        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(403);
        assertThat(refused.body()).contains("developer");
        assertThat(Files.exists(home.resolve("rules/extra.drl"))).isFalse();
        assertThat(put("steward.yaml", "systems: {}", developer).statusCode()).isEqualTo(403);
        assertThat(client.send("GET", "/api/files/steward.yaml", null, null, developer, Map.of()).statusCode()).isEqualTo(403);
        assertThat(put("flows/crm-customer.yaml", FLOW.formatted("crm/customer"), author).statusCode()).isEqualTo(200);
        HttpResponse<String> drlSaved = put("rules/extra.drl", drl, developer);
        assertThat(drlSaved.statusCode()).as(drlSaved.body()).isEqualTo(200);
        assertThat(put("rules/tests/extra.yaml", "- name: [unclosed", author).statusCode()).isEqualTo(422);
        assertThat(put("transforms/x.js", "function transform(r) { return r; }", author).statusCode()).isEqualTo(403);
    }

    @Test
    void aDraftIsCheckedWithoutBeingSaved() throws IOException {
        String before = Files.readString(home.resolve("flows/crm-customer.yaml"));
        HttpResponse<String> invalid = validate(Map.of("flows/crm-customer.yaml", "id: crm-customer\ntrigger: [\n"));
        assertThat(invalid.statusCode()).as(invalid.body()).isEqualTo(200);
        JsonNode answer = RunningHost.json(invalid);
        assertThat(answer.get("valid").asBoolean()).isFalse();
        assertThat(answer.get("saved").asBoolean()).isFalse();
        assertThat(answer.get("diagnostics").get(0).get("file").asText()).isEqualTo("flows/crm-customer.yaml");
        assertThat(answer.get("diagnostics").get(0).get("line").asInt()).isPositive();

        JsonNode valid = RunningHost.json(validate(Map.of("flows/second.yaml", FLOW.formatted("crm/second")
                .replace("id: crm-customer", "id: second"))));
        assertThat(valid.get("valid").asBoolean()).as(valid.toString()).isTrue();
        assertThat(valid.get("saved").asBoolean()).isFalse();
        assertThat(Files.exists(home.resolve("flows/second.yaml"))).isFalse();
        assertThat(Files.readString(home.resolve("flows/crm-customer.yaml"))).isEqualTo(before);
        assertThat(host.hook("crm/second", "{\"id\":\"C-1\"}", id()).statusCode()).isEqualTo(404);
    }

    @Test
    void theRulesVersionsAreListedNewestFirst() {
        JsonNode first = host.getJson("/api/rules/versions");
        String started = first.get("current").asText();
        assertThat(started).matches("[0-9a-f]{12}");
        assertThat(first.get("versions")).singleElement().satisfies(v -> {
            assertThat(v.get("version").asText()).isEqualTo(started);
            assertThat(v.get("files").toString()).contains("rules/mastership.yaml");
        });
        HttpResponse<String> saved = put("rules/mastership.yaml", """
                - entity: customer
                  fields: [email]
                  master: crm
                  subscribers: [erp]
                  reason: The CRM is where sales enter customers.
                """, token(Role.AUTHOR));
        assertThat(saved.statusCode()).as(saved.body()).isEqualTo(200);
        String next = RunningHost.json(saved).get("rulesVersion").asText();
        JsonNode versions = host.getJson("/api/rules/versions");
        assertThat(versions.get("current").asText()).isEqualTo(next).isNotEqualTo(started);
        assertThat(versions.get("versions")).extracting(v -> v.get("version").asText()).containsExactly(next, started);
    }

    @Test
    void theRuleScenariosRunThroughTheApi() {
        String scenarios = """
                flow: crm-customer
                scenarios:
                  - name: An email from the CRM, its master, is accepted
                    payload: { id: C-1, email: ada@new.example }
                    expect: { email: accept }
                  - name: A wrong expectation fails with the difference
                    payload: { id: C-1, email: ada@new.example }
                    expect: { email: reject }
                """;
        assertThat(put("rules/tests/email.yaml", scenarios, token(Role.AUTHOR)).statusCode()).isEqualTo(200);
        Credentials author = token(Role.AUTHOR);

        HttpResponse<String> ran = client.send("POST", "/api/tests/run", "application/json", "{}", author, Map.of());
        assertThat(ran.statusCode()).as(ran.body()).isEqualTo(200);
        JsonNode result = RunningHost.json(ran);
        assertThat(result.get("scenarios").asInt()).isEqualTo(2);
        assertThat(result.get("failed").asInt()).isEqualTo(1);
        assertThat(result.get("passed").asBoolean()).isFalse();
        assertThat(result.get("lines").toString()).contains("PASS An email from the CRM").contains("FAIL A wrong expectation");
        assertThat(result.get("junit").asText()).contains("<testsuite").contains("failures=\"1\"");

        JsonNode missing = RunningHost.json(client.send("POST", "/api/tests/run", "application/json",
                "{\"files\": [\"rules/tests/nope.yaml\"]}", author, Map.of()));
        assertThat(missing.get("problems").asInt()).isEqualTo(1);
        assertThat(client.send("POST", "/api/tests/run", "application/json", "{\"files\": [\"flows/crm-customer.yaml\"]}",
                author, Map.of()).statusCode()).isEqualTo(403);
        assertThat(client.send("POST", "/api/tests/run", "application/json", "{}", token(Role.VIEWER), Map.of()).statusCode())
                .isEqualTo(403);
    }

    private HttpResponse<String> put(String path, String text, Credentials who) {
        String body = Values.JSON.createObjectNode().put("text", text).toString();
        return client.send("PUT", "/api/files/" + path, "application/json", body, who, Map.of());
    }

    private HttpResponse<String> validate(Map<String, String> drafts) {
        var files = Values.JSON.createObjectNode();
        drafts.forEach(files::put);
        return client.send("POST", "/api/validate", "application/json",
                Values.JSON.createObjectNode().set("files", files).toString(), admin(), Map.of());
    }

    private Credentials admin() {
        return Credentials.token("admin", host.adminToken);
    }

    private Credentials token(Role role) {
        String name = role.label() + "-" + UUID.randomUUID().toString().substring(0, 8);
        return Credentials.token(name, host.access.createToken(name, role, "test").orElseThrow().secret());
    }

    private String auditActions() {
        return host.getJson("/api/audit-log").get("entries").findValuesAsText("action").toString();
    }

    private static String id() {
        return UUID.randomUUID().toString();
    }
}
