package dev.steward.plugin;

import java.util.Map;
import java.util.Optional;

/**
 * Reads and writes the records of one system, under the system's own field names.
 *
 * <p>Lifecycle: made by {@link ConnectorFactory#create} when a workspace becomes active and
 * closed when it is replaced or the host stops. Thread safety: Steward calls one connector from
 * many worker threads at once (never for the same record at the same time), so implementations
 * must be thread-safe.
 *
 * <p>Errors: throw {@link ConnectorException} subclasses. {@link SystemUnavailableException}
 * and {@link SystemRateLimitedException} are retried; {@link WriteRefusedException} is not.
 */
public interface Connector extends AutoCloseable {

    /**
     * The record with this key as the system holds it, with the entity's mapped fields under
     * their native names, or empty if the system has no such record.
     */
    Optional<Map<String, Object>> read(EntityConfig entity, String key);

    /**
     * Creates or updates the record with this key so that each given native field holds the
     * given value; fields not given are left as they are.
     */
    void upsert(EntityConfig entity, String key, Map<String, Object> fields, WriteOptions options);

    @Override
    default void close() {
    }
}
