package dev.steward.host;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * Verifies a delivery signed the Standard Webhooks way: {@code webhook-signature} holds one or
 * more {@code v1,<base64 HMAC-SHA256 of "id.timestamp.body">} (several during key rotation),
 * and {@code webhook-timestamp} must be within five minutes of now. Immutable, thread-safe.
 */
final class StandardWebhooksSignature implements SignatureVerifier {

    static final Duration TOLERANCE = Duration.ofMinutes(5);

    private final Hmac hmac;
    private final Clock clock;

    /** @param secret {@code whsec_<base64>} as Standard Webhooks issues them, or any other string used as is */
    StandardWebhooksSignature(String secret, Clock clock) {
        this.hmac = new Hmac("sha256", key(secret));
        this.clock = clock;
    }

    static byte[] key(String secret) {
        return secret.startsWith("whsec_") ? Base64.getDecoder().decode(secret.substring(6))
                : secret.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public Optional<String> verify(UnaryOperator<String> headers, byte[] body) {
        return check(headers.apply("webhook-id"), headers.apply("webhook-timestamp"), headers.apply("webhook-signature"), body);
    }

    @Override
    public Optional<String> deliveryIdHeader() {
        return Optional.of("webhook-id");
    }

    /** Empty when the delivery is authentic; otherwise why not. */
    Optional<String> check(String id, String timestamp, String signatures, byte[] body) {
        if (id == null || timestamp == null || signatures == null) {
            return Optional.of("missing webhook-id, webhook-timestamp or webhook-signature header");
        }
        Optional<String> stale = Timestamps.check("webhook-timestamp", timestamp, clock, TOLERANCE);
        if (stale.isPresent()) {
            return stale;
        }
        byte[] expected = sign(id, timestamp.trim(), body);
        for (String candidate : signatures.trim().split("\\s+")) {
            int comma = candidate.indexOf(',');
            // Only v1 (HMAC-SHA256) exists so far; other versions are skipped, not failed, as the spec asks.
            if (comma > 0 && candidate.substring(0, comma).equals("v1")
                    && Hmac.matches(expected, Hmac.base64(candidate.substring(comma + 1)))) {
                return Optional.empty();
            }
        }
        return Optional.of("no v1 signature in webhook-signature matches the body");
    }

    byte[] sign(String id, String timestamp, byte[] body) {
        return hmac.sign((id + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8), body);
    }
}
