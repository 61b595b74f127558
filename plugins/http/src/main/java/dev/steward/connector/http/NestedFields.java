package dev.steward.connector.http;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Moves fields between Steward's flat native names and a JSON object, where a dotted name
 * ({@code properties.credit_limit}) means nesting.
 */
final class NestedFields {

    static final ObjectMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            // keep 5000.00 as written, not 5E+3
            .configure(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES, false)
            .build();

    private NestedFields() {
    }

    /** A JSON object holding each value under its (possibly dotted) name. */
    static ObjectNode nest(Map<String, Object> fields) {
        ObjectNode root = JSON.createObjectNode();
        for (Map.Entry<String, Object> field : fields.entrySet()) {
            String[] parts = field.getKey().split("\\.");
            ObjectNode parent = root;
            for (int i = 0; i < parts.length - 1; i++) {
                JsonNode child = parent.get(parts[i]);
                if (child == null) {
                    parent = parent.putObject(parts[i]);
                } else if (child instanceof ObjectNode object) {
                    parent = object;
                } else {
                    throw new IllegalArgumentException("field " + field.getKey()
                            + " nests inside " + parts[i] + ", which is itself a field");
                }
            }
            String leaf = parts[parts.length - 1];
            if (parent.get(leaf) instanceof ObjectNode) {
                throw new IllegalArgumentException("field " + field.getKey()
                        + " is also the parent of another field");
            }
            parent.set(leaf, JSON.valueToTree(field.getValue()));
        }
        return root;
    }

    /**
     * The named fields found in a JSON object, as plain Java values (String, BigDecimal,
     * Integer, Long, Boolean, null, List, Map); names that are absent are left out, while an
     * explicit JSON null is kept as null.
     */
    static Map<String, Object> pick(JsonNode object, Collection<String> names) {
        Map<String, Object> found = new LinkedHashMap<>();
        for (String name : names) {
            JsonNode node = object;
            for (String part : name.split("\\.")) {
                node = node != null && node.isObject() ? node.get(part) : null;
            }
            if (node != null && !node.isMissingNode()) {
                found.put(name, JSON.convertValue(node, Object.class));
            }
        }
        return found;
    }
}
