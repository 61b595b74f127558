package dev.steward.connector.vendor;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The Standard Webhooks signature (standardwebhooks.com), shared by the formats whose senders sign
 * that way: {@code webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">}, several
 * separated by spaces, keyed with {@code whsec_<base64>} (the decoded bytes) or any other text
 * (its UTF-8 bytes). Each format keeps its own headers' checks and messages. Stateless.
 */
public final class StandardWebhooks {

    private StandardWebhooks() {
    }

    /** The key of a secret: the bytes after {@code whsec_} base64-decoded, else the text's UTF-8 bytes. */
    public static byte[] key(String secret) {
        if (secret.startsWith("whsec_")) {
            try {
                return Base64.getDecoder().decode(secret.substring("whsec_".length()));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("a secret starting with whsec_ must continue in base64");
            }
        }
        return secret.getBytes(StandardCharsets.UTF_8);
    }

    /** The HMAC-SHA256 of {@code id.timestamp.body}, as Standard Webhooks signs it. */
    public static byte[] sign(byte[] key, String id, String timestamp, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            mac.update((id + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8));
            return mac.doFinal(body);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is missing from this JDK", e);
        }
    }

    /** Whether one {@code v1,<base64>} entry of a {@code webhook-signature} value is {@code expected}. */
    public static boolean matches(byte[] expected, String signatures) {
        for (String candidate : signatures.strip().split("\\s+")) {
            int comma = candidate.indexOf(',');
            if (comma < 0 || !candidate.substring(0, comma).equals("v1")) {
                continue;
            }
            byte[] given;
            try {
                given = Base64.getDecoder().decode(candidate.substring(comma + 1));
            } catch (IllegalArgumentException notBase64) {
                continue;
            }
            if (MessageDigest.isEqual(expected, given)) {
                return true;
            }
        }
        return false;
    }

    /** For tests and relays: the {@code webhook-signature} value of a body. */
    public static String signature(String secret, String id, String timestamp, byte[] body) {
        return "v1," + Base64.getEncoder().encodeToString(sign(key(secret), id, timestamp, body));
    }
}
