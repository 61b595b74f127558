package dev.steward.connector.salesforce;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;

/**
 * The assertion of Salesforce's OAuth 2.0 JWT bearer flow (RFC 7523): a JWT with {@code iss} the
 * consumer key, {@code sub} the user, {@code aud} the login URL and {@code exp} three minutes
 * ahead, signed RS256 with the app's private key, using the JDK's {@code java.security} only.
 * Stateless and thread-safe.
 */
final class JwtAssertion {

    /** Salesforce refuses assertions that expire more than three minutes ahead. */
    static final Duration LIFETIME = Duration.ofMinutes(3);
    private static final Base64.Encoder URL = Base64.getUrlEncoder().withoutPadding();
    /** The DER prefix of a PKCS#8 wrapper for an RSA key: AlgorithmIdentifier rsaEncryption, NULL. */
    private static final byte[] RSA_ALGORITHM = {0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86,
            (byte) 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00};

    private JwtAssertion() {
    }

    /** The signed assertion for this flow at {@code now}. */
    static String sign(SalesforceSettings.JwtBearer flow, Instant now) {
        String header = "{\"alg\":\"RS256\",\"typ\":\"JWT\"}";
        String claims = "{\"iss\":" + json(flow.clientId()) + ",\"sub\":" + json(flow.username()) + ",\"aud\":"
                + json(flow.audience()) + ",\"exp\":" + now.plus(LIFETIME).getEpochSecond() + "}";
        String input = URL.encodeToString(header.getBytes(StandardCharsets.UTF_8)) + "."
                + URL.encodeToString(claims.getBytes(StandardCharsets.UTF_8));
        try {
            Signature rsa = Signature.getInstance("SHA256withRSA");
            rsa.initSign(flow.privateKey());
            rsa.update(input.getBytes(StandardCharsets.US_ASCII));
            return input + "." + URL.encodeToString(rsa.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign the JWT assertion with RS256: " + e.getMessage(), e);
        }
    }

    /**
     * An RSA private key from PEM text: PKCS#8 ({@code BEGIN PRIVATE KEY}, what {@code openssl
     * genpkey} writes) or PKCS#1 ({@code BEGIN RSA PRIVATE KEY}, older {@code openssl genrsa}).
     *
     * @throws IllegalArgumentException naming what is wrong, never the key
     */
    static PrivateKey privateKey(String pem) {
        String text = pem.strip();
        boolean pkcs1 = text.contains("-----BEGIN RSA PRIVATE KEY-----");
        if (text.contains("ENCRYPTED")) {
            throw new IllegalArgumentException("the private key is encrypted; give it unencrypted "
                    + "(openssl pkcs8 -topk8 -nocrypt) and keep it in a secret instead");
        }
        if (!pkcs1 && !text.contains("-----BEGIN PRIVATE KEY-----")) {
            throw new IllegalArgumentException("the private key must be PEM text starting with "
                    + "-----BEGIN PRIVATE KEY----- (PKCS#8) or -----BEGIN RSA PRIVATE KEY----- (PKCS#1)");
        }
        String base64 = text.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        try {
            byte[] der = Base64.getDecoder().decode(base64);
            if (pkcs1) {
                der = pkcs8(der);
            }
            return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(der));
        } catch (IllegalArgumentException | GeneralSecurityException e) {
            throw new IllegalArgumentException("the private key is not a readable RSA key in PEM", e);
        }
    }

    /** Wraps a PKCS#1 RSAPrivateKey into a PKCS#8 PrivateKeyInfo. */
    private static byte[] pkcs8(byte[] pkcs1) {
        ByteArrayOutputStream inner = new ByteArrayOutputStream();
        inner.writeBytes(new byte[] {0x02, 0x01, 0x00}); // version 0
        inner.writeBytes(RSA_ALGORITHM);
        inner.write(0x04); // OCTET STRING
        inner.writeBytes(length(pkcs1.length));
        inner.writeBytes(pkcs1);
        ByteArrayOutputStream outer = new ByteArrayOutputStream();
        outer.write(0x30);
        outer.writeBytes(length(inner.size()));
        outer.writeBytes(inner.toByteArray());
        return outer.toByteArray();
    }

    private static byte[] length(int n) {
        if (n < 0x80) {
            return new byte[] {(byte) n};
        }
        if (n < 0x100) {
            return new byte[] {(byte) 0x81, (byte) n};
        }
        if (n < 0x10000) {
            return new byte[] {(byte) 0x82, (byte) (n >> 8), (byte) n};
        }
        return new byte[] {(byte) 0x83, (byte) (n >> 16), (byte) (n >> 8), (byte) n};
    }

    private static String json(String s) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }
}
