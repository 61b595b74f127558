package dev.steward.host;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Delivery ids as the store keeps them. An id of up to {@link #MAX_AS_SENT} characters is kept as
 * sent; a longer one as its first characters (for people) and the SHA-256 of all of it, so that
 * two long ids that differ only near their end stay two deliveries. Cutting them off instead
 * made the second one a "duplicate" of the first, and its payload was dropped.
 */
final class DeliveryIds {

    static final int MAX_AS_SENT = 200;
    private static final int KEPT = 120;

    private DeliveryIds() {
    }

    static String stored(String id) {
        if (id.length() <= MAX_AS_SENT) {
            return id;
        }
        int kept = Character.isHighSurrogate(id.charAt(KEPT - 1)) ? KEPT - 1 : KEPT;
        return id.substring(0, kept) + "…sha256:" + HexFormat.of().formatHex(sha256(id));
    }

    private static byte[] sha256(String id) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(id.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
