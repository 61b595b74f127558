package dev.steward.host;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** HMAC with one key, and the constant-time comparison every verifier uses. Immutable, thread-safe. */
final class Hmac {

    private static final Map<String, String> JAVA_NAMES = Map.of(
            "sha256", "HmacSHA256", "sha1", "HmacSHA1", "sha512", "HmacSHA512");

    private final String algorithm;
    private final byte[] key;

    /** @param algorithm {@code sha256}, {@code sha1} or {@code sha512} */
    Hmac(String algorithm, byte[] key) {
        this.algorithm = JAVA_NAMES.get(algorithm.toLowerCase(Locale.ROOT));
        if (this.algorithm == null) {
            throw new IllegalArgumentException("no HMAC algorithm '" + algorithm + "'");
        }
        this.key = key.clone();
    }

    /** The MAC of the parts, in order, as if they were one byte string. */
    byte[] sign(byte[]... parts) {
        try {
            Mac mac = Mac.getInstance(algorithm);
            mac.init(new SecretKeySpec(key, algorithm));
            for (byte[] part : parts) {
                mac.update(part);
            }
            return mac.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(algorithm + " is not available", e);
        }
    }

    /** Whether a given MAC equals the expected one, in time that does not depend on where they differ. */
    static boolean matches(byte[] expected, Optional<byte[]> given) {
        return given.isPresent() && MessageDigest.isEqual(expected, given.get());
    }

    static Optional<byte[]> hex(String text) {
        try {
            return Optional.of(HexFormat.of().parseHex(text.trim()));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    static Optional<byte[]> base64(String text) {
        try {
            return Optional.of(Base64.getDecoder().decode(text.trim()));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
