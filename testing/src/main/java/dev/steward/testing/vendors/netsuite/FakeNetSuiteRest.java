package dev.steward.testing.vendors.netsuite;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The record service's paths of {@link FakeNetSuite}: reads, writes with NetSuite's checks of
 * field names and values, and lists. Stateless; the records live in the fake.
 */
final class FakeNetSuiteRest {

    private FakeNetSuiteRest() {
    }

    static void serve(FakeNetSuite ns, HttpExchange exchange, String rest, byte[] body) throws IOException {
        String method = exchange.getRequestMethod();
        String[] parts = rest.split("/", -1);
        FakeNetSuite.RecordType type = FakeNetSuite.TYPES.get(parts[0]);
        String where = method + " " + exchange.getRequestURI().getRawPath();
        if (type == null || parts.length > 2) {
            ns.violation(where + ": no record type '" + parts[0] + "' (the fake has " + FakeNetSuite.TYPES.keySet() + ")");
            FakeNetSuite.error(exchange, 404, "NONEXISTENT_ID", "Record type '" + parts[0] + "' does not exist.", null);
            return;
        }
        if (parts.length == 1) {
            switch (method) {
                case "GET" -> list(ns, exchange, type);
                case "POST" -> write(ns, exchange, type, Optional.empty(), null, body, where);
                default -> {
                    ns.violation(where + ": " + method + " on a record type");
                    FakeNetSuite.error(exchange, 405, "METHOD_NOT_ALLOWED", "Use GET or POST on /" + type.name(), null);
                }
            }
            return;
        }
        String id = URLDecoder.decode(parts[1], StandardCharsets.UTF_8);
        boolean byExternalId = id.startsWith("eid:");
        Optional<Long> internal = ns.find(type.name(), id);
        switch (method) {
            case "GET" -> {
                if (internal.isEmpty()) {
                    notFound(exchange, type, id);
                    return;
                }
                ObjectNode record = ns.stored(type.name(), internal.get());
                ArrayNode links = record.putArray("links");
                links.addObject().put("rel", "self").put("href", ns.baseUrl() + FakeNetSuite.RECORD + type.name() + "/"
                        + internal.get());
                FakeNetSuite.send(exchange, 200, record.toString());
                exchange.getResponseBody().flush();
                ns.answeredRead(type.name(), internal.get());
            }
            case "PUT" -> {
                if (!byExternalId) {
                    ns.violation(where + ": PUT is the upsert by external id (/" + type.name() + "/eid:X)");
                    FakeNetSuite.error(exchange, 405, "METHOD_NOT_ALLOWED", "PUT takes an external id: eid:X", null);
                    return;
                }
                write(ns, exchange, type, internal, id.substring(4), body, where);
            }
            case "PATCH" -> {
                if (internal.isEmpty()) {
                    notFound(exchange, type, id);
                    return;
                }
                write(ns, exchange, type, internal, null, body, where);
            }
            default -> {
                ns.violation(where + ": " + method + " on a record");
                FakeNetSuite.error(exchange, 405, "METHOD_NOT_ALLOWED", "Use GET, PUT (eid:) or PATCH on a record", null);
            }
        }
    }

    private static void notFound(HttpExchange exchange, FakeNetSuite.RecordType type, String id) throws IOException {
        FakeNetSuite.error(exchange, 404, "NONEXISTENT_ID", "The record instance does not exist. Provide a valid record"
                + " instance ID (" + type.name() + " " + id + ").", null);
    }

    private static void write(FakeNetSuite ns, HttpExchange exchange, FakeNetSuite.RecordType type, Optional<Long> id,
                              String externalId, byte[] body, String where) throws IOException {
        String contentType = exchange.getRequestHeaders().getFirst("Content-Type");
        if (contentType == null || !contentType.startsWith("application/json")) {
            ns.violation(where + ": Content-Type " + contentType + ", not application/json");
            FakeNetSuite.error(exchange, 415, "UNSUPPORTED_MEDIA_TYPE", "Content-Type must be application/json", null);
            return;
        }
        JsonNode fields;
        try {
            fields = FakeNetSuite.JSON.readTree(body);
        } catch (IOException e) {
            fields = null;
        }
        if (fields == null || !fields.isObject()) {
            ns.violation(where + ": the body is not a JSON object");
            FakeNetSuite.error(exchange, 400, "INVALID_CONTENT", "The request body is not a valid JSON object.", null);
            return;
        }
        for (Map.Entry<String, JsonNode> field : fields.properties()) {
            String name = field.getKey();
            if (type.readOnly().contains(name)) {
                ns.violation(where + ": " + name + " is read-only");
                FakeNetSuite.error(exchange, 400, "INVALID_CONTENT", "Error while accessing a resource. You cannot"
                        + " set the read-only field " + name + ".", name);
                return;
            }
            if (!type.writable().contains(name)) {
                ns.violation(where + ": " + type.name() + " has no field " + name);
                FakeNetSuite.error(exchange, 400, "INVALID_CONTENT", "Error while accessing a resource. Invalid"
                        + " field name: " + name + " is not a field of " + type.name() + ".", name);
                return;
            }
            Optional<String> wrong = invalid(name, field.getValue());
            if (wrong.isPresent()) {
                // a value NetSuite refuses: the caller's data, not a contract violation
                FakeNetSuite.error(exchange, 400, "INVALID_CONTENT", "Error while accessing a resource. " + wrong.get(),
                        name);
                return;
            }
        }
        if (externalId != null && fields.has("externalId") && !fields.get("externalId").asText().equals(externalId)) {
            ns.violation(where + ": externalId in the body differs from the path");
            FakeNetSuite.error(exchange, 400, "INVALID_CONTENT", "externalId in the body differs from eid: in the URL",
                    "externalId");
            return;
        }
        ObjectNode stored = ns.apiWrite(type.name(), id, externalId, fields);
        exchange.getResponseHeaders().set("Location", ns.baseUrl() + FakeNetSuite.RECORD + type.name() + "/"
                + stored.get("id").asText());
        FakeNetSuite.send(exchange, 204, null);
    }

    private static Optional<String> invalid(String name, JsonNode value) {
        if (value.isNull()) {
            return Optional.empty();
        }
        return switch (name) {
            case "email" -> value.isTextual() && value.asText().matches("[^@\\s]+@[^@\\s]+\\.[^@\\s]+")
                    ? Optional.empty() : Optional.of("Please enter a valid email address: " + value);
            case "creditLimit", "basePrice" -> value.isNumber() && value.asDouble() >= 0 ? Optional.empty()
                    : Optional.of("You have entered an Invalid Field Value " + value + " for the following field: " + name);
            case "subsidiary", "entity", "category" -> value.isObject() && value.has("id") ? Optional.empty()
                    : Optional.of(name + " is a reference: write it as {\"id\": \"...\"}, not " + value);
            case "isPerson" -> value.isBoolean() ? Optional.empty() : Optional.of(name + " must be true or false");
            default -> value.isValueNode() ? Optional.empty() : Optional.of(name + " must be a single value");
        };
    }

    private static void list(FakeNetSuite ns, HttpExchange exchange, FakeNetSuite.RecordType type) throws IOException {
        Map<String, String> query = new LinkedHashMap<>();
        String raw = exchange.getRequestURI().getRawQuery();
        if (raw != null) {
            for (String pair : raw.split("&")) {
                int eq = pair.indexOf('=');
                query.put(URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(eq < 0 ? "" : pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        for (String name : query.keySet()) {
            if (!List.of("limit", "offset", "q").contains(name)) {
                ns.violation("GET /" + type.name() + ": unknown query parameter " + name);
                FakeNetSuite.error(exchange, 400, "INVALID_PARAMETER", "Unknown query parameter " + name, name);
                return;
            }
        }
        int limit;
        long offset;
        try {
            limit = Integer.parseInt(query.getOrDefault("limit", "1000"));
            offset = Long.parseLong(query.getOrDefault("offset", "0"));
        } catch (NumberFormatException e) {
            ns.violation("GET /" + type.name() + ": limit and offset must be numbers");
            FakeNetSuite.error(exchange, 400, "INVALID_PARAMETER", "limit and offset must be numbers", "limit");
            return;
        }
        if (limit < 1 || limit > 1000 || offset < 0 || offset % limit != 0) {
            ns.violation("GET /" + type.name() + ": limit " + limit + ", offset " + offset);
            FakeNetSuite.error(exchange, 400, "INVALID_PARAMETER", "The limit must be 1 to 1000 and the offset a multiple"
                    + " of the limit.", "offset");
            return;
        }
        List<Long> ids = ns.ids(type.name());
        int from = (int) Math.min(offset, ids.size());
        int to = (int) Math.min(offset + limit, ids.size());
        String base = ns.baseUrl() + FakeNetSuite.RECORD + type.name();
        ObjectNode page = FakeNetSuite.JSON.createObjectNode();
        ArrayNode links = page.putArray("links");
        links.addObject().put("rel", "self").put("href", base + "?limit=" + limit + "&offset=" + offset);
        if (to < ids.size()) {
            links.addObject().put("rel", "next").put("href", base + "?limit=" + limit + "&offset=" + (offset + limit));
        }
        long last = ids.isEmpty() ? 0 : ((ids.size() - 1) / limit) * (long) limit;
        links.addObject().put("rel", "last").put("href", base + "?limit=" + limit + "&offset=" + last);
        page.put("count", to - from);
        page.put("hasMore", to < ids.size());
        ArrayNode items = page.putArray("items");
        for (Long id : ids.subList(from, to)) {
            ObjectNode item = items.addObject();
            item.putArray("links").addObject().put("rel", "self").put("href", base + "/" + id);
            item.put("id", Long.toString(id));
        }
        page.put("offset", offset);
        page.put("totalResults", ids.size());
        FakeNetSuite.send(exchange, 200, page.toString());
    }
}
