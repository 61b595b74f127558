package dev.steward.host;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.patch;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Bad input at the door gets a 4xx with its reason, never a 500 or a 503, and nothing is stored:
 * numbers too large to write out, bodies that are not strict UTF-8 JSON, keys and delivery ids
 * longer than the store keeps, broken chunked encodings, far-out timestamps. Signed deliveries
 * are deduplicated on the id their scheme gives them, whatever header the flow names.
 */
class IntakeHardeningIT {

    static final String STANDARD_KEY = DeadLettersIT.STANDARD_KEY;

    @TempDir
    Path temp;
    WireMockServer erp;
    RunningHost host;

    @BeforeEach
    void start() throws IOException {
        erp = RunningHost.localServer();
        erp.stubFor(patch(anyUrl()).willReturn(aResponse().withStatus(204)));
        Path home = RunningHost.crmEmailToErp(temp.resolve("workspace"), 2, erp.port(), "");
        String flow = Files.readString(home.resolve("flows/crm-customer.yaml"));
        String secret = "whsec_" + Base64.getEncoder().encodeToString(STANDARD_KEY.getBytes(StandardCharsets.UTF_8));
        Files.writeString(home.resolve("flows/standard.yaml"), flow.replace("id: crm-customer", "id: standard")
                .replace("{ path: crm/customer }", "{ path: signed/standard, secret: \"" + secret + "\", deliveryId: X-Request-Id }"));
        Files.writeString(home.resolve("flows/github.yaml"), flow.replace("id: crm-customer", "id: github")
                .replace("{ path: crm/customer }", "{ path: signed/github, secret: gh-secret, signature: github }"));
        host = new RunningHost(home);
        assertThat(host.workspace.diagnostics()).filteredOn(d -> d.isError()).isEmpty();
    }

    @AfterEach
    void stop() {
        host.close();
        erp.stop();
    }

    @Test
    void numbersTooLargeToWriteOutAre422NamingTheFieldAndHoldNoWorker() {
        long started = System.nanoTime();
        for (int i = 0; i < 4; i++) {
            HttpResponse<String> response = host.hook("crm/customer",
                    "{\"id\":\"C-" + i + "\",\"email\":\"a@x.example\",\"credit_limit\":1e99999999}", "big-" + i);
            assertThat(response.statusCode()).isEqualTo(422);
            assertThat(response.body()).contains("the number at 'credit_limit' is out of range");
        }
        assertThat(host.hook("crm/customer", "{\"id\":\"C-9\",\"limits\":[1e999999999]}", "big-9").body())
                .contains("'limits[0]'");
        JsonNode normal = host.deliver("crm/customer", "{\"id\":\"C-5\",\"email\":\"b@x.example\"}", "normal-1");
        assertThat(normal.get("status").asText()).isEqualTo("succeeded");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
        assertThat(host.getJson("/api/events").get("events")).hasSize(1);
    }

    @Test
    void onlyStrictUtf8JsonIsTaken() {
        String body = "{\"id\":\"C-1\",\"email\":\"a@x.example\"}";
        HttpResponse<String> utf16 = send("crm/customer", "application/json; charset=utf-16",
                body.getBytes(StandardCharsets.UTF_16), Map.of("webhook-id", "u-1"));
        assertThat(utf16.statusCode()).isEqualTo(415);
        assertThat(utf16.body()).contains("JSON in UTF-8, not charset=utf-16");
        assertThat(send("crm/customer", "application/json; charset=\"UTF-8\"", body.getBytes(StandardCharsets.UTF_8),
                Map.of("webhook-id", "u-2")).statusCode()).isEqualTo(202);

        byte[] overlong = "{\"id\":\"C-2\",\"email\":\"..XX\"}".getBytes(StandardCharsets.US_ASCII);
        overlong[23] = (byte) 0xC0;
        overlong[24] = (byte) 0xAF;
        HttpResponse<String> slash = send("crm/customer", "application/json", overlong, Map.of("webhook-id", "u-3"));
        assertThat(slash.statusCode()).isEqualTo(400);
        assertThat(slash.body()).contains("not valid UTF-8");

        HttpResponse<String> twice = host.hook("crm/customer",
                "{\"id\":\"C-3\",\"email\":\"a@x.example\",\"email\":\"b@x.example\"}", "u-4");
        assertThat(twice.statusCode()).isEqualTo(400);
        assertThat(twice.body()).contains("Duplicate field 'email'");
        assertThat(host.getJson("/api/events").get("events")).hasSize(1);
    }

    @Test
    void aKeyLongerThanTheStoreKeepsIs422NotARetryForever() {
        HttpResponse<String> response = host.hook("crm/customer", "{\"id\":\"" + "K".repeat(501) + "\"}", "long-key");

        assertThat(response.statusCode()).isEqualTo(422);
        assertThat(response.headers().firstValue("Retry-After")).isEmpty();
        assertThat(response.body()).contains("at most 500");
    }

    @Test
    void longDeliveryIdsAreComparedWhole() {
        String common = "d".repeat(250);
        HttpResponse<String> first = host.hook("crm/customer", "{\"id\":\"C-1\",\"email\":\"a@x.example\"}", common + "1");
        HttpResponse<String> second = host.hook("crm/customer", "{\"id\":\"C-2\",\"email\":\"b@x.example\"}", common + "2");
        HttpResponse<String> again = host.hook("crm/customer", "{\"id\":\"C-1\",\"email\":\"a@x.example\"}", common + "1");

        assertThat(RunningHost.json(second).get("duplicate").asBoolean()).isFalse();
        assertThat(RunningHost.json(second).get("eventId")).isNotEqualTo(RunningHost.json(first).get("eventId"));
        assertThat(RunningHost.json(again).get("duplicate").asBoolean()).isTrue();
        assertThat(RunningHost.json(again).get("eventId")).isEqualTo(RunningHost.json(first).get("eventId"));
        assertThat(host.getJson("/api/events").get("events")).hasSize(2);
    }

    @Test
    void aSignedStandardWebhooksDeliveryIsDeduplicatedOnItsSignedIdWhateverTheFlowNames() throws Exception {
        String body = "{\"id\":\"S-1\",\"email\":\"s@x.example\"}";
        long now = Instant.now().getEpochSecond();
        String signature = "v1," + Base64.getEncoder().encodeToString(
                DeadLettersIT.mac("HmacSHA256", STANDARD_KEY, "msg_1." + now + "." + body));
        Map<String, String> signed = Map.of("webhook-id", "msg_1", "webhook-timestamp", String.valueOf(now),
                "webhook-signature", signature);

        HttpResponse<String> first = host.post("/hooks/signed/standard", body, with(signed, "X-Request-Id", "r-1"));
        HttpResponse<String> replayed = host.post("/hooks/signed/standard", body, with(signed, "X-Request-Id", "r-2"));
        HttpResponse<String> withoutId = host.post("/hooks/signed/standard", body, signed);

        assertThat(first.statusCode()).isEqualTo(202);
        for (HttpResponse<String> response : java.util.List.of(replayed, withoutId)) {
            assertThat(response.statusCode()).isEqualTo(202);
            assertThat(RunningHost.json(response).get("duplicate").asBoolean()).isTrue();
            assertThat(RunningHost.json(response).get("eventId")).isEqualTo(RunningHost.json(first).get("eventId"));
        }
        assertThat(host.getJson("/api/events?flow=standard").get("events")).hasSize(1);
        assertThat(host.workspace.diagnostics()).anySatisfy(d -> assertThat(d.toString())
                .contains("flows/standard.yaml").contains("deliveryId is not used").contains("(webhook-id)"));

        HttpResponse<String> farOut = host.post("/hooks/signed/standard", body, Map.of("webhook-id", "msg_2",
                "webhook-timestamp", "9223372036854775807", "webhook-signature", signature));
        assertThat(farOut.statusCode()).isEqualTo(401);
        assertThat(farOut.body()).contains("in the future");
    }

    @Test
    void aGitHubDeliveryNeedsItsDeliveryIdAndIsDeduplicatedOnIt() throws Exception {
        String body = "{\"id\":\"G-1\",\"email\":\"g@x.example\"}";
        String signature = "sha256=" + HexFormat.of().formatHex(DeadLettersIT.mac("HmacSHA256", "gh-secret", body));

        HttpResponse<String> anonymous = host.post("/hooks/signed/github", body,
                Map.of("X-Hub-Signature-256", signature, "X-Request-Id", "r-1"));
        assertThat(anonymous.statusCode()).isEqualTo(400);
        assertThat(anonymous.body()).contains("missing X-GitHub-Delivery header");

        Map<String, String> delivered = Map.of("X-Hub-Signature-256", signature, "X-GitHub-Delivery", "g-1");
        HttpResponse<String> first = host.post("/hooks/signed/github", body, delivered);
        HttpResponse<String> again = host.post("/hooks/signed/github", body, with(delivered, "X-Request-Id", "r-2"));
        assertThat(first.statusCode()).isEqualTo(202);
        assertThat(RunningHost.json(again).get("duplicate").asBoolean()).isTrue();
        assertThat(host.getJson("/api/events?flow=github").get("events")).hasSize(1);
    }

    @Test
    void aLimitThatIsNoNumberIs400() {
        HttpResponse<String> response = host.get("/api/events?limit=abc");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).contains("limit must be from 1 to 1000");
    }

    @Test
    void aChunkSizePastAnyLengthIs400() throws IOException {
        for (String path : new String[] {"/hooks/crm/customer", "/api/flows/crm-customer/dry-run"}) {
            try (Socket socket = new Socket("127.0.0.1", host.server.port())) {
                socket.setSoTimeout(10_000);
                OutputStream out = socket.getOutputStream();
                out.write(("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                        + "Authorization: Bearer " + host.adminToken + "\r\n"
                        + "webhook-id: chunk-1\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                        + "FFFFFFFFFFFFFFFFFFFFFFFF\r\n{\"id\":\"C-1\"}\r\n0\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.flush();
                InputStream in = socket.getInputStream();
                String answer = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
                assertThat(answer).as(path).startsWith("HTTP/1.1 400");
            }
        }
        assertThat(host.getJson("/api/events").get("events")).isEmpty();
    }

    private HttpResponse<String> send(String path, String contentType, byte[] body, Map<String, String> headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(host.url("/hooks/" + path)))
                .header("Content-Type", contentType).POST(HttpRequest.BodyPublishers.ofByteArray(body));
        headers.forEach(request::header);
        try {
            return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static Map<String, String> with(Map<String, String> headers, String name, String value) {
        Map<String, String> out = new java.util.HashMap<>(headers);
        out.put(name, value);
        return out;
    }
}
