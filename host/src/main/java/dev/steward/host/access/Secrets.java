package dev.steward.host.access;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.random.RandomGenerator;

/**
 * Random tokens, session ids and passwords, and their hashes. A token is 256 random bits, so a
 * plain SHA-256 of it is safe to store (nothing to guess); passwords, which people choose, go
 * through {@link Passwords} instead. Thread-safe when its random source is.
 */
public final class Secrets {

    private final RandomGenerator random;

    /** @param random a cryptographically strong source ({@link java.security.SecureRandom}) */
    public Secrets(RandomGenerator random) {
        this.random = random;
    }

    /** 32 random bytes, base64url without padding, with a prefix that says what it is. */
    public String token(String prefix) {
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        return prefix + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    public String hexId(String prefix, int bytes) {
        byte[] raw = new byte[bytes];
        random.nextBytes(raw);
        return prefix + HexFormat.of().formatHex(raw);
    }

    /** A password of 20 characters from an alphabet without look-alikes (about 117 bits). */
    public String password() {
        String alphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < 20; i++) {
            out.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return out.toString();
    }

    public static String sha256(String text) {
        return sha256(text.getBytes(StandardCharsets.UTF_8));
    }

    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /** Compares two secrets in time that does not depend on where they differ. */
    public static boolean same(String a, String b) {
        return MessageDigest.isEqual(sha256(a).getBytes(StandardCharsets.US_ASCII), sha256(b).getBytes(StandardCharsets.US_ASCII));
    }
}
