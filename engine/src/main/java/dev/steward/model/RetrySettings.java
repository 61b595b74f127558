package dev.steward.model;

import java.time.Duration;
import java.util.Optional;

/**
 * A {@code retry:} block as written in {@code steward.yaml}, a flow or a sync step. Each part is
 * optional: what a block leaves out comes from the block around it (step, then flow, then
 * {@code steward.yaml}, then the built-in default). Immutable.
 *
 * @param maxAttempts runs in all, the first one included
 * @param base        the backoff's first ceiling; it doubles with each attempt
 * @param cap         the largest ceiling
 * @param horizon     how long after the event arrived Steward keeps trying
 */
public record RetrySettings(Optional<Integer> maxAttempts, Optional<Duration> base, Optional<Duration> cap,
                            Optional<Duration> horizon) {

    public static final RetrySettings NONE = new RetrySettings(Optional.empty(), Optional.empty(), Optional.empty(),
            Optional.empty());

    public boolean isEmpty() {
        return this.equals(NONE);
    }
}
