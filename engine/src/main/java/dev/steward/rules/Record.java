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
        this.entity = entity;
        this.key = key;
        this.source = source;
        this.fields = Collections.unmodifiableMap(new LinkedHashMap<>(fields));
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
