package dev.steward.model;

import java.time.Duration;
import java.util.Optional;

/**
 * {@code rateLimit:}, {@code circuitBreaker:} and {@code optimisticWrites:} of one system in
 * {@code steward.yaml}: how Steward calls it, whichever flow makes the call. Immutable.
 *
 * @param rateLimit calls per second and burst, if the system has a limit
 * @param breaker   when to stop calling a failing system for a while
 * @param optimisticWrites read each record's version before writing it and write only if it is
 *                  unchanged ({@code If-Match}); a conflict re-reads and decides again
 */
public record SystemLimits(Optional<RateLimit> rateLimit, Breaker breaker, boolean optimisticWrites) {

    public static final SystemLimits DEFAULT = new SystemLimits(Optional.empty(), Breaker.DEFAULT, false);

    public SystemLimits(Optional<RateLimit> rateLimit, Breaker breaker) {
        this(rateLimit, breaker, false);
    }

    /** A token bucket: {@code perSecond} tokens a second, at most {@code burst} saved up. */
    public record RateLimit(double perSecond, int burst) {
    }

    /**
     * A count-based breaker. It opens when, of the last {@code window} calls (and at least
     * {@code minimumCalls}), {@code failureRate} percent or more failed transiently or took longer
     * than {@code slowCall}; it stays open {@code openFor}, then lets {@code halfOpenCalls} calls
     * through to decide whether to close again.
     */
    public record Breaker(boolean enabled, int failureRate, int minimumCalls, int window, Duration openFor,
                          Duration slowCall, int halfOpenCalls) {

        public static final Breaker DEFAULT = new Breaker(true, 50, 10, 20, Duration.ofSeconds(30),
                Duration.ofSeconds(10), 3);
    }
}
