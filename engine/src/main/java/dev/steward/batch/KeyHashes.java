package dev.steward.batch;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The keys seen so far, as 64-bit hashes in an open-addressing table: 16 bytes a key at most, so
 * a dry run of millions of records finds repeated keys without keeping the keys. Two different
 * keys with the same 64-bit hash would be taken for one (about one chance in 10^7 at a million
 * keys). Not thread-safe.
 */
final class KeyHashes {

    private long[] slots = new long[1 << 16];
    private int size;
    private boolean zeroSeen;

    /** Adds a key; false when it was there already. */
    boolean add(String key) {
        long hash = hash(key);
        if (hash == 0) {
            boolean added = !zeroSeen;
            zeroSeen = true;
            return added;
        }
        if (size * 2 >= slots.length) {
            grow();
        }
        return insert(slots, hash);
    }

    private boolean insert(long[] table, long hash) {
        int mask = table.length - 1;
        for (int i = (int) (hash ^ (hash >>> 32)) & mask; ; i = (i + 1) & mask) {
            if (table[i] == hash) {
                return false;
            }
            if (table[i] == 0) {
                table[i] = hash;
                if (table == slots) {
                    size++;
                }
                return true;
            }
        }
    }

    private void grow() {
        long[] old = slots;
        slots = new long[old.length * 2];
        size = 0;
        Arrays.stream(old).filter(h -> h != 0).forEach(h -> insert(slots, h));
    }

    /** FNV-1a 64 over the key's UTF-8 bytes, mixed (murmur's finaliser) for the table's low bits. */
    static long hash(String key) {
        long h = 0xcbf29ce484222325L;
        for (byte b : key.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h;
    }
}
