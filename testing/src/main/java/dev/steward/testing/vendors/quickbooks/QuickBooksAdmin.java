package dev.steward.testing.vendors.quickbooks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;

import java.io.IOException;
import java.util.Map;
import java.util.Optional;

/**
 * The fake's own endpoints, for examples and manual tries (not QuickBooks'): a QuickBooks user's
 * changes, which send webhooks like any other change.
 * <ul>
 *   <li>{@code POST /_fake/{entity}} with a JSON object: creates a record;</li>
 *   <li>{@code POST /_fake/{entity}/{id}} with a JSON object: changes those fields;</li>
 *   <li>{@code GET /_fake/{entity}/{id}}: the record; {@code GET /_fake/violations}: contract violations.</li>
 * </ul>
 */
final class QuickBooksAdmin {

    private QuickBooksAdmin() {
    }

    static void handle(QuickBooksFake fake, HttpExchange exchange, String path) throws IOException {
        String[] parts = path.substring("/_fake/".length()).split("/");
        if (parts[0].equals("violations")) {
            QuickBooksFake.send(exchange, 200, QuickBooksFake.JSON.writeValueAsString(fake.violations()));
            return;
        }
        String entity = QuickBooksFake.upper(parts[0]);
        if (entity == null || parts.length > 2) {
            QuickBooksFake.send(exchange, 404, "{\"error\":\"use /_fake/customer|item|invoice[/{id}]\"}");
            return;
        }
        if (exchange.getRequestMethod().equals("GET") && parts.length == 2) {
            Optional<ObjectNode> record = fake.realm().get(entity, parts[1]);
            QuickBooksFake.send(exchange, record.isPresent() ? 200 : 404,
                    record.map(ObjectNode::toString).orElse("{\"error\":\"no such record\"}"));
            return;
        }
        JsonNode body;
        try {
            body = QuickBooksFake.JSON.readTree(QuickBooksFake.read(exchange));
        } catch (IOException e) {
            body = null;
        }
        if (body == null || !body.isObject()) {
            QuickBooksFake.send(exchange, 400, "{\"error\":\"the body must be a JSON object of fields\"}");
            return;
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> fields = QuickBooksFake.JSON.convertValue(body, Map.class);
        if (parts.length == 1) {
            String id = fake.realm().create(entity, fields);
            QuickBooksFake.send(exchange, 201, fake.realm().get(entity, id).orElseThrow().toString());
        } else if (fake.realm().get(entity, parts[1]).isEmpty()) {
            QuickBooksFake.send(exchange, 404, "{\"error\":\"no such record\"}");
        } else {
            fake.realm().change(entity, parts[1], fields);
            QuickBooksFake.send(exchange, 200, fake.realm().get(entity, parts[1]).orElseThrow().toString());
        }
    }
}
