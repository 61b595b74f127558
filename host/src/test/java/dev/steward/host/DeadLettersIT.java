package dev.steward.host;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.UUID;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.patch;
import static com.github.tomakehurst.wiremock.client.WireMock.patchRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Through a real host: signed intake per scheme, 503 when the store is gone, dead letters with
 * their attempts, replay (edited or not, never twice), bulk replay, and the error report. The ERP
 * is a local HTTP server (WireMock).
 */
class DeadLettersIT {

    static final String STANDARD_KEY = "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

    @TempDir
    Path temp;
    WireMockServer erp;
    RunningHost host;

    @BeforeEach
    void start() throws IOException {
        erp = RunningHost.localServer();
        Path home = RunningHost.emptyWorkspace(temp.resolve("workspace"));
        Files.writeString(home.resolve("steward.yaml"), """
                systems:
                  crm:
                    connector: http
                    baseUrl: http://127.0.0.1:1
                    entities:
                      customer: { path: "/customers/{key}", fields: { email: email, phone: phone } }
                  erp:
                    connector: http
                    baseUrl: http://127.0.0.1:%d/api
                    entities:
                      customer: { path: "/customers/{key}", fields: { email: email, phone: phone } }
                """.formatted(erp.port()));
        Files.writeString(home.resolve("rules/mastership.yaml"), """
                - entity: customer
                  fields: [email, phone]
                  master: crm
                  subscribers: [erp]
                  reason: CRM is the primary entry point for sales.
                """);
        String flow = """
                id: %s
                trigger: { webhook: %s }
                source: crm
                entity: customer
                key: id
                fields: { email: email, phone: phone }
                steps:
                  - rules: [mastership.yaml]
                  - sync: { to: [erp] }
                """;
        Files.writeString(home.resolve("flows/crm-customer.yaml"), flow.formatted("crm-customer", "{ path: crm/customer }"));
        String standardSecret = "whsec_" + Base64.getEncoder().encodeToString(STANDARD_KEY.getBytes(StandardCharsets.UTF_8));
        Files.writeString(home.resolve("flows/standard.yaml"), flow.formatted("standard",
                "{ path: signed/standard, secret: \"" + standardSecret + "\" }"));
        Files.writeString(home.resolve("flows/github.yaml"), flow.formatted("github",
                "{ path: signed/github, secret: gh-secret, signature: github }"));
        Files.writeString(home.resolve("flows/hmac.yaml"), flow.formatted("hmac", "{ path: signed/hmac, secret: hmac-secret,"
                + " signature: { header: X-Signature, algorithm: sha512, encoding: base64, prefix: \"v1=\","
                + " timestamp: X-Timestamp, signed: \"{timestamp}:{body}\" } }"));
        erp.stubFor(patch(urlEqualTo("/api/customers/C-1")).willReturn(aResponse().withStatus(400)
                .withBody("{\"error\":\"field phone expects a number\"}")));
        erp.stubFor(patch(urlEqualTo("/api/customers/C-2")).willReturn(aResponse().withStatus(400)
                .withBody("{\"error\":\"field phone expects a number\"}")));
        host = new RunningHost(home);
        assertThat(host.workspace.diagnostics()).filteredOn(d -> d.isError()).isEmpty();
    }

    @AfterEach
    void stop() {
        host.close();
        erp.stop();
    }

    @Test
    void deadLettersAreListedGroupedInspectedAndReplayedOnce() {
        JsonNode first = host.deliver("crm/customer", "{\"id\":\"C-1\",\"phone\":\"+1 555\"}", id());
        JsonNode second = host.deliver("crm/customer", "{\"id\":\"C-2\",\"phone\":\"+1 556\"}", id());
        assertThat(first.get("status").asText()).isEqualTo("failed");
        assertThat(second.get("status").asText()).isEqualTo("failed");
        String c1 = first.get("eventId").asText();
        String c2 = second.get("eventId").asText();

        JsonNode list = host.getJson("/api/dead-letters?flow=crm-customer");
        assertThat(list.get("deadLetters")).hasSize(2);
        assertThat(list.at("/deadLetters/0/eventId").asText()).isEqualTo(c2);
        assertThat(list.at("/deadLetters/0/system").asText()).isEqualTo("erp");
        assertThat(host.getJson("/api/dead-letters?flow=github").get("deadLetters")).isEmpty();
        assertThat(host.get("/api/dead-letters?limit=0").statusCode()).isEqualTo(400);

        JsonNode report = host.getJson("/api/errors");
        assertThat(report.get("groups")).hasSize(1);
        JsonNode group = report.at("/groups/0");
        assertThat(group.get("flow").asText()).isEqualTo("crm-customer");
        assertThat(group.get("system").asText()).isEqualTo("erp");
        assertThat(group.get("cause").asText())
                .isEqualTo("erp answered 400 to PATCH /api/customers/{key}: {\"error\":\"field phone expects a number\"}");
        assertThat(group.get("count").asInt()).isEqualTo(2);
        assertThat(group.get("samples")).extracting(JsonNode::asText).containsExactly(c2, c1);
        assertThat(Instant.parse(group.get("firstSeen").asText())).isBeforeOrEqualTo(Instant.parse(group.get("lastSeen").asText()));

        JsonNode inspected = host.getJson("/api/dead-letters/" + c1);
        assertThat(inspected.at("/payload/phone").asText()).isEqualTo("+1 555");
        assertThat(inspected.get("error").asText()).contains("field phone expects a number");
        assertThat(inspected.get("attempts")).hasSize(1);
        assertThat(inspected.at("/attempts/0/outcome").asText()).isEqualTo("failed");
        assertThat(inspected.at("/attempts/0/error").asText()).contains("answered 400");
        assertThat(host.get("/api/dead-letters/evt_nope").statusCode()).isEqualTo(404);

        // The ERP's field type is fixed; C-1 is replayed with an edited payload, C-2 in bulk as it was.
        erp.resetAll();
        erp.stubFor(patch(urlEqualTo("/api/customers/C-1")).willReturn(aResponse().withStatus(204)));
        erp.stubFor(patch(urlEqualTo("/api/customers/C-2")).willReturn(aResponse().withStatus(204)));

        HttpResponse<String> otherKey = host.post("/api/dead-letters/" + c1 + "/replay",
                "{\"payload\":{\"id\":\"C-9\",\"phone\":\"1555\"}}", Map.of());
        assertThat(otherKey.statusCode()).isEqualTo(422);
        assertThat(otherKey.body()).contains("cannot move an event to another record");

        HttpResponse<String> replayed = host.post("/api/dead-letters/" + c1 + "/replay",
                "{\"payload\":{\"id\":\"C-1\",\"phone\":\"1555\"}}", Map.of());
        assertThat(replayed.statusCode()).isEqualTo(200);
        assertThat(RunningHost.json(replayed).get("replayed").asBoolean()).isTrue();
        JsonNode done = host.awaitFinished(c1);
        assertThat(done.get("status").asText()).isEqualTo("succeeded");
        assertThat(done.get("attempts").asInt()).isEqualTo(2);
        erp.verify(1, patchRequestedFor(urlEqualTo("/api/customers/C-1")).withRequestBody(equalToJson("{\"phone\":\"1555\"}")));

        JsonNode history = host.getJson("/api/dead-letters/" + c1);
        assertThat(history.at("/payload/phone").asText()).isEqualTo("1555");
        assertThat(history.at("/originalPayload/phone").asText()).isEqualTo("+1 555");
        assertThat(history.get("attempts")).extracting(a -> a.get("outcome").asText()).containsExactly("failed", "succeeded");

        HttpResponse<String> again = host.post("/api/dead-letters/" + c1 + "/replay", "", Map.of());
        assertThat(again.statusCode()).isEqualTo(409);
        assertThat(RunningHost.json(again).get("replayed").asBoolean()).isFalse();
        assertThat(again.body()).contains("already succeeded");
        assertThat(host.post("/api/dead-letters/evt_nope/replay", "", Map.of()).statusCode()).isEqualTo(404);

        assertThat(host.post("/api/dead-letters/replay", "{}", Map.of()).statusCode()).isEqualTo(400);
        assertThat(RunningHost.json(host.post("/api/dead-letters/replay", "{\"cause\":\"answered 503\"}", Map.of()))
                .get("replayed").asInt()).isZero();
        HttpResponse<String> bulk = host.post("/api/dead-letters/replay",
                "{\"flow\":\"crm-customer\",\"cause\":\"field phone expects a number\"}", Map.of());
        assertThat(RunningHost.json(bulk).get("replayed").asInt()).isEqualTo(1);
        assertThat(host.awaitFinished(c2).get("status").asText()).isEqualTo("succeeded");
        erp.verify(1, patchRequestedFor(urlEqualTo("/api/customers/C-1")));
        erp.verify(1, patchRequestedFor(urlEqualTo("/api/customers/C-2")));
        assertThat(host.getJson("/api/errors").get("groups")).isEmpty();
    }

    @Test
    void signedDeliveriesPassAndForgedOnesAre401WithNothingStored() throws Exception {
        erp.stubFor(patch(urlEqualTo("/api/customers/S-1")).willReturn(aResponse().withStatus(204)));
        String body = "{\"id\":\"S-1\",\"email\":\"s@signed.example\"}";
        long now = Instant.now().getEpochSecond();

        String standard = "v1," + Base64.getEncoder().encodeToString(
                mac("HmacSHA256", STANDARD_KEY, "msg_1." + now + "." + body));
        Map<String, String> standardHeaders = Map.of("webhook-id", "msg_1", "webhook-timestamp", String.valueOf(now),
                "webhook-signature", "v1,Zm9yZ2Vk " + standard);
        assertThat(host.post("/hooks/signed/standard", body, standardHeaders).statusCode()).isEqualTo(202);
        assertThat(host.post("/hooks/signed/standard", body.replace(",", ", "), Map.of("webhook-id", "msg_2",
                "webhook-timestamp", String.valueOf(now), "webhook-signature", standard)))
                .satisfies(r -> {
                    assertThat(r.statusCode()).isEqualTo(401);
                    assertThat(r.body()).contains("signature check failed");
                });
        assertThat(host.post("/hooks/signed/standard", body, Map.of("webhook-id", "msg_3",
                "webhook-timestamp", String.valueOf(now - 600), "webhook-signature",
                "v1," + Base64.getEncoder().encodeToString(mac("HmacSHA256", STANDARD_KEY, "msg_3." + (now - 600) + "." + body)))))
                .satisfies(r -> assertThat(r.body()).contains("more than 5 minutes old"));

        String github = "sha256=" + HexFormat.of().formatHex(mac("HmacSHA256", "gh-secret", body));
        assertThat(host.post("/hooks/signed/github", body, Map.of("X-Hub-Signature-256", github, "X-GitHub-Delivery", "g-1"))
                .statusCode()).isEqualTo(202);
        assertThat(host.post("/hooks/signed/github", body, Map.of("X-GitHub-Delivery", "g-2")))
                .satisfies(r -> {
                    assertThat(r.statusCode()).isEqualTo(401);
                    assertThat(r.body()).contains("missing X-Hub-Signature-256 header");
                });

        String hmac = "v1=" + Base64.getEncoder().encodeToString(mac("HmacSHA512", "hmac-secret", now + ":" + body));
        assertThat(host.post("/hooks/signed/hmac", body, Map.of("X-Signature", hmac, "X-Timestamp", String.valueOf(now),
                "X-Request-Id", "h-1")).statusCode()).isEqualTo(202);
        assertThat(host.post("/hooks/signed/hmac", body, Map.of("X-Signature", hmac.replace("v1=", "v0="),
                "X-Timestamp", String.valueOf(now), "X-Request-Id", "h-2")).statusCode()).isEqualTo(401);

        // Only the three authentic deliveries were stored.
        assertThat(host.getJson("/api/events?flow=standard").get("events")).hasSize(1);
        assertThat(host.getJson("/api/events?flow=github").get("events")).hasSize(1);
        assertThat(host.getJson("/api/events?flow=hmac").get("events")).hasSize(1);
    }

    @Test
    void whenTheStoreCannotTakeAnEventTheAnswerIs503WithRetryAfter() {
        host.engine.store().close();

        HttpResponse<String> response = host.hook("crm/customer", "{\"id\":\"C-7\",\"email\":\"a@b.example\"}", id());

        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(response.headers().firstValue("Retry-After")).hasValueSatisfying(v -> assertThat(Integer.parseInt(v)).isPositive());
        assertThat(response.body()).contains("nothing was stored");
        assertThat(host.get("/health").statusCode()).isEqualTo(503);
    }

    static byte[] mac(String algorithm, String key, String content) throws Exception {
        Mac mac = Mac.getInstance(algorithm);
        mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), algorithm));
        return mac.doFinal(content.getBytes(StandardCharsets.UTF_8));
    }

    private static String id() {
        return "msg_" + UUID.randomUUID();
    }
}
