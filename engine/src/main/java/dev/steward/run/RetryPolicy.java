package dev.steward.run;

import dev.steward.model.RetrySettings;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * When to try an event again; the one place that computes delays. A transient failure waits a
 * capped exponential backoff with full jitter, never less than a target's {@code Retry-After}; an
 * event runs at most {@code maxAttempts} times, and never later than {@code horizon} after it
 * arrived. An event deferred by Steward itself (a system's rate limit or open breaker) waits
 * without using an attempt, but still within the horizon. Immutable; time and randomness are
 * handed in by the caller.
 */
public record RetryPolicy(int maxAttempts, Duration base, Duration cap, Duration horizon) {

    public static final Duration DEFAULT_HORIZON = Duration.ofDays(3);

    /** Like Stripe's and Standard Webhooks' schedules: retries spread over hours, ending within 3 days. */
    public static final RetryPolicy DEFAULT = new RetryPolicy(25, Duration.ofSeconds(5), Duration.ofHours(6), DEFAULT_HORIZON);

    /** A jittered wait on top of a deferral, so that deferred events do not all come back at once. */
    private static final Duration MAX_DEFERRAL_JITTER = Duration.ofSeconds(1);

    public RetryPolicy(int maxAttempts, Duration base, Duration cap) {
        this(maxAttempts, base, cap, DEFAULT_HORIZON);
    }

    /** What happens next: run again at a time, or give up (a dead letter) with a reason. */
    public sealed interface Next {
        record RunAt(Instant at) implements Next {}

        record GiveUp(String why) implements Next {}
    }

    /** This policy with what a {@code retry:} block says instead. */
    public RetryPolicy with(RetrySettings settings) {
        return new RetryPolicy(settings.maxAttempts().orElse(maxAttempts), settings.base().orElse(base),
                settings.cap().orElse(cap), settings.horizon().orElse(horizon));
    }

    /** The backoff before attempt {@code attempt + 1}, never shorter than {@code retryAfter}. */
    public Duration delay(int attempt, Optional<Duration> retryAfter, RandomGenerator random) {
        long ceiling = base.toMillis() << Math.min(Math.max(attempt - 1, 0), 30);
        ceiling = Math.min(Math.max(ceiling, 1), cap.toMillis());
        Duration jittered = Duration.ofMillis(random.nextLong(ceiling + 1));
        return retryAfter.filter(after -> after.compareTo(jittered) > 0).orElse(jittered);
    }

    /**
     * After attempt number {@code attempts} failed transiently: when to run again, or why not.
     * A backoff that would end past the horizon is cut to the horizon, for one last attempt; a
     * {@code Retry-After} past the horizon gives up, since running sooner would not honour it.
     */
    public Next afterFailure(int attempts, Instant receivedAt, Instant now, Optional<Duration> retryAfter,
                             RandomGenerator random) {
        if (attempts >= maxAttempts) {
            return new Next.GiveUp("gave up after " + attempts + " attempts");
        }
        Instant deadline = receivedAt.plus(horizon);
        if (!now.isBefore(deadline)) {
            return new Next.GiveUp("gave up after " + attempts + " attempts: the retry horizon of " + text(horizon)
                    + " since the event arrived has passed");
        }
        Instant at = now.plus(delay(attempts, retryAfter, random));
        if (at.isAfter(deadline)) {
            if (retryAfter.isPresent() && now.plus(retryAfter.get()).isAfter(deadline)) {
                return new Next.GiveUp("gave up after " + attempts + " attempts: the target asked to wait "
                        + text(retryAfter.get()) + ", past the retry horizon of " + text(horizon));
            }
            at = deadline;
        }
        return new Next.RunAt(at);
    }

    /**
     * An event that Steward deferred before calling a system (its rate limit or breaker): run
     * again after {@code wait} and a little jitter, within the horizon. A wait for the local rate
     * limit is short and always ends, so it is not held to the horizon: a replayed dead letter,
     * already past its horizon, still gets its run.
     */
    public Next afterDeferral(Duration wait, boolean rateLimited, int attempts, Instant receivedAt, Instant now,
                              RandomGenerator random) {
        Instant deadline = receivedAt.plus(horizon);
        long spread = Math.max(1, Math.min(wait.toMillis() / 4, MAX_DEFERRAL_JITTER.toMillis()));
        Instant at = now.plus(wait).plusMillis(random.nextLong(spread + 1));
        if (!rateLimited && at.isAfter(deadline)) {
            return new Next.GiveUp("gave up after " + attempts + " attempts: the retry horizon of " + text(horizon)
                    + " since the event arrived has passed");
        }
        return new Next.RunAt(at);
    }

    static String text(Duration d) {
        if (d.toMillis() < 1000) {
            return d.toMillis() + "ms";
        }
        long s = d.toSeconds();
        if (s % 86_400 == 0) {
            return s / 86_400 + "d";
        }
        if (s % 3600 == 0) {
            return s / 3600 + "h";
        }
        if (s % 60 == 0) {
            return s / 60 + "m";
        }
        return s + "s";
    }
}
