package dev.steward.load.plugin;

import dev.steward.plugin.Connector;
import dev.steward.plugin.ConnectorContext;
import dev.steward.plugin.ConnectorFactory;
import dev.steward.plugin.EntityConfig;
import dev.steward.plugin.SystemConfig;
import dev.steward.plugin.WriteOptions;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A connector that PluginJarsTest packs into a jar, as a third party would: it uses only the SPI
 * and the JDK. Keeps records in memory.
 */
public final class MemoryConnectorFactory implements ConnectorFactory {

    @Override
    public String type() {
        return "memory";
    }

    @Override
    public Connector create(SystemConfig config, ConnectorContext context) {
        Map<String, Map<String, Object>> records = new ConcurrentHashMap<>();
        return new Connector() {
            @Override
            public Optional<Map<String, Object>> read(EntityConfig entity, String key) {
                return Optional.ofNullable(records.get(entity.name() + "/" + key));
            }

            @Override
            public void upsert(EntityConfig entity, String key, Map<String, Object> fields, WriteOptions options) {
                records.computeIfAbsent(entity.name() + "/" + key, k -> new ConcurrentHashMap<>()).putAll(fields);
            }
        };
    }
}
