package dev.steward.connector.http;

import java.nio.charset.StandardCharsets;

/**
 * Encodes a record key as exactly one URL path segment, so that no key ({@code ../admin},
 * {@code a/b}, {@code ?x=1}, {@code @evil.example}) can leave the configured base URL.
 */
final class PathSegment {

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private PathSegment() {
    }

    /**
     * Percent-encodes every byte outside RFC 3986's unreserved set. A key made only of dots
     * is encoded entirely, because {@code .} and {@code ..} segments are dot-segments that a
     * server or proxy would remove.
     */
    static String encode(String key) {
        boolean onlyDots = !key.isEmpty() && key.chars().allMatch(c -> c == '.');
        StringBuilder out = new StringBuilder(key.length() + 8);
        for (byte b : key.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xFF;
            if (!onlyDots && isUnreserved(c)) {
                out.append((char) c);
            } else {
                out.append('%').append(HEX[c >> 4]).append(HEX[c & 0xF]);
            }
        }
        return out.toString();
    }

    private static boolean isUnreserved(int c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || c == '-' || c == '.' || c == '_' || c == '~';
    }
}
