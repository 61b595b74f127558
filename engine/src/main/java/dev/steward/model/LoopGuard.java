package dev.steward.model;

import java.time.Duration;

/**
 * {@code loops:} of {@code steward.yaml}: the flip-flop breaker. A field of a record whose value
 * Steward writes to one system reverses ({@code A, B, A}) more than {@code maxReversals} times
 * within {@code window} is held: no more writes for it until someone releases it.
 */
public record LoopGuard(int maxReversals, Duration window) {

    public static final LoopGuard DEFAULT = new LoopGuard(3, Duration.ofMinutes(10));
}
