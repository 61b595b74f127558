package dev.steward.run;

import dev.steward.store.EventStatus;

import java.time.Duration;
import java.util.Optional;

/**
 * How a run ended: a terminal status, or a transient failure to retry.
 *
 * @param retryAfter for a transient failure, the wait the target asked for, if it said
 */
public record RunResult(EventStatus status, RunTrace trace, String error, boolean retry,
                        Optional<Duration> retryAfter) {

    static RunResult done(EventStatus status, RunTrace trace, String error) {
        return new RunResult(status, trace, error, false, Optional.empty());
    }

    static RunResult retry(RunTrace trace, String error, Optional<Duration> retryAfter) {
        return new RunResult(EventStatus.PENDING, trace, error, true, retryAfter);
    }
}
