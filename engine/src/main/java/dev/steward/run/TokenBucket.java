package dev.steward.run;

import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

/**
 * A system's rate limit: {@code perSecond} tokens a second, at most {@code burst} saved up. A
 * caller that finds no token is told how long to wait, and is given a slot in line, so that the
 * callers refused in one moment come back spread out rather than all at once. Never blocks.
 * Thread-safe; time comes from the injected clock.
 */
final class TokenBucket implements RateBucket {

    private final double perSecond;
    private final int burst;
    private final Clock clock;
    private double tokens;
    private long updatedMillis;
    /** The latest slot handed to a refused caller. */
    private long lastSlotMillis;

    TokenBucket(double perSecond, int burst, Clock clock) {
        this.perSecond = perSecond;
        this.burst = burst;
        this.clock = clock;
        this.tokens = burst;
        this.updatedMillis = clock.millis();
    }

    @Override
    public synchronized Optional<Duration> tryTake() {
        long now = clock.millis();
        if (now > updatedMillis) {
            tokens = Math.min(burst, tokens + (now - updatedMillis) * perSecond / 1000.0);
            updatedMillis = now;
        }
        if (tokens >= 1) {
            tokens -= 1;
            return Optional.empty();
        }
        double interval = 1000.0 / perSecond;
        long nextToken = now + (long) Math.ceil((1 - tokens) * interval);
        long slot = Math.max(nextToken, lastSlotMillis + (long) Math.ceil(interval));
        lastSlotMillis = slot;
        return Optional.of(Duration.ofMillis(Math.max(1, slot - now)));
    }
}
