package dev.steward.store;

import java.time.Instant;

/**
 * What Steward last knows one system holds in one field of one record.
 *
 * @param valueJson the value's canonical JSON text
 * @param version   the record's modification stamp the value came with, or null when the flow names none
 * @param updatedAt when Steward learnt it
 */
public record KnownValue(String valueJson, String version, Instant updatedAt, String eventId) {
}
