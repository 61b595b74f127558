package dev.steward.connector.netsuite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.steward.connector.vendor.StandardWebhooks;
import dev.steward.plugin.ConfigProblem;
import dev.steward.plugin.WebhookDelivery;
import dev.steward.plugin.WebhookFormat;
import dev.steward.plugin.WebhookRefusedException;
import dev.steward.plugin.WebhookRequest;
import dev.steward.plugin.WebhookSettings;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

class NetSuiteWebhookFormatTest {

    // The Standard Webhooks reference vector (svix-webhooks, TestWebhookSign; the spec's test suite)
    static final String VECTOR_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    static final String VECTOR_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    static final String VECTOR_TIMESTAMP = "1614265330";
    static final String VECTOR_BODY = "{\"test\": 2432232314}";
    static final String VECTOR_SIGNATURE = "g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

    static final String SCRIPT_BODY = "{\"id\":\"107\",\"type\":\"customer\",\"externalId\":\"C-1001\",\"event\":\"edit\","
            + "\"changedFields\":[\"email\"],\"lastModifiedDate\":\"2026-11-28T12:00:00.000Z\",\"accountId\":\"1234567_SB1\"}";

    private final NetSuiteWebhookFormat format = new NetSuiteWebhookFormat();
    private final WebhookSettings settings = new WebhookSettings(Optional.of(VECTOR_SECRET), Map.of());

    /**
     * What the SuiteScript computes with N/crypto (HMAC-SHA256 keyed with the secret's base64
     * decoded, over "id.timestamp.body" in UTF-8, digest in BASE_64) matches the published vector.
     */
    @Test
    void signsLikeTheStandardWebhooksReferenceVector() {
        byte[] mac = StandardWebhooks.sign(StandardWebhooks.key(VECTOR_SECRET), VECTOR_ID, VECTOR_TIMESTAMP,
                VECTOR_BODY.getBytes(StandardCharsets.UTF_8));
        assertThat(Base64.getEncoder().encodeToString(mac)).isEqualTo(VECTOR_SIGNATURE);
    }

    @Test
    void theVectorsDeliveryPassesTheSignatureAndIsRefusedOnlyForNotBeingTheScriptsBody() {
        WebhookRequest request = request(VECTOR_ID, VECTOR_TIMESTAMP, "v1," + VECTOR_SIGNATURE, VECTOR_BODY,
                Instant.ofEpochSecond(1614265330 + 60));
        WebhookRefusedException refused = catchThrowableOfType(WebhookRefusedException.class,
                () -> format.read(request, settings));
        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.getMessage()).contains("no id");
    }

    @Test
    void makesOneNotificationWithTheWebhookIdAndTheScriptsPayload() {
        Instant now = Instant.parse("2026-11-28T12:00:05Z");
        String ts = Long.toString(now.getEpochSecond() - 5);
        WebhookDelivery delivery = format.read(request("ns_1", ts, signature("ns_1", ts, SCRIPT_BODY), SCRIPT_BODY, now),
                settings);

        assertThat(delivery.notifications()).hasSize(1);
        WebhookDelivery.Notification n = delivery.notifications().getFirst();
        assertThat(n.id()).isEqualTo("ns_1");
        assertThat(n.payload()).containsEntry("externalId", "C-1001").containsEntry("id", "107")
                .containsEntry("type", "customer").containsEntry("changedFields", List.of("email"));
        assertThat(delivery.reply()).isEmpty();
    }

    @Test
    void acceptsOneOfSeveralSignaturesDuringARotation() {
        Instant now = Instant.parse("2026-11-28T12:00:05Z");
        String ts = Long.toString(now.getEpochSecond());
        String header = "v1,bm90IGl0 " + signature("ns_2", ts, SCRIPT_BODY);
        assertThat(format.read(request("ns_2", ts, header, SCRIPT_BODY, now), settings).notifications()).hasSize(1);
    }

    @Test
    void refusesABadSignatureAMissingHeaderAndAReplay() {
        Instant now = Instant.parse("2026-11-28T12:00:05Z");
        String ts = Long.toString(now.getEpochSecond());
        String tampered = SCRIPT_BODY.replace("C-1001", "C-1002");
        assertRefused(request("ns_3", ts, signature("ns_3", ts, SCRIPT_BODY), tampered, now), 401, "no v1 signature");
        assertRefused(request("ns_3", ts, null, SCRIPT_BODY, now), 401, "missing webhook-signature");
        String old = Long.toString(now.getEpochSecond() - 301);
        assertRefused(request("ns_3", old, signature("ns_3", old, SCRIPT_BODY), SCRIPT_BODY, now), 401, "301s away");
        WebhookSettings otherSecret = new WebhookSettings(Optional.of("whsec_" + Base64.getEncoder()
                .encodeToString("another key entirely".getBytes(StandardCharsets.UTF_8))), Map.of());
        WebhookRefusedException refused = catchThrowableOfType(WebhookRefusedException.class,
                () -> format.read(request("ns_3", ts, signature("ns_3", ts, SCRIPT_BODY), SCRIPT_BODY, now), otherSecret));
        assertThat(refused.status()).isEqualTo(401);
    }

    @Test
    void aLongerMaxAgeTakesAnOlderDelivery() {
        Instant now = Instant.parse("2026-11-28T12:00:05Z");
        String old = Long.toString(now.getEpochSecond() - 600);
        WebhookSettings lenient = new WebhookSettings(Optional.of(VECTOR_SECRET), Map.of("maxAge", "15m"));
        assertThat(format.read(request("ns_4", old, signature("ns_4", old, SCRIPT_BODY), SCRIPT_BODY, now), lenient)
                .notifications()).hasSize(1);
    }

    @Test
    void refusesAMalformedBodyWith400() {
        Instant now = Instant.parse("2026-11-28T12:00:05Z");
        String ts = Long.toString(now.getEpochSecond());
        assertRefused(request("ns_5", ts, signature("ns_5", ts, "{not json"), "{not json", now), 400, "not JSON");
        assertRefused(request("ns_5", ts, signature("ns_5", ts, "[1]"), "[1]", now), 400, "not a JSON object");
        String noType = "{\"id\":\"1\"}";
        assertRefused(request("ns_5", ts, signature("ns_5", ts, noType), noType, now), 400, "no type");
    }

    @Test
    void validatesTheFlowsSettings() {
        assertThat(format.validate(settings)).isEmpty();
        assertThat(format.validate(new WebhookSettings(Optional.empty(), Map.of())))
                .extracting(ConfigProblem::path).containsExactly("secret");
        assertThat(format.validate(new WebhookSettings(Optional.of("whsec_***"), Map.of("maxAge", "soon", "x", 1))))
                .extracting(ConfigProblem::path).containsExactlyInAnyOrder("secret", "options.maxAge", "options.x");
    }

    @Test
    void isFoundAsAServiceNamedNetsuite() {
        assertThat(ServiceLoader.load(WebhookFormat.class).stream().map(ServiceLoader.Provider::get)
                .map(WebhookFormat::name)).contains("netsuite");
    }

    private void assertRefused(WebhookRequest request, int status, String reason) {
        WebhookRefusedException refused = catchThrowableOfType(WebhookRefusedException.class,
                () -> format.read(request, settings));
        assertThat(refused).as(reason).isNotNull();
        assertThat(refused.status()).isEqualTo(status);
        assertThat(refused.getMessage()).contains(reason);
    }

    private static String signature(String id, String ts, String body) {
        return "v1," + Base64.getEncoder().encodeToString(StandardWebhooks.sign(
                StandardWebhooks.key(VECTOR_SECRET), id, ts, body.getBytes(StandardCharsets.UTF_8)));
    }

    private static WebhookRequest request(String id, String ts, String signature, String body, Instant at) {
        Map<String, String> headers = new java.util.HashMap<>();
        headers.put("Webhook-Id", id);
        headers.put("Webhook-Timestamp", ts);
        if (signature != null) {
            headers.put("Webhook-Signature", signature);
        }
        headers.put("Content-Type", "application/json");
        return new WebhookRequest("POST", "https://steward.example.com/hooks/netsuite/customer", headers,
                body.getBytes(StandardCharsets.UTF_8), at);
    }
}
