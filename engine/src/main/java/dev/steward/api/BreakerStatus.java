package dev.steward.api;

import java.time.Instant;

/**
 * A system's circuit breaker as the API shows it.
 *
 * @param system      the system's name
 * @param state       {@code closed}, {@code open} or {@code half-open}
 * @param since       when it entered that state, or null
 * @param failureRate the share of recent calls that failed (0 to 1), or negative before there are enough calls
 * @param lastFailure the last failure's message, or null
 */
public record BreakerStatus(String system, String state, Instant since, float failureRate, String lastFailure) {
}
