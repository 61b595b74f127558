package dev.steward.host;

import dev.steward.model.SignatureScheme;
import dev.steward.model.WebhookTrigger;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The signature matrix: every scheme against forged, stale, future, rotated, re-serialised and
 * incomplete deliveries. Signatures are computed here independently, with plain {@link Mac}.
 */
class SignatureVerifiersTest {

    static final Instant NOW = Instant.parse("2025-03-01T09:00:00Z");
    static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    static final String BODY = "{\"id\":\"C-1\",\"email\":\"a@b.example\"}";
    static final String RESERIALISED = "{\"id\": \"C-1\", \"email\": \"a@b.example\"}";
    static final SignatureVerifiers VERIFIERS = new SignatureVerifiers(CLOCK);

    static Optional<String> verify(WebhookTrigger trigger, Map<String, String> headers, String body) {
        Map<String, String> byName = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        byName.putAll(headers);
        return VERIFIERS.verify(trigger, byName::get, body.getBytes(StandardCharsets.UTF_8));
    }

    static byte[] mac(String algorithm, byte[] key, String content) {
        try {
            Mac mac = Mac.getInstance(algorithm);
            mac.init(new SecretKeySpec(key, algorithm));
            return mac.doFinal(content.getBytes(StandardCharsets.UTF_8));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aTriggerWithoutASecretVerifiesNothing() {
        assertThat(verify(new WebhookTrigger("p", Optional.empty(), Optional.empty()), Map.of(), BODY)).isEmpty();
    }

    @Nested
    class StandardWebhooks {

        static final String KEY = "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        static final String SECRET = "whsec_" + Base64.getEncoder().encodeToString(utf8(KEY));
        final WebhookTrigger trigger = new WebhookTrigger("p", Optional.of(SECRET), Optional.empty());

        static String sign(String secretKey, String id, long seconds, String body) {
            return "v1," + Base64.getEncoder().encodeToString(mac("HmacSHA256", utf8(secretKey), id + "." + seconds + "." + body));
        }

        Map<String, String> headers(long seconds, String signatures) {
            return Map.of("webhook-id", "msg_1", "webhook-timestamp", String.valueOf(seconds), "webhook-signature", signatures);
        }

        @Test
        void aSignedDeliveryWithinFiveMinutesPasses() {
            long seconds = NOW.getEpochSecond() - 299;
            assertThat(verify(trigger, headers(seconds, sign(KEY, "msg_1", seconds, BODY)), BODY)).isEmpty();
            long ahead = NOW.getEpochSecond() + 299;
            assertThat(verify(trigger, headers(ahead, sign(KEY, "msg_1", ahead, BODY)), BODY)).isEmpty();
        }

        @Test
        void aBadHmacFails() {
            long seconds = NOW.getEpochSecond();
            assertThat(verify(trigger, headers(seconds, sign("another key", "msg_1", seconds, BODY)), BODY))
                    .hasValueSatisfying(reason -> assertThat(reason).contains("matches the body"));
            assertThat(verify(trigger, headers(seconds, "v1,not base64!"), BODY)).isPresent();
        }

        @Test
        void theIdAndTimestampAreSignedToo() {
            long seconds = NOW.getEpochSecond();
            assertThat(verify(trigger, headers(seconds, sign(KEY, "msg_2", seconds, BODY)), BODY)).isPresent();
            assertThat(verify(trigger, headers(seconds, sign(KEY, "msg_1", seconds - 1, BODY)), BODY)).isPresent();
        }

        @Test
        void staleAndFutureTimestampsFailEvenWhenSigned() {
            long stale = NOW.getEpochSecond() - 301;
            assertThat(verify(trigger, headers(stale, sign(KEY, "msg_1", stale, BODY)), BODY))
                    .hasValueSatisfying(reason -> assertThat(reason).contains("more than 5 minutes old"));
            long future = NOW.getEpochSecond() + 301;
            assertThat(verify(trigger, headers(future, sign(KEY, "msg_1", future, BODY)), BODY))
                    .hasValueSatisfying(reason -> assertThat(reason).contains("in the future"));
            assertThat(verify(trigger, headers(0, sign(KEY, "msg_1", 0, BODY)), BODY)).isPresent();
            assertThat(verify(trigger, Map.of("webhook-id", "msg_1", "webhook-timestamp", "yesterday",
                    "webhook-signature", "v1,x"), BODY)).hasValueSatisfying(r -> assertThat(r).contains("not a number"));
        }

        @Test
        void timestampsPastAnyInstantAreRefusedNotThrown() {
            for (long far : new long[] {Long.MAX_VALUE, Long.MIN_VALUE, 31_556_889_864_403_200L}) {
                assertThat(verify(trigger, headers(far, sign(KEY, "msg_1", far, BODY)), BODY))
                        .hasValueSatisfying(reason -> assertThat(reason).contains("more than 5 minutes"));
            }
        }

        @Test
        void duringKeyRotationAnyOfSeveralSignaturesMayMatch() {
            long seconds = NOW.getEpochSecond();
            String both = sign("the old key", "msg_1", seconds, BODY) + " " + sign(KEY, "msg_1", seconds, BODY);
            assertThat(verify(trigger, headers(seconds, both), BODY)).isEmpty();
            String neither = sign("the old key", "msg_1", seconds, BODY) + " " + sign("a third key", "msg_1", seconds, BODY);
            assertThat(verify(trigger, headers(seconds, neither), BODY)).isPresent();
        }

        @Test
        void aReserialisedBodyFails() {
            long seconds = NOW.getEpochSecond();
            assertThat(verify(trigger, headers(seconds, sign(KEY, "msg_1", seconds, BODY)), RESERIALISED)).isPresent();
        }

        @Test
        void missingHeadersFail() {
            long seconds = NOW.getEpochSecond();
            String signature = sign(KEY, "msg_1", seconds, BODY);
            assertThat(verify(trigger, Map.of(), BODY)).hasValueSatisfying(r -> assertThat(r).startsWith("missing"));
            assertThat(verify(trigger, Map.of("webhook-id", "msg_1", "webhook-signature", signature), BODY)).isPresent();
            assertThat(verify(trigger, Map.of("webhook-timestamp", String.valueOf(seconds), "webhook-signature", signature), BODY))
                    .isPresent();
            assertThat(verify(trigger, Map.of("webhook-id", "msg_1", "webhook-timestamp", String.valueOf(seconds)), BODY))
                    .isPresent();
        }

        @Test
        void onlyTheV1VersionCounts() {
            long seconds = NOW.getEpochSecond();
            String v2 = sign(KEY, "msg_1", seconds, BODY).replace("v1,", "v2,");
            assertThat(verify(trigger, headers(seconds, v2), BODY)).isPresent();
            assertThat(verify(trigger, headers(seconds, v2.substring(3)), BODY)).isPresent();
        }

        @Test
        void aSecretWithoutWhsecIsUsedAsIs() {
            WebhookTrigger plain = new WebhookTrigger("p", Optional.of("plain secret"), Optional.empty());
            long seconds = NOW.getEpochSecond();
            assertThat(verify(plain, headers(seconds, sign("plain secret", "msg_1", seconds, BODY)), BODY)).isEmpty();
        }
    }

    @Nested
    class GitHub {

        final WebhookTrigger trigger = new WebhookTrigger("p", Optional.of("It's a Secret to Everybody"), Optional.empty(),
                new SignatureScheme.GitHub());

        @Test
        void gitHubsOwnExamplePasses() {
            // From GitHub's documentation of X-Hub-Signature-256.
            assertThat(verify(trigger, Map.of("X-Hub-Signature-256",
                    "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"), "Hello, World!")).isEmpty();
        }

        @Test
        void theMatrix() {
            String good = "sha256=" + HexFormat.of().formatHex(mac("HmacSHA256", utf8("It's a Secret to Everybody"), BODY));
            assertThat(verify(trigger, Map.of("x-hub-signature-256", good), BODY)).isEmpty();
            assertThat(verify(trigger, Map.of("X-Hub-Signature-256", good.toUpperCase().replace("SHA256=", "sha256=")), BODY))
                    .as("hex in upper case").isEmpty();
            assertThat(verify(trigger, Map.of("X-Hub-Signature-256", good), RESERIALISED)).isPresent();
            assertThat(verify(trigger, Map.of("X-Hub-Signature-256", "sha256="
                    + HexFormat.of().formatHex(mac("HmacSHA256", utf8("wrong"), BODY))), BODY))
                    .hasValueSatisfying(r -> assertThat(r).isEqualTo("X-Hub-Signature-256 does not match the body"));
            assertThat(verify(trigger, Map.of("X-Hub-Signature-256", good.replace("sha256=", "sha1=")), BODY))
                    .hasValueSatisfying(r -> assertThat(r).contains("must start with 'sha256='"));
            assertThat(verify(trigger, Map.of("X-Hub-Signature-256", "sha256=zz"), BODY)).isPresent();
            assertThat(verify(trigger, Map.of("X-Hub-Signature", good), BODY))
                    .hasValueSatisfying(r -> assertThat(r).isEqualTo("missing X-Hub-Signature-256 header"));
        }
    }

    @Nested
    class GenericHmac {

        static final String SECRET = "8f742231b10e8888abcd99yyyzzz85a5";

        @Test
        void aHexHeaderWithAPrefix() {
            WebhookTrigger trigger = trigger(new SignatureScheme.Hmac("X-Signature", "sha256", SignatureScheme.Encoding.HEX,
                    "sha256=", Optional.empty(), "{body}"));
            String good = "sha256=" + HexFormat.of().formatHex(mac("HmacSHA256", utf8(SECRET), BODY));
            assertThat(verify(trigger, Map.of("X-Signature", good), BODY)).isEmpty();
            assertThat(verify(trigger, Map.of("X-Signature", good), RESERIALISED)).isPresent();
            assertThat(verify(trigger, Map.of("X-Signature", good.substring(7)), BODY))
                    .hasValueSatisfying(r -> assertThat(r).contains("must start with 'sha256='"));
            assertThat(verify(trigger, Map.of(), BODY)).hasValue("missing X-Signature header");
        }

        @Test
        void base64AndTheOtherAlgorithms() {
            for (String algorithm : new String[] {"sha1", "sha256", "sha512"}) {
                WebhookTrigger trigger = trigger(new SignatureScheme.Hmac("X-Shopify-Hmac-Sha256", algorithm,
                        SignatureScheme.Encoding.BASE64, "", Optional.empty(), "{body}"));
                String javaName = "Hmac" + algorithm.toUpperCase();
                String good = Base64.getEncoder().encodeToString(mac(javaName, utf8(SECRET), BODY));
                assertThat(verify(trigger, Map.of("X-Shopify-Hmac-Sha256", good), BODY)).as(algorithm).isEmpty();
                String otherAlgorithm = Base64.getEncoder().encodeToString(
                        mac(algorithm.equals("sha1") ? "HmacSHA256" : "HmacSHA1", utf8(SECRET), BODY));
                assertThat(verify(trigger, Map.of("X-Shopify-Hmac-Sha256", otherAlgorithm), BODY)).as(algorithm).isPresent();
            }
        }

        @Test
        void aSignedTimestampInATemplate() {
            // Slack's scheme: v0=<hex HMAC-SHA256 of "v0:{timestamp}:{body}">.
            WebhookTrigger trigger = trigger(new SignatureScheme.Hmac("X-Slack-Signature", "sha256", SignatureScheme.Encoding.HEX,
                    "v0=", Optional.of("X-Slack-Request-Timestamp"), "v0:{timestamp}:{body}"));
            long now = NOW.getEpochSecond();
            assertThat(verify(trigger, slack(now - 60, now - 60), BODY)).isEmpty();
            assertThat(verify(trigger, slack(now - 60, now - 61), BODY)).as("the timestamp is signed").isPresent();
            assertThat(verify(trigger, slack(now - 301, now - 301), BODY))
                    .hasValueSatisfying(r -> assertThat(r).contains("more than 5 minutes old"));
            assertThat(verify(trigger, slack(now + 301, now + 301), BODY))
                    .hasValueSatisfying(r -> assertThat(r).contains("in the future"));
            assertThat(verify(trigger, Map.of("X-Slack-Signature", slack(now, now).get("X-Slack-Signature")), BODY))
                    .hasValue("missing X-Slack-Request-Timestamp header");
        }

        Map<String, String> slack(long sent, long signed) {
            String mac = HexFormat.of().formatHex(mac("HmacSHA256", utf8(SECRET), "v0:" + signed + ":" + BODY));
            return Map.of("X-Slack-Request-Timestamp", String.valueOf(sent), "X-Slack-Signature", "v0=" + mac);
        }

        WebhookTrigger trigger(SignatureScheme.Hmac scheme) {
            return new WebhookTrigger("p", Optional.of(SECRET), Optional.empty(), scheme);
        }
    }

    @Test
    void theToleranceIsFiveMinutes() {
        assertThat(StandardWebhooksSignature.TOLERANCE).isEqualTo(Duration.ofMinutes(5));
    }
}
