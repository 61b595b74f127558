package dev.steward.plugin;

import java.time.Duration;

/**
 * The budgets of one call into a user's script. Immutable; given once to
 * {@link TransformFactory#compile(String, String, ScriptLimits)} and kept by the transform.
 *
 * @param timeout            wall-clock time one call may take; past it the call is cancelled and
 *                           fails with {@link ScriptFailedException.Reason#TIMEOUT}
 * @param maxOutputChars     the largest result a call may return, measured as the length of its
 *                           JSON form; past it the call fails with
 *                           {@link ScriptFailedException.Reason#OUTPUT_TOO_LARGE}
 * @param maxAllocatedBytes  the memory one call may allocate in total (not only keep); past it the
 *                           call is cancelled with {@link ScriptFailedException.Reason#MEMORY};
 *                           0 turns the check off. Checked by polling, so a call may overshoot
 *                           by what it allocates in a few milliseconds.
 */
public record ScriptLimits(Duration timeout, int maxOutputChars, long maxAllocatedBytes) {

    /** One second, 1 MiB of JSON, 256 MiB allocated per call. */
    public static final ScriptLimits DEFAULTS = new ScriptLimits(Duration.ofSeconds(1), 1 << 20, 256L << 20);

    public ScriptLimits {
        if (timeout == null || timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive: " + timeout);
        }
        if (maxOutputChars <= 0) {
            throw new IllegalArgumentException("maxOutputChars must be positive: " + maxOutputChars);
        }
        if (maxAllocatedBytes < 0) {
            throw new IllegalArgumentException("maxAllocatedBytes must not be negative: " + maxAllocatedBytes);
        }
    }

    public ScriptLimits withTimeout(Duration value) {
        return new ScriptLimits(value, maxOutputChars, maxAllocatedBytes);
    }

    public ScriptLimits withMaxOutputChars(int value) {
        return new ScriptLimits(timeout, value, maxAllocatedBytes);
    }

    public ScriptLimits withMaxAllocatedBytes(long value) {
        return new ScriptLimits(timeout, maxOutputChars, value);
    }
}
