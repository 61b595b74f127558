package dev.steward.plugin;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One record to create or update, for {@link Connector#upsert(EntityConfig, RecordWrite)} and
 * {@link Connector#upsertAll}: what {@link Connector#upsert(EntityConfig, String, Map, WriteOptions)}
 * takes, plus an optional version for optimistic concurrency.
 *
 * <p>Lifecycle: made by Steward for one write of one event to one target. Immutable and
 * thread-safe.
 *
 * @param key             the record's key
 * @param fields          native field name to value; fields not given are left as they are
 * @param options         idempotency key and event id of this write
 * @param expectedVersion the version Steward read ({@link SystemRecord#version()}): when
 *                        present, the write applies only if the record still has it, and
 *                        otherwise fails with {@link VersionConflictException}; empty writes
 *                        unconditionally
 */
public record RecordWrite(String key, Map<String, Object> fields, WriteOptions options,
                          Optional<String> expectedVersion) {

    public RecordWrite {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(options, "options");
        // LinkedHashMap, not Map.copyOf: a field may be written as null
        fields = Collections.unmodifiableMap(new LinkedHashMap<>(fields));
        expectedVersion = Objects.requireNonNullElse(expectedVersion, Optional.empty());
    }

    /** An unconditional write. */
    public static RecordWrite of(String key, Map<String, Object> fields, WriteOptions options) {
        return new RecordWrite(key, fields, options, Optional.empty());
    }

    /** A write that applies only while the record still has {@code version}. */
    public static RecordWrite ifVersion(String key, Map<String, Object> fields, WriteOptions options,
                                        String version) {
        return new RecordWrite(key, fields, options, Optional.of(version));
    }
}
