package dev.steward.host;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.steward.run.Values;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A CRM or an ERP as a real HTTP server on 127.0.0.1: {@code GET} and {@code PATCH
 * /customers/{key}} for Steward's http connector. Like a real system it emits a webhook for every
 * change to a record, its users' edits and Steward's writes alike, carrying the whole record and
 * its version (a per-record counter bumped on every change). It does not send them: it queues
 * them, and the test decides when, in what order and how often to deliver them. It records every
 * PATCH and the history of every field. Thread-safe: Steward's workers PATCH while the test reads.
 */
final class SimulatedSystem implements AutoCloseable {

    /** Who changed a field: a person using the system, or Steward through the API. */
    enum Author { USER, STEWARD }

    /** One change of one field, in the order the system applied it. */
    record FieldChange(String key, String field, JsonNode value, Author author, int version) {
    }

    /**
     * One PATCH Steward sent, in canonical field names.
     *
     * @param alreadyHeld the fields whose value the record held already when the PATCH came
     */
    record Patch(String key, Map<String, JsonNode> fields, Set<String> alreadyHeld) {
    }

    /**
     * A webhook the system wants to send: its delivery id, the record key and the whole record.
     *
     * @param authors who set each field's value that the body reports
     */
    record Webhook(String system, String deliveryId, String key, int version, String body, Map<String, Author> authors) {
    }

    private static final class Stored {
        final Map<String, JsonNode> fields = new LinkedHashMap<>();
        final Map<String, Author> authors = new LinkedHashMap<>();
        int version;
    }

    final String name;
    private final String keyName;
    private final String versionName;
    /** canonical field -> the system's own name, dots for nesting */
    private final Map<String, String> nativeNames;
    private final HttpServer server;
    private final ExecutorService executor = Executors.newFixedThreadPool(4);
    private final Map<String, Stored> records = new LinkedHashMap<>();
    private final List<FieldChange> history = new ArrayList<>();
    private final List<Patch> patches = new ArrayList<>();
    private final List<Webhook> outbox = new ArrayList<>();
    private int deliveries;

    SimulatedSystem(String name, String keyName, String versionName, Map<String, String> nativeNames) {
        this.name = name;
        this.keyName = keyName;
        this.versionName = versionName;
        this.nativeNames = Map.copyOf(nativeNames);
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/customers/", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** A person changes one field of a record in this system's UI (creating the record if new). */
    synchronized void userEdit(String key, String field, JsonNode value) {
        apply(key, Map.of(field, value), Author.USER);
    }

    /** The record's current value of a canonical field, or null when it has none. */
    synchronized JsonNode value(String key, String field) {
        Stored stored = records.get(key);
        return stored == null ? null : stored.fields.get(field);
    }

    /** Every change to the fields of these records, oldest first. */
    synchronized List<FieldChange> history(List<String> keys) {
        return history.stream().filter(c -> keys.contains(c.key())).toList();
    }

    /** Every PATCH Steward sent about these records. */
    synchronized List<Patch> patches(List<String> keys) {
        return patches.stream().filter(p -> keys.contains(p.key())).toList();
    }

    /** Takes the webhooks about these records queued since the last call, oldest first. */
    synchronized List<Webhook> takeOutbox(List<String> keys) {
        List<Webhook> taken = outbox.stream().filter(w -> keys.contains(w.key())).toList();
        outbox.removeAll(taken);
        return taken;
    }

    /** The canonical name of a native one, or null. */
    String canonical(String nativeName) {
        return nativeNames.entrySet().stream().filter(e -> e.getValue().equals(nativeName)).map(Map.Entry::getKey)
                .findFirst().orElse(null);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String key = URLDecoder.decode(exchange.getRequestURI().getRawPath().substring("/customers/".length()),
                    StandardCharsets.UTF_8);
            switch (exchange.getRequestMethod()) {
                case "GET" -> {
                    String body;
                    synchronized (this) {
                        Stored stored = records.get(key);
                        body = stored == null ? null : render(key, stored);
                    }
                    respond(exchange, body == null ? 404 : 200, body == null ? "{\"error\":\"no such customer\"}" : body);
                }
                case "PATCH" -> {
                    JsonNode body = Values.JSON.readTree(exchange.getRequestBody());
                    Map<String, JsonNode> fields = new LinkedHashMap<>();
                    List<String> unknown = new ArrayList<>();
                    flatten("", body, (path, value) -> {
                        String field = canonical(path);
                        if (field == null) {
                            unknown.add(path);
                        } else {
                            fields.put(field, value);
                        }
                    });
                    if (!unknown.isEmpty() || fields.isEmpty()) {
                        respond(exchange, 400, "{\"error\":\"unknown or no fields: " + unknown + "\"}");
                        return;
                    }
                    synchronized (this) {
                        Stored stored = records.get(key);
                        Set<String> held = new TreeSet<>();
                        fields.forEach((field, value) -> {
                            if (stored != null && ConvergenceChecks.same(stored.fields.get(field), value)) {
                                held.add(field);
                            }
                        });
                        patches.add(new Patch(key, Map.copyOf(fields), Set.copyOf(held)));
                        apply(key, fields, Author.STEWARD);
                    }
                    respond(exchange, 200, "{}");
                }
                default -> respond(exchange, 405, "{\"error\":\"method not allowed\"}");
            }
        }
    }

    /**
     * Applies a change; fields whose value is the same are no change. If anything changed, the
     * record's version goes up and a webhook with the whole record is queued.
     */
    private void apply(String key, Map<String, JsonNode> fields, Author author) {
        Stored stored = records.computeIfAbsent(key, k -> new Stored());
        List<String> changed = new ArrayList<>();
        fields.forEach((field, value) -> {
            if (!ConvergenceChecks.same(stored.fields.get(field), value)) {
                stored.fields.put(field, value);
                stored.authors.put(field, author);
                changed.add(field);
            }
        });
        if (changed.isEmpty()) {
            return;
        }
        stored.version++;
        for (String field : changed) {
            history.add(new FieldChange(key, field, stored.fields.get(field), author, stored.version));
        }
        outbox.add(new Webhook(name, name + "-" + (++deliveries), key, stored.version, render(key, stored),
                Map.copyOf(stored.authors)));
    }

    private String render(String key, Stored stored) {
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        body.put(keyName, key);
        stored.fields.forEach((field, value) -> {
            String[] path = nativeNames.get(field).split("\\.");
            ObjectNode parent = body;
            for (int i = 0; i < path.length - 1; i++) {
                parent = parent.has(path[i]) ? (ObjectNode) parent.get(path[i]) : parent.putObject(path[i]);
            }
            parent.set(path[path.length - 1], value);
        });
        body.put(versionName, stored.version);
        return body.toString();
    }

    private static void flatten(String prefix, JsonNode node, java.util.function.BiConsumer<String, JsonNode> out) {
        if (!node.isObject()) {
            out.accept(prefix, node);
            return;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            flatten(prefix.isEmpty() ? entry.getKey() : prefix + "." + entry.getKey(), entry.getValue(), out);
        }
    }

    private static void respond(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
