package dev.steward.rules;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A fact for DRL rules: the whole incoming record under canonical field names, every mapped
 * field of the payload, changed or not. Immutable.
 */
public final class Record {

    private final String entity;
    private final String key;
    private final String source;
    private final Map<String, Object> fields;

    public Record(String entity, String key, String source, Map<String, Object> fields) {
        this(entity, key, source, Collections.unmodifiableMap(new LinkedHashMap<>(fields)), true);
    }

    /** @param owned marks this constructor apart: {@code fields} is the record's own, unmodifiable map */
    private Record(String entity, String key, String source, Map<String, Object> fields, boolean owned) {
        this.entity = entity;
        this.key = key;
        this.source = source;
        this.fields = fields;
    }

    /**
     * A record over {@code fields} as they are, not copied (a run's hot path): the caller hands
     * the map over and changes it no more.
     */
    public static Record over(String entity, String key, String source, LinkedHashMap<String, Object> fields) {
        return new Record(entity, key, source, Collections.unmodifiableMap(fields), true);
    }

    public String getEntity() { return entity; }
    public String getKey() { return key; }
    public String getSource() { return source; }
    public Map<String, Object> getFields() { return fields; }

    /** A field's value, or null when the payload did not have it. */
    public Object get(String field) { return fields.get(field); }

    public boolean has(String field) { return fields.containsKey(field); }

    @Override
    public String toString() {
        return entity + "[" + key + "] from " + source + " " + fields;
    }
}
