package dev.steward.store;

import java.time.Instant;

/**
 * The last value Steward wrote to one field of one record in one system.
 *
 * @param echoedAt when that system's webhook reported the value back (its echo), or null while
 *                 the echo is still to come
 * @param version  the record's version in that system right after the write (canonical JSON),
 *                 or null when the system's deliveries carry no version
 */
public record LedgerEntry(String valueJson, String eventId, Instant writtenAt, Instant echoedAt, String version) {

    public boolean echoed() {
        return echoedAt != null;
    }
}
