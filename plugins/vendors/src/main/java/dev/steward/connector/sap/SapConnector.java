package dev.steward.connector.sap;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.steward.connector.http.SystemHttp;
import dev.steward.plugin.ConnectorContext;
import dev.steward.plugin.ConnectorException;
import dev.steward.plugin.Connector;
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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads and writes S/4HANA Cloud records through OData v2 ({@code API_BUSINESS_PARTNER} and the
 * other {@code /sap/opu/odata/sap/} services): read with {@code GET A_BusinessPartner('{key}')
 * ?$format=json}, whose {@code ETag} (or {@code __metadata.etag}) is the record's version;
 * update with {@code PATCH} and {@code If-Match}, a {@code 412} being a
 * {@link VersionConflictException}; create with {@code POST} on the entity set; list with
 * {@code $top}/{@code $skip} ordered by the key.
 *
 * <p>SAP has no upsert by key or external id, so an unconditional upsert reads first, then
 * creates or updates with the ETag it read: a record created by someone else in between makes
 * the create answer {@code 409}, and a record changed in between makes the update answer
 * {@code 412}; either way the connector reads again and tries
 * once more, then reports the system as unavailable so Steward retries the event later.
 * {@code upsertAll} writes one record at a time (SAP's {@code $batch} is multipart and is not
 * used). Thread-safe: immutable settings and a thread-safe {@link SapSession}.
 */
final class SapConnector implements Connector {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String system;
    private final SapSettings settings;
    private final ConnectorContext context;
    private final SystemHttp http;
    private final SapSession session;

    SapConnector(String system, SapSettings settings, SystemHttp http, ConnectorContext context) {
        this.system = system;
        this.settings = settings;
        this.context = context;
        this.http = http;
        this.session = new SapSession(system, http, settings.auth(), context.clock());
    }

    @Override
    public Optional<Map<String, Object>> read(EntityConfig entity, String key) {
        return readRecord(entity, key).map(SystemRecord::fields);
    }

    @Override
    public Optional<SystemRecord> readRecord(EntityConfig entity, String key) {
        SapSettings.Entity where = settings.entity(entity.name());
        URI uri = uri(where, "(" + keyLiteral(key) + ")", "$format=json");
        SystemHttp.Answer answer = session.send("GET", uri, Map.of(), null, serviceRoot(where));
        if (answer.status() == 404) {
            return Optional.empty();
        }
        if (answer.status() != 200) {
            throw SapErrors.forAnswer(system, "GET " + uri.getRawPath(), answer, context.clock(), false);
        }
        JsonNode record = json("GET " + uri.getRawPath(), answer).path("d");
        if (!record.isObject()) {
            throw new ConnectorException(system + " answered GET " + uri.getRawPath() + " without the OData v2 'd'"
                    + " object: " + SapErrors.shorten(answer.body()), false);
        }
        Optional<String> version = answer.header("etag").or(() -> etag(record));
        return Optional.of(new SystemRecord(key, fields(entity, record), version));
    }

    @Override
    public void upsert(EntityConfig entity, String key, Map<String, Object> fields, WriteOptions options) {
        upsert(entity, RecordWrite.of(key, fields, options));
    }

    @Override
    public void upsert(EntityConfig entity, RecordWrite write) {
        SapSettings.Entity where = settings.entity(entity.name());
        if (write.expectedVersion().isPresent()) {
            String version = write.expectedVersion().get();
            int status = update(entity, where, write, version);
            if (status == 412 || status == 404) {
                throw new VersionConflictException(system + " answered " + status + " to PATCH " + where.entitySet()
                        + "(" + keyLiteral(write.key()) + "): " + entity.name() + " " + write.key()
                        + " changed since version " + version + " was read", write.key());
            }
            return;
        }
        // no upsert in OData v2: read, then create or update with the ETag just read; one more round on a race
        for (int attempt = 1; attempt <= 2; attempt++) {
            Optional<SystemRecord> current = readRecord(entity, write.key());
            int status = current.isPresent()
                    ? update(entity, where, write, current.get().version().orElse("*"))
                    : create(entity, where, write);
            if (status < 300) {
                return;
            }
        }
        throw new SystemUnavailableException(system + " kept changing " + entity.name() + " " + write.key()
                + " between Steward's read and write (412/409 twice); the write is retried later");
    }

    /** PATCHes the given fields with {@code If-Match}; answers the status, or throws for other failures. */
    private int update(EntityConfig entity, SapSettings.Entity where, RecordWrite write, String version) {
        Map<String, Object> body = new LinkedHashMap<>(write.fields());
        body.remove(where.keyProperty()); // the key is in the URL; SAP refuses to change it
        URI uri = uri(where, "(" + keyLiteral(write.key()) + ")", null);
        String call = "PATCH " + uri.getRawPath();
        SystemHttp.Answer answer = session.send("PATCH", uri, Map.of("If-Match", version), json(entity, write, body),
                serviceRoot(where));
        if (answer.status() == 412 || answer.status() == 404) {
            return answer.status();
        }
        if (answer.status() >= 300) {
            throw SapErrors.forAnswer(system, call, answer, context.clock(), true);
        }
        logWrite(call, answer, write);
        return answer.status();
    }

    /** POSTs a new record with the key property set; answers the status, 409 for a duplicate. */
    private int create(EntityConfig entity, SapSettings.Entity where, RecordWrite write) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put(where.keyProperty(), write.key());
        body.putAll(write.fields());
        URI uri = uri(where, "", null);
        String call = "POST " + uri.getRawPath();
        SystemHttp.Answer answer = session.send("POST", uri, Map.of(), json(entity, write, body), serviceRoot(where));
        if (answer.status() == 409) {
            return 409;
        }
        if (answer.status() >= 300) {
            throw SapErrors.forAnswer(system, call, answer, context.clock(), true);
        }
        logWrite(call, answer, write);
        return answer.status();
    }

    @Override
    public Page list(EntityConfig entity, Optional<String> cursor, int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1, not " + limit);
        }
        SapSettings.Entity where = settings.entity(entity.name());
        int skip = 0;
        if (cursor.isPresent()) {
            try {
                skip = Integer.parseInt(cursor.get());
            } catch (NumberFormatException e) {
                throw new ConnectorException(system + " cannot list " + entity.name() + " from '" + cursor.get()
                        + "': not a position", false);
            }
        }
        StringBuilder query = new StringBuilder("$format=json&$inlinecount=allpages&$orderby=")
                .append(where.keyProperty()).append("&$top=").append(limit).append("&$skip=").append(skip);
        if (where.filter() != null) {
            query.append("&$filter=").append(encode(where.filter()));
        }
        query.append("&$select=").append(encode(String.join(",", selected(entity, where))));
        URI uri = uri(where, "", query.toString());
        SystemHttp.Answer answer = session.send("GET", uri, Map.of(), null, serviceRoot(where));
        if (answer.status() != 200) {
            throw SapErrors.forAnswer(system, "GET " + uri.getRawPath(), answer, context.clock(), false);
        }
        JsonNode d = json("GET " + uri.getRawPath(), answer).path("d");
        JsonNode results = d.path("results");
        if (!results.isArray()) {
            throw new ConnectorException(system + " answered GET " + uri.getRawPath() + " without d.results: "
                    + SapErrors.shorten(answer.body()), false);
        }
        List<SystemRecord> records = new ArrayList<>();
        for (JsonNode item : results) {
            JsonNode key = item.path(where.keyProperty());
            if (!key.isValueNode() || key.isNull()) {
                throw new ConnectorException(system + " listed a " + where.entitySet() + " without its key "
                        + where.keyProperty(), false);
            }
            records.add(new SystemRecord(key.asText(), fields(entity, item), etag(item)));
        }
        int next = skip + records.size();
        boolean more = d.has("__count") ? next < d.path("__count").asInt(0)
                : records.size() == limit;
        return new Page(records, more && !records.isEmpty() ? Optional.of(Integer.toString(next)) : Optional.empty());
    }

    @Override
    public void close() {
        http.close();
    }

    private static List<String> selected(EntityConfig entity, SapSettings.Entity where) {
        List<String> properties = new ArrayList<>();
        properties.add(where.keyProperty());
        for (String property : entity.fields().values()) {
            if (!properties.contains(property)) {
                properties.add(property);
            }
        }
        return properties;
    }

    private String json(EntityConfig entity, RecordWrite write, Map<String, Object> body) {
        try {
            return JSON.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new WriteRefusedException("cannot write " + entity.name() + " " + write.key() + " to " + system
                    + " as JSON: " + e.getOriginalMessage(), 0, e.getOriginalMessage(), e);
        }
    }

    private JsonNode json(String call, SystemHttp.Answer answer) {
        try {
            return JSON.readTree(answer.body());
        } catch (IOException e) {
            throw new ConnectorException(system + " answered " + call + " with something that is not JSON: "
                    + SapErrors.shorten(answer.body()), false);
        }
    }

    private void logWrite(String call, SystemHttp.Answer answer, RecordWrite write) {
        context.logger().log(System.Logger.Level.DEBUG, "{0} answered {1} to {2} (event {3})",
                system, answer.status(), call, write.options().eventId());
    }

    /** The mapped properties of one OData entry, under their native names; absent ones left out. */
    private static Map<String, Object> fields(EntityConfig entity, JsonNode record) {
        Map<String, Object> fields = new LinkedHashMap<>();
        for (String property : entity.fields().values()) {
            JsonNode value = record.get(property);
            if (value != null) {
                fields.put(property, JSON.convertValue(value, Object.class));
            }
        }
        return fields;
    }

    private static Optional<String> etag(JsonNode record) {
        JsonNode etag = record.path("__metadata").path("etag");
        return etag.isTextual() ? Optional.of(etag.asText()) : Optional.empty();
    }

    /** An OData v2 string key literal: quoted, a quote doubled. */
    static String keyLiteral(String key) {
        return "'" + key.replace("'", "''") + "'";
    }

    private URI serviceRoot(SapSettings.Entity where) {
        return URI.create(settings.baseUrl() + SapSettings.ODATA_ROOT + where.service() + "/"
                + (settings.sapClient() == null ? "" : "?sap-client=" + settings.sapClient()));
    }

    private URI uri(SapSettings.Entity where, String keyPart, String query) {
        String q = query == null ? "" : query;
        if (settings.sapClient() != null) {
            q = q.isEmpty() ? "sap-client=" + settings.sapClient() : q + "&sap-client=" + settings.sapClient();
        }
        String path = settings.baseUrl() + SapSettings.ODATA_ROOT + where.service() + "/" + where.entitySet()
                + encodePath(keyPart);
        return URI.create(q.isEmpty() ? path : path + "?" + q);
    }

    /** Percent-encodes what a path segment cannot hold as it is; keeps ( ) ' of the key predicate. */
    private static String encodePath(String part) {
        return URLEncoder.encode(part, StandardCharsets.UTF_8).replace("+", "%20")
                .replace("%28", "(").replace("%29", ")").replace("%27", "'");
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
