package dev.steward.run;

import dev.steward.store.RateTake;
import dev.steward.store.Store;
import dev.steward.store.StoreUnavailableException;

import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

/**
 * A system's rate limit shared by every host on one PostgreSQL store, since a vendor counts the
 * calls of its account, not of each Steward host. Tokens are taken from the system's row in
 * {@code rate_buckets} a few at a time (a tenth of a second's worth, at least one, at most the
 * burst), then spent locally, so a busy host makes about ten short transactions a second per
 * system and an idle one none. A caller that finds none is told how long to wait, with a slot in
 * line as {@link TokenBucket} gives. When the store cannot be reached, calls wait a second: the
 * run's outcome could not be recorded either. Thread-safe.
 */
final class SharedTokenBucket implements RateBucket {

    private static final Duration STORE_DOWN_WAIT = Duration.ofSeconds(1);

    private final String system;
    private final double perSecond;
    private final int burst;
    private final int batch;
    private final Store store;
    private final Clock clock;
    private int granted;
    private long lastSlotMillis;

    SharedTokenBucket(String system, double perSecond, int burst, Store store, Clock clock) {
        this.system = system;
        this.perSecond = perSecond;
        this.burst = burst;
        this.batch = (int) Math.max(1, Math.min(burst, Math.ceil(perSecond / 10)));
        this.store = store;
        this.clock = clock;
    }

    @Override
    public synchronized Optional<Duration> tryTake() {
        if (granted > 0) {
            granted--;
            return Optional.empty();
        }
        RateTake take;
        try {
            take = store.takeRateTokens(system, perSecond, burst, batch);
        } catch (StoreUnavailableException e) {
            return Optional.of(STORE_DOWN_WAIT);
        }
        if (take.granted() > 0) {
            granted = take.granted() - 1;
            return Optional.empty();
        }
        long now = clock.millis();
        double interval = 1000.0 / perSecond;
        long nextToken = now + (long) Math.ceil(Math.max(0, 1 - take.available()) * interval);
        long slot = Math.max(nextToken, lastSlotMillis + (long) Math.ceil(interval));
        lastSlotMillis = slot;
        return Optional.of(Duration.ofMillis(Math.max(1, slot - now)));
    }
}
