package dev.steward.plugin;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One record as a system holds it: its key, its mapped fields under their native names, and
 * the version the system gave it, when it gives one (an HTTP {@code ETag}, a version column).
 *
 * <p>Lifecycle: returned by {@link Connector#readRecord} and in a {@link Page} by
 * {@link Connector#list}; a version read here goes back unchanged in
 * {@link RecordWrite#expectedVersion()} so the write applies only if nobody changed the record
 * in between. Immutable and thread-safe; field values may be null (the system holds a null).
 *
 * @param key     the record's key, as Steward addresses it
 * @param fields  native field name to value, in the entity's mapping order; absent fields are
 *                left out, a null value is kept
 * @param version opaque to Steward; empty when the system keeps no versions
 */
public record SystemRecord(String key, Map<String, Object> fields, Optional<String> version) {

    public SystemRecord {
        Objects.requireNonNull(key, "key");
        fields = Collections.unmodifiableMap(new LinkedHashMap<>(fields));
        version = Objects.requireNonNullElse(version, Optional.empty());
    }

    /** A record of a system that keeps no versions. */
    public static SystemRecord unversioned(String key, Map<String, Object> fields) {
        return new SystemRecord(key, fields, Optional.empty());
    }
}
