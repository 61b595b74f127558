package dev.steward.host;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.patch;
import static com.github.tomakehurst.wiremock.client.WireMock.patchRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Vendor webhook formats and {@code fetch: true} on a real host, with the test format
 * {@link JsonArrayFormat} (registered only on the test class path): a batched delivery becomes
 * one event per record, deduplicated on the vendor's ids; a refused delivery stores nothing; the
 * format's reply is sent; a thin notification's record is read from the source (a real HTTP
 * system) before the rules run, a record gone from it ends the event as filtered, and a
 * rate-limited read is retried.
 */
class WebhookFormatIT {

    static final String SECRET = "s3cret-of-the-vendor";
    /** host.publicUrl: the URL vendors sign, not the loopback one the test calls. */
    static final String PUBLIC = "https://steward.example.com";

    @TempDir
    Path temp;
    WireMockServer crm;
    WireMockServer erp;
    RunningHost host;

    @BeforeEach
    void start() throws IOException {
        crm = RunningHost.localServer();
        erp = RunningHost.localServer();
        erp.stubFor(patch(anyUrl()).willReturn(aResponse().withStatus(204)));
        Path home = RunningHost.emptyWorkspace(temp.resolve("workspace"));
        Files.writeString(home.resolve("steward.yaml"), """
                host:
                  workers: 2
                  publicUrl: %s
                systems:
                  crm:
                    connector: http
                    baseUrl: http://127.0.0.1:%d
                    entities:
                      customer: { path: "/customers/{key}", fields: { email: email_address, name: full_name } }
                  erp:
                    connector: http
                    baseUrl: http://127.0.0.1:%d/api
                    entities:
                      customer: { path: "/customers/{key}", fields: { email: email, name: name } }
                """.formatted(PUBLIC, crm.port(), erp.port()));
        Files.writeString(home.resolve("rules/mastership.yaml"), """
                - entity: customer
                  fields: [email, name]
                  master: crm
                  subscribers: [erp]
                  reason: the CRM owns customers
                """);
        Files.writeString(home.resolve("flows/batch.yaml"), """
                id: batch
                trigger:
                  webhook:
                    path: vendor/batch
                    format: json-array
                    secret: %s
                source: crm
                entity: customer
                key: id
                fields: { email: email }
                steps:
                  - rules: [mastership.yaml]
                  - sync: { to: [erp] }
                """.formatted(SECRET));
        Files.writeString(home.resolve("flows/thin.yaml"), """
                id: thin
                trigger:
                  webhook:
                    path: vendor/thin
                    format: json-array
                    secret: %s
                    options: { idField: notificationId, reply: "<Ack>true</Ack>" }
                source: crm
                entity: customer
                fetch: true
                key: objectId
                fields: { email: email_address, name: full_name }
                steps:
                  - rules: [mastership.yaml]
                  - sync: { to: [erp] }
                """.formatted(SECRET));
        host = new RunningHost(home);
        assertThat(host.workspace.diagnostics()).filteredOn(d -> d.isError()).isEmpty();
    }

    @AfterEach
    void stop() {
        if (host != null) {
            host.close();
        }
        crm.stop();
        erp.stop();
    }

    @Test
    void aBatchOfThreeIsThreeEventsAndItsRedeliveryIsThreeDuplicates() {
        String body = """
                [{"eventId":"n-1","id":"C-1","email":"one@x.example"},
                 {"eventId":"n-2","id":"C-2","email":"two@x.example"},
                 {"eventId":"n-3","id":"C-3","email":"three@x.example"}]""";

        HttpResponse<String> first = send("vendor/batch", body);

        assertThat(first.statusCode()).as(first.body()).isEqualTo(202);
        JsonNode answer = RunningHost.json(first);
        assertThat(answer.get("duplicates").asInt()).isZero();
        List<String> ids = texts(answer.get("eventIds"));
        assertThat(ids).hasSize(3).doesNotHaveDuplicates();
        for (String id : ids) {
            JsonNode event = host.awaitFinished(id);
            assertThat(event.get("status").asText()).as(event.toString()).isEqualTo("succeeded");
        }
        assertThat(host.getJson("/api/events/" + ids.get(1)).get("deliveryId").asText()).isEqualTo("n-2");
        erp.verify(patchRequestedFor(urlEqualTo("/api/customers/C-2")).withRequestBody(equalToJson("{\"email\":\"two@x.example\"}")));
        assertThat(host.getJson("/api/events/" + ids.get(0)).get("trace").toString()).contains("delivered by webhook format json-array");

        HttpResponse<String> again = send("vendor/batch", body);
        assertThat(again.statusCode()).isEqualTo(202);
        assertThat(RunningHost.json(again).get("duplicates").asInt()).isEqualTo(3);
        assertThat(texts(RunningHost.json(again).get("eventIds"))).isEqualTo(ids);

        HttpResponse<String> mixed = send("vendor/batch", """
                [{"eventId":"n-3","id":"C-3","email":"three@x.example"},
                 {"eventId":"n-4","id":"C-4","email":"four@x.example"}]""");
        assertThat(RunningHost.json(mixed).get("duplicates").asInt()).isEqualTo(1);
        assertThat(texts(RunningHost.json(mixed).get("eventIds")).getFirst()).isEqualTo(ids.get(2));
        assertThat(events("batch")).hasSize(4);
        assertThat(host.get("/metrics").body()).contains("steward_webhook_notifications_total")
                .contains("format=\"json-array\"");
    }

    @Test
    void aRefusedDeliveryStoresNothingAndAnswersTheFormatsStatus() {
        String body = "[{\"eventId\":\"r-1\",\"id\":\"C-9\",\"email\":\"nine@x.example\"}]";

        HttpResponse<String> forged = host.post("/hooks/vendor/batch", body,
                Map.of(JsonArrayFormat.HEADER, JsonArrayFormat.signature("not-the-secret", PUBLIC + "/hooks/vendor/batch", body)));
        assertThat(forged.statusCode()).isEqualTo(401);
        assertThat(forged.body()).contains("the signature does not match");

        // Signed for the loopback URL the test called: vendors sign the public one, host.publicUrl.
        HttpResponse<String> local = host.post("/hooks/vendor/batch", body,
                Map.of(JsonArrayFormat.HEADER, JsonArrayFormat.signature(SECRET, host.url("/hooks/vendor/batch"), body)));
        assertThat(local.statusCode()).isEqualTo(401);

        HttpResponse<String> notArray = send("vendor/batch", "{\"eventId\":\"r-2\",\"id\":\"C-9\"}");
        assertThat(notArray.statusCode()).isEqualTo(400);
        assertThat(notArray.body()).contains("a delivery is a JSON array");

        HttpResponse<String> noKey = send("vendor/batch", "[{\"eventId\":\"r-3\",\"id\":\"C-8\"},{\"eventId\":\"r-4\"}]");
        assertThat(noKey.statusCode()).as(noKey.body()).isEqualTo(422);
        assertThat(noKey.body()).contains("notification 2").contains("no record key at 'id'");

        HttpResponse<String> xml = host.post("/hooks/vendor/batch", body, Map.of("Content-Type", "text/xml",
                JsonArrayFormat.HEADER, JsonArrayFormat.signature(SECRET, PUBLIC + "/hooks/vendor/batch", body)));
        assertThat(xml.statusCode()).isEqualTo(415);

        assertThat(events("batch")).isEmpty();
        assertThat(erp.getAllServeEvents()).isEmpty();
    }

    @Test
    void aFetchReadsTheRecordFromTheSourceAndTheFormatsReplyIsSent() {
        crm.stubFor(get(urlEqualTo("/customers/C-7")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withHeader("ETag", "\"v7\"")
                .withBody("{\"id\":\"C-7\",\"email_address\":\"full@x.example\",\"full_name\":\"Ada Full\"}")));

        HttpResponse<String> response = send("vendor/thin", "[{\"notificationId\":\"t-1\",\"objectId\":\"C-7\"}]");

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("<Ack>true</Ack>");
        assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain");
        String id = await(() -> events("thin"), list -> list.size() == 1).getFirst();
        JsonNode event = host.awaitFinished(id);
        assertThat(event.get("status").asText()).as(event.toString()).isEqualTo("succeeded");
        assertThat(event.get("trace").toString()).contains("fetch").contains("read crm.customer[C-7]");
        crm.verify(1, getRequestedFor(urlEqualTo("/customers/C-7")));
        erp.verify(patchRequestedFor(urlEqualTo("/api/customers/C-7"))
                .withRequestBody(equalToJson("{\"email\":\"full@x.example\",\"name\":\"Ada Full\"}")));
    }

    @Test
    void aRecordGoneFromTheSourceIsFilteredAndARateLimitedReadIsRetried() {
        crm.stubFor(get(urlEqualTo("/customers/C-gone")).willReturn(aResponse().withStatus(404)));
        crm.stubFor(get(urlEqualTo("/customers/C-busy")).inScenario("busy").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(429).withHeader("Retry-After", "1")).willSetStateTo("ok"));
        crm.stubFor(get(urlEqualTo("/customers/C-busy")).inScenario("busy").whenScenarioStateIs("ok")
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                        .withBody("{\"email_address\":\"busy@x.example\",\"full_name\":\"Bo Busy\"}")));

        HttpResponse<String> response = send("vendor/thin", """
                [{"notificationId":"g-1","objectId":"C-gone"},{"notificationId":"b-1","objectId":"C-busy"}]""");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);

        List<String> ids = await(() -> events("thin"), list -> list.size() == 2);
        Map<String, JsonNode> byKey = new java.util.HashMap<>();
        for (String id : ids) {
            JsonNode event = host.awaitFinished(id);
            byKey.put(event.get("key").asText(), event);
        }
        JsonNode gone = byKey.get("C-gone");
        assertThat(gone.get("status").asText()).as(gone.toString()).isEqualTo("filtered");
        assertThat(gone.get("error").asText()).isEqualTo("the source has no record C-gone any more");
        assertThat(host.getJson("/api/dead-letters").toString()).doesNotContain("C-gone");

        JsonNode busy = byKey.get("C-busy");
        assertThat(busy.get("status").asText()).as(busy.toString()).isEqualTo("succeeded");
        crm.verify(2, getRequestedFor(urlEqualTo("/customers/C-busy")));
        erp.verify(patchRequestedFor(urlEqualTo("/api/customers/C-busy"))
                .withRequestBody(equalToJson("{\"email\":\"busy@x.example\",\"name\":\"Bo Busy\"}")));
        erp.verify(0, patchRequestedFor(urlEqualTo("/api/customers/C-gone")));
    }

    @Test
    void aDryRunAndAPreviewDoNotFetchAndSaySo() throws IOException {
        HttpResponse<String> response = host.post("/api/flows/thin/dry-run",
                "{\"objectId\":\"C-5\",\"email_address\":\"dry@x.example\"}", Map.of());

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode dryRun = RunningHost.json(response);
        assertThat(dryRun.get("fetch").asText()).contains("skipped").contains("does not read from crm");
        assertThat(dryRun.get("writes").toString()).contains("dry@x.example");

        crm.stubFor(get(urlEqualTo("/customers/C-6")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBody("{\"email_address\":\"six@x.example\"}")));
        assertThat(send("vendor/thin", "[{\"notificationId\":\"p-1\",\"objectId\":\"C-6\"}]").statusCode()).isEqualTo(200);
        host.awaitFinished(await(() -> events("thin"), list -> list.size() == 1).getFirst());
        int reads = crm.getAllServeEvents().size();
        String draft = Files.readString(host.workspace.home().resolve("flows/thin.yaml")).replace("id: thin", "id: thin\ndescription: draft");
        var body = dev.steward.run.Values.JSON.createObjectNode();
        body.set("files", dev.steward.run.Values.JSON.createObjectNode().put("flows/thin.yaml", draft));
        HttpResponse<String> preview = host.post("/api/preview", body.toString(), Map.of());

        assertThat(preview.statusCode()).as(preview.body()).isEqualTo(200);
        assertThat(RunningHost.json(preview).get("notes").toString()).contains("flow thin has fetch: true, which a preview skips");
        assertThat(crm.getAllServeEvents()).as("no read from the source").hasSize(reads);
    }

    private HttpResponse<String> send(String path, String body) {
        return host.post("/hooks/" + path, body,
                Map.of(JsonArrayFormat.HEADER, JsonArrayFormat.signature(SECRET, PUBLIC + "/hooks/" + path, body)));
    }

    private List<String> events(String flow) {
        return texts(host.getJson("/api/events?flow=" + flow + "&limit=100").get("events"), "eventId");
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(node -> out.add(node.asText()));
        return out;
    }

    private static List<String> texts(JsonNode array, String field) {
        List<String> out = new ArrayList<>();
        array.forEach(node -> out.add(node.get(field).asText()));
        return out;
    }

    /** Polls until the condition holds, for at most 20 seconds. */
    private static <T> T await(java.util.function.Supplier<T> probe, java.util.function.Predicate<T> condition) {
        long deadline = System.nanoTime() + java.time.Duration.ofSeconds(20).toNanos();
        T value = probe.get();
        while (!condition.test(value)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within 20 s: " + value);
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
            value = probe.get();
        }
        return value;
    }
}
