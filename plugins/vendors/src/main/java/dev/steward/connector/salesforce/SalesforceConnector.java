package dev.steward.connector.salesforce;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.steward.connector.http.SystemHttp;
import dev.steward.plugin.Connector;
import dev.steward.plugin.ConnectorContext;
import dev.steward.plugin.ConnectorException;
import dev.steward.plugin.EntityConfig;
import dev.steward.plugin.Page;
import dev.steward.plugin.RecordWrite;
import dev.steward.plugin.SystemRecord;
import dev.steward.plugin.SystemUnavailableException;
import dev.steward.plugin.VersionConflictException;
import dev.steward.plugin.WriteOptions;
import dev.steward.plugin.WriteRefusedException;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.temporal.TemporalAccessor;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A Salesforce org through its REST API: records read by Id or external id, upserted by external
 * id ({@code PATCH /sobjects/{type}/{field}/{value}}), batches through sObject Collections upsert,
 * lists by SOQL with {@code nextRecordsUrl}, Account ETags honoured with {@code If-Match}.
 *
 * <p>Thread-safe: the token is shared under a lock, the rest is immutable or atomic.
 */
final class SalesforceConnector implements Connector {

    /** The most records sObject Collections take in one call. */
    static final int COLLECTION_SIZE = 200;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String QUERY_OPTIONS = "Sforce-Query-Options";

    private final String system;
    private final SalesforceSettings settings;
    private final SystemHttp http;
    private final SalesforceTokens tokens;
    private final ConnectorContext context;
    private final AtomicReference<SalesforceAnswers.ApiUsage> usage = new AtomicReference<>();
    private final AtomicLong warnedAtPercent = new AtomicLong(-1);

    SalesforceConnector(String system, SalesforceSettings settings, SystemHttp http, ConnectorContext context) {
        this.system = system;
        this.settings = settings;
        this.http = http;
        this.context = context;
        this.tokens = new SalesforceTokens(system, settings, http, context.clock());
    }

    @Override
    public Optional<Map<String, Object>> read(EntityConfig entity, String key) {
        return readRecord(entity, key).map(SystemRecord::fields);
    }

    @Override
    public Optional<SystemRecord> readRecord(EntityConfig entity, String key) {
        SalesforceSettings.Entity e = SalesforceSettings.entity(entity);
        Set<String> top = new LinkedHashSet<>();
        entity.fields().values().forEach(f -> top.add(f.split("\\.")[0]));
        String query = top.isEmpty() ? "" : "?fields=" + encode(String.join(",", top));
        String what = "GET " + e.sobject() + " " + address(e, key);
        SystemHttp.Answer answer = send("GET", recordPath(e, key) + query, Map.of(), null, what);
        if (answer.status() == 404) {
            return Optional.empty();
        }
        if (answer.status() == 300) {
            throw new ConnectorException(system + ": several " + e.sobject() + " records have " + address(e, key)
                    + ": " + SalesforceAnswers.choices(answer.body()), false);
        }
        if (answer.status() != 200) {
            throw failure(what, answer);
        }
        JsonNode json = parse(answer, what);
        return Optional.of(new SystemRecord(key, mapped(entity, json), answer.header("ETag")));
    }

    @Override
    public void upsert(EntityConfig entity, String key, Map<String, Object> fields, WriteOptions options) {
        upsert(entity, RecordWrite.of(key, fields, options));
    }

    @Override
    public void upsert(EntityConfig entity, RecordWrite write) {
        SalesforceSettings.Entity e = SalesforceSettings.entity(entity);
        ObjectNode body = JSON.createObjectNode();
        write.fields().forEach((name, value) -> {
            if (!name.equals("Id") && !e.externalId().map(name::equals).orElse(false)) {
                body.set(name, JSON.valueToTree(plain(value)));
            }
        });
        Map<String, String> headers = new LinkedHashMap<>();
        write.expectedVersion().ifPresent(v -> headers.put("If-Match", v));
        String what = "PATCH " + e.sobject() + " " + address(e, write.key());
        SystemHttp.Answer answer = send("PATCH", recordPath(e, write.key()), headers, body.toString(), what);
        switch (answer.status()) {
            case 200, 201, 204 -> {
            }
            case 412 -> throw new VersionConflictException(system + ": " + e.sobject() + " " + write.key()
                    + " changed since it was read (412 to If-Match " + write.expectedVersion().orElse("") + ")",
                    write.key());
            case 300 -> throw new WriteRefusedException(system + ": cannot upsert " + e.sobject() + " "
                    + address(e, write.key()) + ": several records match it: "
                    + String.join(", ", SalesforceAnswers.choices(answer.body()))
                    + "; make the external id field unique", 300, SalesforceAnswers.shorten(answer.body()));
            default -> throw failure(what, answer);
        }
    }

    /**
     * Writes through sObject Collections upsert ({@code allOrNone: false}), up to 200 records a
     * call; a batch that repeats a key is split there, so writes to one key keep their order.
     * Writes with an expected version, and entities keyed by record Id, go one at a time (the
     * collections take no {@code If-Match}). Every record is attempted; then the first refusal is
     * thrown, naming how many were refused.
     */
    @Override
    public void upsertAll(EntityConfig entity, List<RecordWrite> writes) {
        SalesforceSettings.Entity e = SalesforceSettings.entity(entity);
        if (e.externalId().isEmpty() || writes.stream().anyMatch(w -> w.expectedVersion().isPresent())
                || writes.size() == 1) {
            Connector.super.upsertAll(entity, writes);
            return;
        }
        List<String> refused = new ArrayList<>();
        WriteRefusedException first = null;
        List<RecordWrite> chunk = new ArrayList<>();
        Set<String> keys = new HashSet<>();
        for (RecordWrite write : writes) {
            if (chunk.size() == COLLECTION_SIZE || !keys.add(write.key())) {
                first = firstOf(first, collection(e, chunk, refused));
                chunk.clear();
                keys.clear();
                keys.add(write.key());
            }
            chunk.add(write);
        }
        first = firstOf(first, collection(e, chunk, refused));
        if (first != null) {
            throw new WriteRefusedException(system + ": Salesforce refused " + refused.size() + " of " + writes.size()
                    + " " + e.sobject() + " records (" + String.join(", ", refused) + "); first: " + first.getMessage(),
                    first.status(), first.answer());
        }
    }

    private WriteRefusedException collection(SalesforceSettings.Entity e, List<RecordWrite> chunk,
                                             List<String> refused) {
        if (chunk.isEmpty()) {
            return null;
        }
        String field = e.externalId().orElseThrow();
        ObjectNode body = JSON.createObjectNode();
        body.put("allOrNone", false);
        ArrayNode records = body.putArray("records");
        for (RecordWrite write : chunk) {
            ObjectNode record = records.addObject();
            record.putObject("attributes").put("type", e.sobject());
            write.fields().forEach((name, value) -> {
                if (!name.equals("Id")) {
                    record.set(name, JSON.valueToTree(plain(value)));
                }
            });
            record.put(field, write.key());
        }
        String what = "PATCH composite/sobjects/" + e.sobject() + "/" + field + " (" + chunk.size() + " records)";
        SystemHttp.Answer answer = send("PATCH", settings.dataPath() + "/composite/sobjects/" + e.sobject() + "/"
                + field, Map.of(), body.toString(), what);
        if (answer.status() != 200) {
            throw failure(what, answer);
        }
        JsonNode results = parse(answer, what);
        if (!results.isArray() || results.size() != chunk.size()) {
            throw new ConnectorException(system + ": Salesforce answered " + what + " with " + results.size()
                    + " results for " + chunk.size() + " records", false);
        }
        WriteRefusedException first = null;
        for (int i = 0; i < chunk.size(); i++) {
            JsonNode result = results.get(i);
            if (result.path("success").asBoolean(false)) {
                continue;
            }
            String key = chunk.get(i).key();
            refused.add(key);
            List<SalesforceAnswers.Error> errors = new ArrayList<>();
            result.path("errors").forEach(err -> errors.add(SalesforceAnswers.error(err)));
            if (first == null) {
                first = new WriteRefusedException(e.sobject() + " " + field + "=" + key + ": "
                        + SalesforceAnswers.describe(errors, result.toString()), 400, SalesforceAnswers.shorten(
                        result.toString()));
            }
        }
        return first;
    }

    private static WriteRefusedException firstOf(WriteRefusedException a, WriteRefusedException b) {
        return a != null ? a : b;
    }

    /**
     * A page by SOQL ({@code SELECT Id, <fields> FROM <sobject> ORDER BY Id}), the batch size asked
     * with {@code Sforce-Query-Options} (200 to 2,000); the cursor is the {@code nextRecordsUrl},
     * or, when {@code limit} cut a batch short, the batch's URL with {@code #} and the number of its
     * records already returned.
     */
    @Override
    public Page list(EntityConfig entity, Optional<String> cursor, int limit) {
        SalesforceSettings.Entity e = SalesforceSettings.entity(entity);
        String url;
        int skip = 0;
        if (cursor.isEmpty()) {
            Set<String> columns = new LinkedHashSet<>();
            columns.add("Id");
            e.externalId().ifPresent(columns::add);
            columns.addAll(entity.fields().values());
            String soql = "SELECT " + String.join(", ", columns) + " FROM " + e.sobject()
                    + e.externalId().map(f -> " WHERE " + f + " != null").orElse("") + " ORDER BY Id";
            url = settings.dataPath() + "/query?q=" + encode(soql);
        } else {
            String c = cursor.get();
            int hash = c.lastIndexOf('#');
            url = hash < 0 ? c : c.substring(0, hash);
            try {
                skip = hash < 0 ? 0 : Integer.parseInt(c.substring(hash + 1));
            } catch (NumberFormatException bad) {
                skip = -1;
            }
            if (!url.startsWith("/services/data/") || skip < 0) {
                throw new ConnectorException(system + ": '" + c + "' is not a cursor of the salesforce connector", false);
            }
        }
        int batch = Math.clamp(limit, 200, 2000);
        String what = "GET " + e.sobject() + " query";
        SystemHttp.Answer answer = send("GET", url, Map.of(QUERY_OPTIONS, "batchSize=" + batch), null, what);
        if (answer.status() != 200) {
            throw failure(what, answer);
        }
        JsonNode json = parse(answer, what);
        JsonNode records = json.path("records");
        List<SystemRecord> page = new ArrayList<>();
        int i = skip;
        for (; i < records.size() && page.size() < limit; i++) {
            JsonNode record = records.get(i);
            String key = e.externalId().map(f -> record.path(f).asText()).orElse(record.path("Id").asText());
            page.add(SystemRecord.unversioned(key, mapped(entity, record)));
        }
        if (i < records.size()) {
            return new Page(page, Optional.of(url + "#" + i));
        }
        boolean done = json.path("done").asBoolean(true);
        String next = json.path("nextRecordsUrl").asText("");
        return new Page(page, done || next.isBlank() ? Optional.empty() : Optional.of(next));
    }

    /** Refused credentials show in {@code /health} until a token is had again. */
    @Override
    public Optional<String> unreachable() {
        return tokens.refused();
    }

    /** The daily API usage Salesforce last reported, if it did. */
    Optional<SalesforceAnswers.ApiUsage> apiUsage() {
        return Optional.ofNullable(usage.get());
    }

    @Override
    public void close() {
        http.close();
    }

    /**
     * Sends one data call with the session's token; on {@code 401} (an expired session, {@code
     * INVALID_SESSION_ID}) fetches a new token and sends once more.
     */
    private SystemHttp.Answer send(String method, String path, Map<String, String> extra, String body, String what) {
        SystemHttp.Answer answer = null;
        for (int attempt = 0; attempt < 2; attempt++) {
            SalesforceTokens.Session session = tokens.session();
            Map<String, String> headers = new LinkedHashMap<>(extra);
            headers.put("Authorization", "Bearer " + session.accessToken());
            headers.put("Accept", "application/json");
            try {
                answer = http.send(method, URI.create(session.instanceUrl() + path), headers, body,
                        body == null ? null : "application/json");
            } catch (IOException ex) {
                throw new SystemUnavailableException(system + ": Salesforce did not answer " + what + ": "
                        + ex.getMessage(), ex);
            } catch (IllegalArgumentException ex) {
                throw new ConnectorException(system + ": cannot address " + what + ": " + ex.getMessage(), false, ex);
            }
            observe(answer);
            if (answer.status() != 401) {
                return answer;
            }
            tokens.invalidate(session);
        }
        return answer;
    }

    private void observe(SystemHttp.Answer answer) {
        SalesforceAnswers.usage(answer).ifPresent(u -> {
            usage.set(u);
            if (u.max() <= 0) {
                return;
            }
            long percent = u.used() * 100 / u.max();
            if (u.used() < settings.limitWarnAt() * u.max()) {
                warnedAtPercent.set(-1); // the rolling window moved on: warn again when it fills up
            } else if (warnedAtPercent.getAndSet(percent) < percent) {
                context.logger().log(System.Logger.Level.WARNING, system + ": " + u.used() + " of the org's "
                        + u.max() + " daily API requests are used (" + percent + "%); Salesforce refuses calls "
                        + "with REQUEST_LIMIT_EXCEEDED at 100%");
            }
        });
    }

    private ConnectorException failure(String what, SystemHttp.Answer answer) {
        return SalesforceAnswers.failure(system, what, answer, settings.dailyLimitRetry(), context.clock());
    }

    private JsonNode parse(SystemHttp.Answer answer, String what) {
        try {
            return JSON.readTree(answer.body());
        } catch (JsonProcessingException ex) {
            throw new SystemUnavailableException(system + ": Salesforce answered " + what + " with something that "
                    + "is not JSON: " + SalesforceAnswers.shorten(answer.body()), ex);
        }
    }

    private String recordPath(SalesforceSettings.Entity e, String key) {
        return settings.dataPath() + "/sobjects/" + e.sobject() + "/"
                + e.externalId().map(f -> f + "/").orElse("") + segment(key);
    }

    private static String address(SalesforceSettings.Entity e, String key) {
        return e.externalId().map(f -> f + "=" + key).orElse("Id=" + key);
    }

    /** The entity's mapped fields of a record, by native name; dotted names read nested objects. */
    private static Map<String, Object> mapped(EntityConfig entity, JsonNode record) {
        Map<String, Object> fields = new LinkedHashMap<>();
        for (String name : entity.fields().values()) {
            JsonNode node = record;
            for (String part : name.split("\\.")) {
                node = node == null || !node.isObject() || !node.has(part) ? null : node.get(part);
            }
            if (node != null) {
                fields.put(name, node.isNull() ? null : JSON.convertValue(node, Object.class));
            }
        }
        return fields;
    }

    /** Values Jackson writes as Salesforce reads them: dates and times in ISO-8601. */
    private static Object plain(Object value) {
        return value instanceof TemporalAccessor ? value.toString() : value;
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String segment(String key) {
        if (key.isEmpty()) {
            throw new ConnectorException("an empty key cannot address a Salesforce record", false);
        }
        return encode(key);
    }
}
