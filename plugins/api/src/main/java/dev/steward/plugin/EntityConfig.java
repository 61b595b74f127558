package dev.steward.plugin;

import java.util.Map;
import java.util.Optional;

/**
 * How one system stores one entity. Immutable.
 *
 * @param name     the canonical entity name ({@code customer})
 * @param settings the connector's own keys of the entity block ({@code path}, {@code table},
 *                 {@code key}...), everything except {@code fields}
 * @param fields   canonical field name to the system's native name, in declaration order
 *                 ({@code creditLimit -> credit_limit}); a native name may be a dotted path
 *                 ({@code properties.credit_limit}) for connectors that nest
 */
public record EntityConfig(String name, Map<String, Object> settings, Map<String, String> fields) {

    public EntityConfig {
        settings = Map.copyOf(settings);
        fields = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(fields));
    }

    public Optional<String> setting(String key) {
        Object value = settings.get(key);
        return value == null ? Optional.empty() : Optional.of(String.valueOf(value));
    }
}
