package dev.steward.plugin;

import java.util.List;
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
 * and {@link SystemRateLimitedException} are retried; {@link WriteRefusedException},
 * {@link VersionConflictException} and {@link ActionNotSupportedException} are not.
 *
 * <p>Only {@link #read} and {@link #upsert(EntityConfig, String, Map, WriteOptions)} are
 * required. The other actions have defaults: {@link #readRecord} and
 * {@link #upsert(EntityConfig, RecordWrite)} without versions, {@link #upsertAll} one record
 * at a time, and {@link #list} and {@link #call} refused with
 * {@link ActionNotSupportedException}.
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

    /**
     * The record with this key, with the version the system gave it when it keeps versions
     * (an HTTP {@code ETag}). The default reads through {@link #read} and has no version.
     */
    default Optional<SystemRecord> readRecord(EntityConfig entity, String key) {
        return read(entity, key).map(fields -> SystemRecord.unversioned(key, fields));
    }

    /**
     * Writes one record; with an {@link RecordWrite#expectedVersion() expected version}, only
     * if the system still holds that version, else {@link VersionConflictException}. The
     * default writes through {@link #upsert(EntityConfig, String, Map, WriteOptions)} and
     * refuses expected versions, which a connector without versions never hands out.
     */
    default void upsert(EntityConfig entity, RecordWrite write) {
        if (write.expectedVersion().isPresent()) {
            throw new ActionNotSupportedException(getClass().getSimpleName()
                    + " does not support versioned writes", "versioned upsert");
        }
        upsert(entity, write.key(), write.fields(), write.options());
    }

    /**
     * Writes several records of one entity, as {@link #upsert(EntityConfig, RecordWrite)}
     * would one after the other, but in fewer round trips where the system allows (a JDBC
     * batch in one transaction). Writes to the same key apply in list order.
     *
     * <p>On failure it throws the first error. Whether the writes before it were applied
     * depends on the connector (the jdbc connector applies all or none; this default, one at
     * a time, keeps the ones before): upserts are idempotent, so a caller may retry the batch,
     * or write its records one by one to find the one that fails.
     */
    default void upsertAll(EntityConfig entity, List<RecordWrite> writes) {
        for (RecordWrite write : writes) {
            upsert(entity, write);
        }
    }

    /**
     * A page of at most {@code limit} records of the entity, in a stable order, starting
     * after {@code cursor} (from the start when empty), for audits and batch runs. The default
     * refuses with {@link ActionNotSupportedException}.
     *
     * @param limit the most records to return, at least 1; a connector may return fewer even
     *              when more follow, so only an empty {@link Page#next()} means the end
     */
    default Page list(EntityConfig entity, Optional<String> cursor, int limit) {
        throw new ActionNotSupportedException(getClass().getSimpleName() + " does not support list", "list");
    }

    /**
     * A free action of the connector ({@code call} step of a flow): its name, input and output
     * are the connector's own, documented by it. The default refuses with
     * {@link ActionNotSupportedException}.
     */
    default Map<String, Object> call(String action, Map<String, Object> input) {
        throw new ActionNotSupportedException(getClass().getSimpleName() + " does not support call '"
                + action + "'", "call:" + action);
    }

    /**
     * {@link #call(String, Map)} for one event's {@code call} step: {@code options} carry an
     * idempotency key that stays the same across the event's retries, so that a connector
     * whose system honours one (the http connector sends {@code Idempotency-Key}) has the
     * action applied at most once. The default ignores the options.
     */
    default Map<String, Object> call(String action, Map<String, Object> input, WriteOptions options) {
        return call(action, input);
    }

    /**
     * Why the system cannot be reached right now (a database that took no connection since it
     * was last asked), or empty when it can or the connector cannot tell. Steward reports it in
     * {@code /health}; it is called often and must answer at once, without connecting.
     */
    default Optional<String> unreachable() {
        return Optional.empty();
    }

    @Override
    default void close() {
    }
}
