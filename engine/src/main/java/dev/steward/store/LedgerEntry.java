package dev.steward.store;

import java.time.Instant;

/**
 * A value Steward wrote to one field of one record in one system.
 *
 * @param echoedAt when that system's webhook reported the value back (its echo), or null while
 *                 the echo is still to come
 * @param version  the record's version in that system right after the write (canonical JSON),
 *                 or null when the system's deliveries carry no version
 * @param seq      the write's place among Steward's writes (later writes have greater ones)
 */
public record LedgerEntry(String valueJson, String eventId, Instant writtenAt, Instant echoedAt, String version, long seq) {

    public boolean echoed() {
        return echoedAt != null;
    }
}
