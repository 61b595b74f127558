package dev.steward.run;

import java.time.Duration;
import java.util.Optional;

/**
 * A system's rate limit as the guards see it: a token now, or how long to wait for one. Never
 * blocks. {@link TokenBucket} is one host's; {@link SharedTokenBucket} is every host's on a shared
 * store. Thread-safe.
 */
interface RateBucket {

    /** Takes a token and answers empty, or answers how long to wait for one. */
    Optional<Duration> tryTake();
}
