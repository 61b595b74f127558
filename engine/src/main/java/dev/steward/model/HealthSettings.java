package dev.steward.model;

import java.time.Duration;

/**
 * {@code health:} of {@code steward.yaml}: when {@code /health} turns {@code degraded}. Immutable.
 *
 * @param backlogAge   an event due to run has waited longer than this (the workers are behind)
 * @param noSuccessFor a flow has received events but none has succeeded for this long
 * @param checkEvery   how often health is computed for the metrics and the alerts
 */
public record HealthSettings(Duration backlogAge, Duration noSuccessFor, Duration checkEvery) {

    public static final HealthSettings DEFAULT = new HealthSettings(Duration.ofMinutes(5), Duration.ofHours(1),
            Duration.ofSeconds(15));
}
