package dev.steward.connector.hubspot;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * HubSpot's webhook signatures, as its request-validation guide defines them:
 * <ul>
 *   <li>v1: hex SHA-256 of {@code clientSecret + body};</li>
 *   <li>v2: hex SHA-256 of {@code clientSecret + method + url + body};</li>
 *   <li>v3: Base64 HMAC-SHA256, keyed with the client secret, of
 *       {@code method + url + body + timestamp} (the {@code X-HubSpot-Request-Timestamp} header,
 *       epoch milliseconds), the URL with HubSpot's listed percent-escapes decoded.</li>
 * </ul>
 * Stateless; comparisons take constant time.
 */
final class HubSpotSignatures {

    private static final String[][] DECODED = {
            {"%3A", ":"}, {"%2F", "/"}, {"%3F", "?"}, {"%40", "@"}, {"%21", "!"}, {"%24", "$"},
            {"%27", "'"}, {"%28", "("}, {"%29", ")"}, {"%2A", "*"}, {"%2C", ","}, {"%3B", ";"}};

    private HubSpotSignatures() {
    }

    static String v1(String secret, String body) {
        return sha256Hex(secret + body);
    }

    static String v2(String secret, String method, String url, String body) {
        return sha256Hex(secret + method + url + body);
    }

    static String v3(String secret, String method, String url, String body, String timestamp) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            byte[] sum = mac.doFinal((method + decodeUrl(url) + body + timestamp).getBytes(StandardCharsets.UTF_8));
            return Base64.getEncoder().encodeToString(sum);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is missing from this JVM", e);
        }
    }

    /** Whether two signatures are equal, in time that does not depend on where they differ. */
    static boolean same(String expected, String given) {
        return MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8),
                given.trim().getBytes(StandardCharsets.UTF_8));
    }

    /** The URL with the escapes HubSpot decodes before signing (v3) decoded, in either case. */
    static String decodeUrl(String url) {
        String decoded = url;
        for (String[] pair : DECODED) {
            decoded = decoded.replace(pair[0], pair[1]).replace(pair[0].toLowerCase(java.util.Locale.ROOT), pair[1]);
        }
        return decoded;
    }

    private static String sha256Hex(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
