package dev.steward.run;

import java.time.Duration;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * When to try a transiently failed event again: capped exponential backoff with full jitter,
 * never sooner than a target's {@code Retry-After}, at most {@code maxAttempts} runs in all.
 */
public record RetryPolicy(int maxAttempts, Duration base, Duration cap) {

    public static final RetryPolicy DEFAULT = new RetryPolicy(10, Duration.ofSeconds(2), Duration.ofMinutes(30));

    /** The wait before attempt {@code attempt + 1}. */
    public Duration delay(int attempt, Optional<Duration> retryAfter, RandomGenerator random) {
        long ceiling = base.toMillis() << Math.min(Math.max(attempt - 1, 0), 30);
        ceiling = Math.min(Math.max(ceiling, 1), cap.toMillis());
        Duration jittered = Duration.ofMillis(random.nextLong(ceiling + 1));
        return retryAfter.filter(after -> after.compareTo(jittered) > 0).orElse(jittered);
    }
}
