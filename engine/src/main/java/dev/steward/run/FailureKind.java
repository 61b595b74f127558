package dev.steward.run;

import dev.steward.plugin.ConnectorException;
import dev.steward.store.StoreUnavailableException;

/**
 * Whether a run that threw would fail again if run again. Only what may pass by itself is
 * {@link #TRANSIENT}: a connector's retryable error (timeout, 5xx, 429, lost connection), the
 * store being unreachable, the thread being interrupted because the host is stopping. Anything
 * else (an {@code ArithmeticException}, a {@code NumberFormatException}, a
 * {@code NullPointerException} of Steward's or a plugin's code) is {@link #PERMANENT}: the same
 * input meets the same error, so the event becomes a dead letter at once instead of holding a
 * worker through every retry.
 */
public enum FailureKind {
    TRANSIENT, PERMANENT;

    /** The kind of a failure, looking through its causes for a connector's or the store's own error. */
    public static FailureKind of(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof ConnectorException connector) {
                return connector.retryable() ? TRANSIENT : PERMANENT;
            }
            if (t instanceof StoreUnavailableException || t instanceof InterruptedException) {
                return TRANSIENT;
            }
        }
        return PERMANENT;
    }
}
