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
        String error) {}
