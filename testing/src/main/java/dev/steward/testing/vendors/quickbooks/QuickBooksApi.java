package dev.steward.testing.vendors.quickbooks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;

import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Accounting API v3 of the fake, for one request: {@code GET /{entity}/{id}},
 * {@code GET /query?query=...}, {@code POST /{entity}} (create, or update with {@code Id} and
 * {@code SyncToken}, sparse or full). Answers QuickBooks' way, {@code Fault} bodies included.
 */
final class QuickBooksApi {

    /** The query language's subset the fake reads: one equality, an order, paging. */
    private static final Pattern QUERY = Pattern.compile("(?is)^\\s*select\\s+\\*\\s+from\\s+(\\w+)"
            + "(?:\\s+where\\s+([\\w.]+)\\s*(?:=\\s*'((?:[^'\\\\]|\\\\.)*)'|in\\s*\\(((?:\\s*'(?:[^'\\\\]|\\\\.)*'\\s*,?)+)\\)))?"
            + "(?:\\s+orderby\\s+(\\w+)(?:\\s+(asc|desc))?)?"
            + "(?:\\s+startposition\\s+(\\d+))?(?:\\s+maxresults\\s+(\\d+))?\\s*$");

    /** QuickBooks takes at most 30 items per batch. */
    static final int MAX_BATCH = 30;

    private final QuickBooksFake fake;
    private final QuickBooksRealm realm;
    private final QuickBooksSchema schema;

    QuickBooksApi(QuickBooksFake fake, QuickBooksRealm realm, QuickBooksSchema schema) {
        this.fake = fake;
        this.realm = realm;
        this.schema = schema;
    }

    void handle(HttpExchange exchange, String[] parts, Map<String, String> query) throws IOException {
        String method = exchange.getRequestMethod();
        if (parts.length == 2 && parts[1].equals("batch") && method.equals("POST")) {
            batch(exchange);
            return;
        }
        if (parts.length == 2 && parts[1].equals("query") && method.equals("GET")) {
            query(exchange, query.get("query"));
            return;
        }
        String entity = parts.length >= 2 ? QuickBooksFake.upper(parts[1]) : null;
        if (entity == null || parts.length > 3) {
            fake.violation(exchange, "not a path of the Accounting API this fake serves");
            QuickBooksFake.send(exchange, 400, QuickBooksFake.fault("Unsupported Operation",
                    "Operation " + exchange.getRequestURI().getPath() + " is not supported.", "114", null, "ValidationFault"));
            return;
        }
        if (parts.length == 3 && method.equals("GET")) {
            Optional<ObjectNode> record = realm.get(entity, parts[2]);
            if (record.isEmpty()) {
                notFound(exchange, entity, parts[2]);
            } else {
                answer(exchange, entity, record.get());
            }
            return;
        }
        if (parts.length == 2 && method.equals("POST")) {
            write(exchange, entity);
            return;
        }
        fake.violation(exchange, method + " is not how QuickBooks takes " + entity + " (GET /{entity}/{id}, POST /{entity})");
        QuickBooksFake.send(exchange, 405, QuickBooksFake.fault("Unsupported Operation",
                "Operation " + method + " " + exchange.getRequestURI().getPath() + " is not supported.", "114", null,
                "ValidationFault"));
    }

    /** What a write came to: the status and the body QuickBooks answers with. */
    record Outcome(int status, ObjectNode body) {
    }

    private void write(HttpExchange exchange, String entity) throws IOException {
        String type = exchange.getRequestHeaders().getFirst("Content-Type");
        if (type == null || !type.startsWith("application/json")) {
            fake.violation(exchange, "Content-Type " + type + " instead of application/json");
        }
        JsonNode body;
        try {
            body = QuickBooksFake.JSON.readTree(QuickBooksFake.read(exchange));
        } catch (IOException e) {
            body = null;
        }
        if (body == null || !body.isObject()) {
            fake.violation(exchange, "the body is not a JSON object");
            validation(exchange, "Request has invalid or unsupported property", "the body is not a JSON object", "2010", null);
            return;
        }
        Outcome outcome = apply(exchange, entity, body, body.hasNonNull("Id") ? "update" : "create");
        QuickBooksFake.send(exchange, outcome.status(), outcome.body().toString());
    }

    /** One create or update, as {@code POST /{entity}} or an item of {@code /batch} does it. */
    private Outcome apply(HttpExchange exchange, String entity, JsonNode body, String operation) {
        Optional<String> unknown = schema.unknownField(entity, body);
        if (unknown.isPresent()) {
            fake.violation(exchange, entity + " has no field " + unknown.get() + " (Intuit's XSD)");
            return fault("Request has invalid or unsupported property",
                    "Property Name:" + unknown.get() + " specified is unsupported or invalid", "2010", unknown.get());
        }
        if (operation.equals("create")) {
            if (body.hasNonNull("Id")) {
                fake.violation(exchange, "a create with an Id");
            }
            Optional<String[]> missing = required(entity, body);
            if (missing.isPresent()) {
                return fault("Required param missing, need to supply the required value for the API",
                        "Required parameter " + missing.get()[0] + " is missing in the request", "2020", missing.get()[0]);
            }
            Optional<String[]> invalid = invalid(entity, body, null);
            if (invalid.isPresent()) {
                return fault(invalid.get()[1], invalid.get()[2], invalid.get()[3], invalid.get()[0]);
            }
            fake.countWrite();
            return record(entity, realm.create(entity, body));
        }
        if (!body.hasNonNull("Id") || !body.hasNonNull("SyncToken")) {
            String missing = body.hasNonNull("Id") ? "SyncToken" : "Id";
            return fault("Required param missing, need to supply the required value for the API",
                    "Required parameter " + missing + " is missing in the request", "2020", missing);
        }
        String id = body.get("Id").asText();
        if (realm.get(entity, id).isEmpty()) {
            return notFoundOutcome(entity, id);
        }
        Optional<String[]> invalid = invalid(entity, body, id);
        if (invalid.isPresent()) {
            return fault(invalid.get()[1], invalid.get()[2], invalid.get()[3], invalid.get()[0]);
        }
        fake.takeRace(entity, id).ifPresent(change -> realm.change(entity, id, change));
        try {
            ObjectNode updated = realm.update(entity, id, body, body.get("SyncToken").asText(),
                    body.path("sparse").asBoolean(false));
            fake.countWrite();
            return record(entity, updated);
        } catch (QuickBooksRealm.StaleObjectException stale) {
            return fault("Stale Object Error", stale.getMessage(), "5010", null);
        }
    }

    /** {@code POST /batch}: up to 30 creates, updates and queries, each answered on its own. */
    private void batch(HttpExchange exchange) throws IOException {
        JsonNode body;
        try {
            body = QuickBooksFake.JSON.readTree(QuickBooksFake.read(exchange));
        } catch (IOException e) {
            body = null;
        }
        JsonNode items = body == null ? null : body.get("BatchItemRequest");
        if (items == null || !items.isArray() || items.isEmpty()) {
            fake.violation(exchange, "a batch without BatchItemRequest items");
            validation(exchange, "Request has invalid or unsupported property", "BatchItemRequest is missing", "2010",
                    "BatchItemRequest");
            return;
        }
        if (items.size() > MAX_BATCH) {
            fake.violation(exchange, "a batch of " + items.size() + " items; QuickBooks takes " + MAX_BATCH);
            validation(exchange, "Batch size limit exceeded", "The maximum number of batch items is " + MAX_BATCH, "2040",
                    "BatchItemRequest");
            return;
        }
        ObjectNode answer = QuickBooksFake.JSON.createObjectNode();
        ArrayNode responses = answer.putArray("BatchItemResponse");
        for (JsonNode item : items) {
            String bId = item.path("bId").asText("");
            if (bId.isEmpty()) {
                fake.violation(exchange, "a batch item without bId");
            }
            String entity = QuickBooksFake.ENTITIES.values().stream().filter(item::has).findFirst().orElse(null);
            String operation = item.path("operation").asText("");
            ObjectNode response;
            if (entity != null && (operation.equals("create") || operation.equals("update"))) {
                response = apply(exchange, entity, item.get(entity), operation).body();
                response.remove("time");
            } else {
                fake.violation(exchange, "batch item " + bId + " is neither a create nor an update of Customer, Item"
                        + " or Invoice");
                response = fault("Unsupported Operation", "batch item " + bId + " is not supported", "114", null).body();
                response.remove("time");
            }
            response.put("bId", bId);
            responses.add(response);
        }
        answer.put("time", Instant.now().toString());
        QuickBooksFake.send(exchange, 200, answer.toString());
    }

    private static Outcome record(String entity, ObjectNode record) {
        ObjectNode answer = QuickBooksFake.JSON.createObjectNode();
        answer.set(entity, record);
        answer.put("time", Instant.now().toString());
        return new Outcome(200, answer);
    }

    private static Outcome fault(String message, String detail, String code, String element) {
        try {
            return new Outcome(400, (ObjectNode) QuickBooksFake.JSON.readTree(
                    QuickBooksFake.fault(message, detail, code, element, "ValidationFault")));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Outcome notFoundOutcome(String entity, String id) {
        return fault("Object Not Found", "Object Not Found : Something you're trying to use has been made"
                + " inactive. Check the fields with accounts, customers, items, vendors or employees. (" + entity + " "
                + id + ")", "610", null);
    }

    /** The first field a create must have and does not: {name}. */
    private static Optional<String[]> required(String entity, JsonNode body) {
        switch (entity) {
            case "Customer" -> {
                boolean named = List.of("DisplayName", "GivenName", "FamilyName", "MiddleName", "Title", "Suffix")
                        .stream().anyMatch(f -> body.hasNonNull(f) && !body.get(f).asText().isBlank());
                return named ? Optional.empty() : Optional.of(new String[] {"DisplayName"});
            }
            case "Item" -> {
                for (String f : List.of("Name", "Type")) {
                    if (!body.hasNonNull(f)) {
                        return Optional.of(new String[] {f});
                    }
                }
                if (body.get("Type").asText().equals("Inventory")) {
                    for (String f : List.of("QtyOnHand", "InvStartDate")) {
                        if (!body.hasNonNull(f)) {
                            return Optional.of(new String[] {f});
                        }
                    }
                }
                return Optional.empty();
            }
            default -> {
                if (!body.path("CustomerRef").hasNonNull("value")) {
                    return Optional.of(new String[] {"CustomerRef"});
                }
                if (!body.path("Line").isArray() || body.path("Line").isEmpty()) {
                    return Optional.of(new String[] {"Line"});
                }
                return Optional.empty();
            }
        }
    }

    /** A value QuickBooks refuses: {element, message, detail, code}. */
    private Optional<String[]> invalid(String entity, JsonNode body, String id) {
        if (entity.equals("Customer")) {
            JsonNode email = body.path("PrimaryEmailAddr").path("Address");
            if (email.isTextual() && !email.asText().isEmpty() && !email.asText().matches("[^@\\s]+@[^@\\s]+\\.[^@\\s]+")) {
                return Optional.of(new String[] {"PrimaryEmailAddr.Address",
                        "A business validation error has occurred while processing your request",
                        "Business Validation Error: Invalid email address format: " + email.asText(), "6000"});
            }
            JsonNode name = body.path("DisplayName");
            if (name.isTextual()) {
                boolean taken = realm.all("Customer").stream().anyMatch(c ->
                        c.path("DisplayName").asText().equalsIgnoreCase(name.asText()) && !c.get("Id").asText().equals(id));
                if (taken) {
                    return Optional.of(new String[] {"DisplayName", "Duplicate Name Exists Error",
                            "The name supplied already exists. : Another customer, vendor or employee is already using"
                                    + " this name. Please use a different name.", "6240"});
                }
                if (name.asText().contains(":")) {
                    return Optional.of(new String[] {"DisplayName", "Invalid character",
                            "The customer name must not contain a colon (:).", "2040"});
                }
            }
        }
        if (entity.equals("Item") && body.has("QtyOnHand") && !body.get("QtyOnHand").isNumber()) {
            return Optional.of(new String[] {"QtyOnHand", "Invalid Number",
                    "QtyOnHand: " + body.get("QtyOnHand") + " is not a number", "2030"});
        }
        if (entity.equals("Invoice") && body.path("CustomerRef").hasNonNull("value")
                && realm.get("Customer", body.path("CustomerRef").path("value").asText()).isEmpty()) {
            return Optional.of(new String[] {"CustomerRef", "Invalid Reference Id",
                    "Invalid Reference Id : Customer assigned to this transaction has been deleted.", "2500"});
        }
        return Optional.empty();
    }

    private void query(HttpExchange exchange, String text) throws IOException {
        Matcher m = text == null ? null : QUERY.matcher(text);
        if (m == null || !m.matches()) {
            fake.violation(exchange, "a query the fake (and QuickBooks) cannot read: " + text);
            queryError(exchange, "Error parsing query", "QueryParserError: Encountered an unexpected token in " + text);
            return;
        }
        String entity = QuickBooksFake.ENTITIES.values().stream().filter(e -> e.equalsIgnoreCase(m.group(1)))
                .findFirst().orElse(null);
        if (entity == null) {
            fake.violation(exchange, "no entity " + m.group(1));
            queryError(exchange, "Invalid query", "QueryValidationError: Entity " + m.group(1) + " is not supported");
            return;
        }
        String field = m.group(2);
        if (field != null && !schema.hasField(entity, field.split("\\.")[0])) {
            fake.violation(exchange, entity + " has no field " + field + " to query by");
            queryError(exchange, "Invalid query", "QueryValidationError: property '" + field + "' is not queryable");
            return;
        }
        List<String> values = new java.util.ArrayList<>();
        if (m.group(3) != null) {
            values.add(m.group(3).replaceAll("\\\\(.)", "$1"));
        } else if (m.group(4) != null) {
            Matcher each = Pattern.compile("'((?:[^'\\\\]|\\\\.)*)'").matcher(m.group(4));
            while (each.find()) {
                values.add(each.group(1).replaceAll("\\\\(.)", "$1"));
            }
        }
        int start = m.group(7) == null ? 1 : Integer.parseInt(m.group(7));
        int max = m.group(8) == null ? 100 : Integer.parseInt(m.group(8));
        if (start < 1 || max > 1000) {
            fake.violation(exchange, "STARTPOSITION starts at 1 and MAXRESULTS is at most 1000");
            queryError(exchange, "Invalid query", "QueryValidationError: STARTPOSITION " + start + " MAXRESULTS " + max);
            return;
        }
        List<ObjectNode> matching = realm.all(entity).stream()
                .filter(r -> field == null || values.contains(path(r, field))).toList();
        ObjectNode answer = QuickBooksFake.JSON.createObjectNode();
        ObjectNode response = answer.putObject("QueryResponse");
        List<ObjectNode> page = matching.stream().skip(start - 1L).limit(max).toList();
        if (!page.isEmpty()) {
            ArrayNode list = response.putArray(entity);
            page.forEach(list::add);
            response.put("startPosition", start);
            response.put("maxResults", page.size());
        }
        answer.put("time", Instant.now().toString());
        QuickBooksFake.send(exchange, 200, answer.toString());
    }

    private static String path(JsonNode record, String dotted) {
        JsonNode node = record;
        for (String part : dotted.split("\\.")) {
            node = node.path(part);
        }
        return node.isValueNode() ? node.asText() : null;
    }

    private static void answer(HttpExchange exchange, String entity, ObjectNode record) throws IOException {
        ObjectNode answer = QuickBooksFake.JSON.createObjectNode();
        answer.set(entity, record);
        answer.put("time", Instant.now().toString());
        QuickBooksFake.send(exchange, 200, answer.toString());
    }

    private static void notFound(HttpExchange exchange, String entity, String id) throws IOException {
        validation(exchange, "Object Not Found", "Object Not Found : Something you're trying to use has been made"
                + " inactive. Check the fields with accounts, customers, items, vendors or employees. (" + entity + " "
                + id + ")", "610", null);
    }

    private static void validation(HttpExchange exchange, String message, String detail, String code, String element)
            throws IOException {
        QuickBooksFake.send(exchange, 400, QuickBooksFake.fault(message, detail, code, element, "ValidationFault"));
    }

    private static void queryError(HttpExchange exchange, String message, String detail) throws IOException {
        QuickBooksFake.send(exchange, 400, QuickBooksFake.fault(message, detail, "4000", null, "ValidationFault"));
    }
}
