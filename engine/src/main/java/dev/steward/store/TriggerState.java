package dev.steward.store;

import java.time.Instant;
import java.util.Optional;

/**
 * One poll or schedule trigger's row in the store: where it is, when it is due, who runs it.
 * Immutable.
 *
 * @param position    the connector's cursor or highest {@code since} value (poll), the last tick
 *                    in epoch milliseconds (schedule); empty before the first success
 * @param owner       the worker that holds the lease, if one does and it has not expired
 * @param failures    failed runs in a row since the last success
 * @param eventsStored new events stored by the trigger, all runs together
 */
public record TriggerState(String flowId, String kind, String signature, Optional<String> position,
                           Instant nextDueAt, Optional<String> owner, Optional<Instant> leaseUntil, int failures,
                           Optional<String> lastError, Optional<Instant> lastStartedAt,
                           Optional<Instant> lastSuccessAt, long eventsStored) {
}
