package dev.steward.plugin;

/**
 * Root of the errors a connector reports. Whether Steward retries is decided by
 * {@link #retryable()}; the subclasses name the usual cases.
 */
public class ConnectorException extends RuntimeException {

    private final boolean retryable;

    public ConnectorException(String message, boolean retryable, Throwable cause) {
        super(message, cause);
        this.retryable = retryable;
    }

    public ConnectorException(String message, boolean retryable) {
        this(message, retryable, null);
    }

    /** True for failures that may pass by themselves (timeouts, 5xx, 429, lost connections). */
    public boolean retryable() {
        return retryable;
    }
}
