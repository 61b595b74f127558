package dev.steward.connector.netsuite;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Native field names that may be dotted paths into a NetSuite record ({@code subsidiary.id},
 * {@code entity.id}): picked from a record read, nested for a record written. Stateless.
 */
final class Fields {

    private static final ObjectMapper JSON = new ObjectMapper();

    private Fields() {
    }

    /** The named fields of a record, by their dotted names; absent ones are left out, nulls kept. */
    static Map<String, Object> pick(JsonNode record, Collection<String> names) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (String name : names) {
            JsonNode node = record;
            for (String part : name.split("\\.")) {
                node = node != null && node.isObject() ? node.get(part) : null;
            }
            if (node != null) {
                out.put(name, node.isNull() ? null : JSON.convertValue(node, Object.class));
            }
        }
        return out;
    }

    /** A JSON object of the fields, dotted names as nested objects. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> nest(Map<String, Object> fields) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (Map.Entry<String, Object> field : fields.entrySet()) {
            String[] parts = field.getKey().split("\\.");
            Map<String, Object> at = out;
            for (int i = 0; i < parts.length - 1; i++) {
                Object next = at.computeIfAbsent(parts[i], k -> new LinkedHashMap<String, Object>());
                if (!(next instanceof Map<?, ?>)) {
                    throw new IllegalArgumentException("field " + field.getKey() + " nests into " + parts[i]
                            + ", which is also written as a value");
                }
                at = (Map<String, Object>) next;
            }
            at.put(parts[parts.length - 1], field.getValue());
        }
        return out;
    }
}
