package dev.steward.store;

import java.time.Instant;
import java.util.Objects;

/**
 * How a claimed event's run ends, as the store records it: finished with a final status, back to
 * pending for a retry at a time (an attempt used), or deferred to a time (the attempt given
 * back), with the run's trace, error, attempt history entry and {@link RunEffects}. Applied only
 * while the event is still claimed by {@code worker}: a run whose lease was taken over records
 * nothing, and the run that took it over does its work again.
 *
 * @param at      for a retry or deferral, when the event is due again; else null
 * @param attempt the attempt to add to the event's history, or null (a deferral adds none)
 * @param effects what the run changed, or null
 * @param claim the claim token the run's claim took ({@link StoredEvent#claim}); when positive,
 *     the outcome applies only while the event still carries it, so that a host that lost its
 *     lease (and maybe claimed the event again since) cannot record a stale run; 0 checks the
 *     worker only
 */
public record RunOutcome(String eventId, String worker, Kind kind, EventStatus status, Instant at, String traceJson,
                         String error, Attempt attempt, RunEffects effects, long claim) {

    /** What happens to the event. */
    public enum Kind { FINISH, RETRY, DEFER }

    public RunOutcome {
        Objects.requireNonNull(eventId, "eventId");
        Objects.requireNonNull(worker, "worker");
        Objects.requireNonNull(kind, "kind");
        if (kind == Kind.FINISH && (status == null || !status.isFinal())) {
            throw new IllegalArgumentException("finish needs a final status, not " + status);
        }
        if (kind != Kind.FINISH && at == null) {
            throw new IllegalArgumentException(kind + " needs a time");
        }
    }

    /** The same outcome, applied only while the event still carries claim token {@code token}. */
    public RunOutcome fencedBy(long token) {
        return new RunOutcome(eventId, worker, kind, status, at, traceJson, error, attempt, effects, token);
    }

    public static RunOutcome finish(String eventId, String worker, EventStatus status, String traceJson, String error,
                                    Attempt attempt, RunEffects effects) {
        return new RunOutcome(eventId, worker, Kind.FINISH, status, null, traceJson, error, attempt, effects, 0);
    }

    public static RunOutcome retry(String eventId, String worker, Instant at, String traceJson, String error,
                                   Attempt attempt, RunEffects effects) {
        return new RunOutcome(eventId, worker, Kind.RETRY, EventStatus.PENDING, at, traceJson, error, attempt, effects, 0);
    }

    public static RunOutcome defer(String eventId, String worker, Instant at, String traceJson, RunEffects effects) {
        return new RunOutcome(eventId, worker, Kind.DEFER, EventStatus.PENDING, at, traceJson, null, null, effects, 0);
    }
}
