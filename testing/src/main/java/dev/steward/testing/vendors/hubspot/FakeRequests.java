package dev.steward.testing.vendors.hubspot;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The fake HubSpot's writes: create ({@code POST /crm/v3/objects/{type}}), update
 * ({@code PATCH .../{id}[?idProperty=]}) and batch upsert, each body checked against the
 * documented CRM v3 shape before HubSpot's property validation runs. Stateless.
 */
final class FakeRequests {

    private static final ObjectMapper JSON = new ObjectMapper();

    private FakeRequests() {
    }

    static HubSpotFake.Answer create(HubSpotFake fake, FakeCrm crm, FakeCrm.ObjectType type, String contentType,
                         Map<String, String> params, byte[] raw, AtomicInteger writes) {
        fake.allowed(params, Set.of());
        JsonNode body = body(fake, contentType, raw, Set.of("properties", "associations"));
        Map<String, String> values = properties(fake, body.get("properties"), "properties");
        synchronized (crm) {
            HubSpotFake.Answer invalid = invalid(fake, crm.check(type, values));
            if (invalid != null) {
                return invalid;
            }
            Optional<Long> clash = crm.uniqueClash(type, values, -1);
            if (clash.isPresent()) {
                return fake.answer(409, HubSpotFake.error("CONFLICT", capital(type.subscription)
                        + " already exists. Existing ID: " + clash.get()));
            }
            FakeCrm.Rec rec = crm.create(type, values, "INTEGRATION");
            writes.incrementAndGet();
            return fake.answer(201, fake.object(type, rec, Map.of()));
        }
    }

    static HubSpotFake.Answer patch(HubSpotFake fake, FakeCrm crm, FakeCrm.ObjectType type, String id, String contentType,
                        Map<String, String> params, byte[] raw, AtomicInteger writes) {
        fake.allowed(params, Set.of("idProperty"));
        Optional<String> idProperty = fake.idProperty(type, params);
        JsonNode body = body(fake, contentType, raw, Set.of("properties"));
        Map<String, String> values = properties(fake, body.get("properties"), "properties");
        synchronized (crm) {
            Optional<FakeCrm.Rec> rec = crm.find(type, id, idProperty);
            if (rec.isEmpty()) {
                return fake.answer(404, HubSpotFake.error("OBJECT_NOT_FOUND", "resource not found"));
            }
            HubSpotFake.Answer invalid = invalid(fake, crm.check(type, values));
            if (invalid != null) {
                return invalid;
            }
            Optional<Long> clash = crm.uniqueClash(type, values, rec.get().id);
            if (clash.isPresent()) {
                return fake.answer(409, HubSpotFake.error("CONFLICT", "A " + type.subscription
                        + " with that unique value already exists. Existing ID: " + clash.get()));
            }
            crm.update(type, rec.get(), values, "INTEGRATION");
            writes.incrementAndGet();
            return fake.answer(200, fake.object(type, rec.get(), Map.of()));
        }
    }

    static HubSpotFake.Answer batchUpsert(HubSpotFake fake, FakeCrm crm, FakeCrm.ObjectType type, String contentType,
                              Map<String, String> params, byte[] raw, AtomicInteger writes) {
        fake.allowed(params, Set.of());
        Instant started = Instant.now();
        JsonNode body = body(fake, contentType, raw, Set.of("inputs"));
        JsonNode inputs = body.get("inputs");
        if (inputs == null || !inputs.isArray() || inputs.isEmpty() || inputs.size() > 100) {
            throw fake.violation(400, "VALIDATION_ERROR", "inputs must be an array of 1 to 100 objects");
        }
        record Input(String id, String idProperty, Map<String, String> values) {
        }
        List<Input> all = new ArrayList<>();
        Set<String> seen = new java.util.HashSet<>();
        for (int i = 0; i < inputs.size(); i++) {
            JsonNode input = inputs.get(i);
            for (String name : iterable(input)) {
                if (!Set.of("id", "idProperty", "properties", "objectWriteTraceId").contains(name)) {
                    throw fake.violation(400, "VALIDATION_ERROR", "inputs[" + i + "] has an unknown field '" + name + "'");
                }
            }
            if (!input.path("id").isTextual() || input.path("id").asText().isEmpty()
                    || !input.path("idProperty").isTextual()) {
                throw fake.violation(400, "VALIDATION_ERROR", "inputs[" + i + "] needs id and idProperty as strings");
            }
            String idProperty = fake.idProperty(type, Map.of("idProperty", input.get("idProperty").asText())).orElseThrow();
            if (!seen.add(input.get("id").asText())) {
                throw fake.violation(400, "VALIDATION_ERROR", "Duplicate IDs found in batch input: "
                        + input.get("id").asText());
            }
            all.add(new Input(input.get("id").asText(), idProperty,
                    properties(fake, input.get("properties"), "inputs[" + i + "].properties")));
        }
        synchronized (crm) {
            List<FakeCrm.Invalid> invalid = new ArrayList<>();
            for (Input input : all) {
                invalid.addAll(crm.check(type, input.values()));
            }
            HubSpotFake.Answer refused = invalid(fake, invalid);
            if (refused != null) {
                return refused;
            }
            ArrayNode results = JSON.createArrayNode();
            for (Input input : all) {
                Optional<FakeCrm.Rec> rec = crm.find(type, input.id(), Optional.of(input.idProperty()));
                boolean created = rec.isEmpty();
                FakeCrm.Rec r;
                if (created) {
                    Map<String, String> values = new LinkedHashMap<>(input.values());
                    values.put(input.idProperty(), input.id());
                    r = crm.create(type, values, "INTEGRATION");
                } else {
                    r = rec.get();
                    crm.update(type, r, input.values(), "INTEGRATION");
                }
                writes.incrementAndGet();
                results.add(fake.object(type, r, Map.of()).put("new", created));
            }
            ObjectNode answer = JSON.createObjectNode().put("status", "COMPLETE");
            answer.set("results", results);
            answer.put("startedAt", started.toString()).put("completedAt", Instant.now().toString());
            return fake.answer(200, answer);
        }
    }

    private static JsonNode body(HubSpotFake fake, String contentType, byte[] raw, Set<String> fields) {
        if (!contentType.toLowerCase(java.util.Locale.ROOT).startsWith("application/json")) {
            throw fake.violation(415, "UNSUPPORTED_MEDIA_TYPE", "the body must be application/json, not '"
                    + contentType + "'");
        }
        JsonNode body;
        try {
            body = JSON.readTree(raw);
        } catch (IOException e) {
            throw fake.violation(400, "VALIDATION_ERROR", "Invalid input JSON: " + e.getMessage());
        }
        if (body == null || !body.isObject()) {
            throw fake.violation(400, "VALIDATION_ERROR", "the body must be a JSON object");
        }
        for (String name : iterable(body)) {
            if (!fields.contains(name)) {
                throw fake.violation(400, "VALIDATION_ERROR", "Invalid input JSON: unknown field '" + name
                        + "'; the body takes " + fields);
            }
        }
        return body;
    }

    /** The properties object; values must be strings (HubSpot's wire type for every property). */
    private static Map<String, String> properties(HubSpotFake fake, JsonNode node, String where) {
        if (node == null || !node.isObject()) {
            throw fake.violation(400, "VALIDATION_ERROR", where + " must be an object of property values");
        }
        Map<String, String> values = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            if (!e.getValue().isTextual()) {
                throw fake.violation(400, "VALIDATION_ERROR", where + "." + e.getKey() + " is " + e.getValue().getNodeType()
                        + "; property values are strings on the wire");
            }
            values.put(e.getKey(), e.getValue().asText());
        }
        return values;
    }

    private static HubSpotFake.Answer invalid(HubSpotFake fake, List<FakeCrm.Invalid> invalid) {
        if (invalid.isEmpty()) {
            return null;
        }
        ArrayNode list = JSON.createArrayNode();
        for (FakeCrm.Invalid i : invalid) {
            list.addObject().put("isValid", false).put("message", i.message()).put("error", i.error()).put("name", i.name());
        }
        return fake.answer(400, HubSpotFake.error("VALIDATION_ERROR", "Property values were not valid: " + list));
    }

    private static Iterable<String> iterable(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static String capital(String s) {
        return Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }
}
