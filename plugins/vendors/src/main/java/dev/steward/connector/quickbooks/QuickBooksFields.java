package dev.steward.connector.quickbooks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.Optional;

/**
 * Fields of QuickBooks objects under dotted names ({@code PrimaryEmailAddr.Address},
 * {@code BillAddr.City}, {@code CustomerRef.value}): read as plain values, written into nested
 * JSON objects. Stateless.
 */
final class QuickBooksFields {

    private QuickBooksFields() {
    }

    /** The value at a dotted name, as a Java value (String, Number, Boolean, Map, List); empty if absent. */
    static Optional<Object> get(JsonNode record, String dotted) {
        JsonNode node = record;
        for (String part : dotted.split("\\.")) {
            node = node.path(part);
        }
        if (node.isMissingNode()) {
            return Optional.empty();
        }
        return Optional.ofNullable(node.isNull() ? null : QuickBooksConnector.JSON.convertValue(node, Object.class));
    }

    /** Sets the value at a dotted name, making the objects on its way. */
    static void put(ObjectNode record, String dotted, Object value) {
        String[] parts = dotted.split("\\.");
        ObjectNode at = record;
        for (int i = 0; i < parts.length - 1; i++) {
            JsonNode next = at.get(parts[i]);
            at = next instanceof ObjectNode object ? object : at.putObject(parts[i]);
        }
        at.set(parts[parts.length - 1], QuickBooksConnector.JSON.valueToTree(value));
    }
}
