package dev.steward.model;

import java.util.Map;

/**
 * How Steward delivers and watches: the host-wide {@code retry:}, each system's limits, and
 * {@code health:} and {@code alerts:}. Immutable.
 *
 * @param systems limits by system name; a system not named here has {@link SystemLimits#DEFAULT}
 */
public record DeliverySettings(RetrySettings retry, Map<String, SystemLimits> systems, HealthSettings health,
                               AlertSettings alerts) {

    public static final DeliverySettings DEFAULT = new DeliverySettings(RetrySettings.NONE, Map.of(),
            HealthSettings.DEFAULT, AlertSettings.NONE);

    public DeliverySettings {
        systems = Map.copyOf(systems);
    }

    public SystemLimits limits(String system) {
        return systems.getOrDefault(system, SystemLimits.DEFAULT);
    }
}
