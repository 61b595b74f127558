package dev.steward.store;

import java.time.Instant;

/**
 * An event as the store holds it.
 *
 * @param seq the store's order of arrival; events of one (entity, key) run in this order
 * @param attempts how many times the event has been claimed
 * @param nextAttemptAt not claimed before this time while PENDING
 * @param finishedAt when it reached a final status, or null
 * @param trace the last run's trace as JSON text, or null
 * @param error the last run's error, or null
 * @param claim the claim token (lease generation) this copy was claimed with, 0 when it was not
 *     read by a claim; a run's outcome carries it, and the store records the outcome only while
 *     the event still carries it (fencing: see {@link RunOutcome#fencedBy})
 */
public record StoredEvent(
        String id,
        long seq,
        String flowId,
        String deliveryId,
        String entity,
        String key,
        String payload,
        EventStatus status,
        int attempts,
        Instant receivedAt,
        Instant nextAttemptAt,
        Instant finishedAt,
        String trace,
        String error,
        long claim) {

    /** An event as read outside a claim (no claim token). */
    public StoredEvent(String id, long seq, String flowId, String deliveryId, String entity, String key, String payload,
                       EventStatus status, int attempts, Instant receivedAt, Instant nextAttemptAt, Instant finishedAt,
                       String trace, String error) {
        this(id, seq, flowId, deliveryId, entity, key, payload, status, attempts, receivedAt, nextAttemptAt, finishedAt,
                trace, error, 0);
    }
}
