package dev.steward.store;

import java.time.Instant;

/** One line of the sync ledger: a value Steward wrote to a system's field, by which event, when. */
public record RecordedWrite(
        String system, String entity, String key, String field, String valueJson, String eventId, Instant writtenAt) {}
