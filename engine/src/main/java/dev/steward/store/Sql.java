package dev.steward.store;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Small helpers for statements over many keys at once. */
final class Sql {

    /** Keys per {@code IN (...)} list: well under both databases' limits on parameters. */
    static final int CHUNK = 500;

    private Sql() {
    }

    /** {@code ?, ?, ?} for {@code n} parameters. */
    static String marks(int n) {
        return MARKS.computeIfAbsent(n, size -> String.join(", ", Collections.nCopies(size, "?")));
    }

    /** {@link #marks} by count: counts are at most a chunk's ({@link #CHUNK}, padded), so the texts are few. */
    private static final java.util.Map<Integer, String> MARKS = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * The keys, padded with copies of the last one to the next power of two, so that a
     * statement over them has one of a few texts, which the database keeps parsed.
     */
    static List<String> padded(List<String> keys) {
        int size = 1;
        while (size < keys.size()) {
            size *= 2;
        }
        List<String> padded = new ArrayList<>(keys);
        while (padded.size() < size) {
            padded.add(keys.getLast());
        }
        return padded;
    }

    /** The list cut into pieces of at most {@link #CHUNK}. */
    static <T> List<List<T>> chunks(List<T> all) {
        List<List<T>> chunks = new ArrayList<>();
        for (int i = 0; i < all.size(); i += CHUNK) {
            chunks.add(all.subList(i, Math.min(all.size(), i + CHUNK)));
        }
        return chunks;
    }
}
