package dev.steward.plugin;

import java.util.Map;
import java.util.Optional;

/**
 * One system of {@code steward.yaml}: its name, its connector type, the connector's own
 * settings ({@code baseUrl}, {@code url}, {@code auth}...) and its entities. Immutable.
 *
 * @param settings every key of the system's block except {@code connector} and {@code entities},
 *                 with {@code ${env:...}} references already resolved; values are strings,
 *                 numbers, booleans, lists and maps as YAML gave them
 */
public record SystemConfig(String name, String type, Map<String, Object> settings,
                           Map<String, EntityConfig> entities) {

    public SystemConfig {
        settings = Map.copyOf(settings);
        entities = Map.copyOf(entities);
    }

    public Optional<EntityConfig> entity(String name) {
        return Optional.ofNullable(entities.get(name));
    }

    /** A string setting, if present. */
    public Optional<String> setting(String key) {
        Object value = settings.get(key);
        return value == null ? Optional.empty() : Optional.of(String.valueOf(value));
    }
}
