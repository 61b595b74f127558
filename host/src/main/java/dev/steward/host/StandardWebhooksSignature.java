package dev.steward.host;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;

/**
 * Verifies a delivery signed the Standard Webhooks way: {@code webhook-signature} holds one or
 * more {@code v1,<base64 HMAC-SHA256 of "id.timestamp.body">} (several during key rotation),
 * and {@code webhook-timestamp} must be within five minutes of now. Immutable, thread-safe.
 */
final class StandardWebhooksSignature {

    static final Duration TOLERANCE = Duration.ofMinutes(5);

    private final byte[] key;
    private final Clock clock;

    /** @param secret {@code whsec_<base64>} as Standard Webhooks issues them, or any other string used as is */
    StandardWebhooksSignature(String secret, Clock clock) {
        this.key = secret.startsWith("whsec_") ? Base64.getDecoder().decode(secret.substring(6))
                : secret.getBytes(StandardCharsets.UTF_8);
        this.clock = clock;
    }

    /** Empty when the delivery is authentic; otherwise why not. */
    Optional<String> check(String id, String timestamp, String signatures, byte[] body) {
        if (id == null || timestamp == null || signatures == null) {
            return Optional.of("missing webhook-id, webhook-timestamp or webhook-signature header");
        }
        long seconds;
        try {
            seconds = Long.parseLong(timestamp.trim());
        } catch (NumberFormatException e) {
            return Optional.of("webhook-timestamp is not a number of seconds");
        }
        Duration skew = Duration.between(Instant.ofEpochSecond(seconds), clock.instant()).abs();
        if (skew.compareTo(TOLERANCE) > 0) {
            return Optional.of("webhook-timestamp is more than 5 minutes from now");
        }
        byte[] expected = sign(id + "." + seconds + ".", body);
        for (String candidate : signatures.trim().split("\\s+")) {
            int comma = candidate.indexOf(',');
            if (comma < 0 || !candidate.substring(0, comma).equals("v1")) {
                continue;
            }
            byte[] given;
            try {
                given = Base64.getDecoder().decode(candidate.substring(comma + 1));
            } catch (IllegalArgumentException e) {
                continue;
            }
            if (MessageDigest.isEqual(expected, given)) {
                return Optional.empty();
            }
        }
        return Optional.of("no webhook-signature matches the body");
    }

    byte[] sign(String prefix, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            mac.update(prefix.getBytes(StandardCharsets.UTF_8));
            return mac.doFinal(body);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }
}
