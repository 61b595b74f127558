package dev.steward.plugin;

import java.time.Duration;
import java.util.Optional;

/** The system refused the call for now (429, or 503 with {@code Retry-After}). */
public class SystemRateLimitedException extends ConnectorException {

    private final Duration retryAfter;

    public SystemRateLimitedException(String message, Duration retryAfter) {
        super(message, true);
        this.retryAfter = retryAfter;
    }

    /** How long the system asked to wait, when it said. */
    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }
}
