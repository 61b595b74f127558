package dev.steward.run;

import dev.steward.model.RetrySettings;
import dev.steward.store.EventStatus;

import java.time.Duration;
import java.util.Optional;

/**
 * How a run ended: a terminal status, a transient failure to retry, or a deferral (a system's rate
 * limit or breaker kept Steward from calling it; run again later without using an attempt).
 *
 * @param retryAfter for a transient failure, the wait the target asked for, if it said
 * @param deferral   why the run stopped before calling a system, if it did
 * @param stepRetry  the failed step's own {@code retry:}, over the flow's
 */
public record RunResult(EventStatus status, RunTrace trace, String error, boolean retry,
                        Optional<Duration> retryAfter, Optional<SystemGuards.Deferral> deferral, RetrySettings stepRetry) {

    public RunResult(EventStatus status, RunTrace trace, String error, boolean retry, Optional<Duration> retryAfter) {
        this(status, trace, error, retry, retryAfter, Optional.empty(), RetrySettings.NONE);
    }

    static RunResult done(EventStatus status, RunTrace trace, String error) {
        return new RunResult(status, trace, error, false, Optional.empty());
    }

    static RunResult retry(RunTrace trace, String error, Optional<Duration> retryAfter) {
        return new RunResult(EventStatus.PENDING, trace, error, true, retryAfter);
    }

    static RunResult deferred(SystemGuards.Deferral deferral) {
        return new RunResult(EventStatus.PENDING, null, deferral.describe(), false, Optional.empty(), Optional.of(deferral),
                RetrySettings.NONE);
    }

    RunResult withTrace(RunTrace newTrace) {
        return new RunResult(status, newTrace, error, retry, retryAfter, deferral, stepRetry);
    }

    RunResult withStepRetry(RetrySettings settings) {
        return new RunResult(status, trace, error, retry, retryAfter, deferral, settings);
    }
}
