package dev.steward.connector.dynamics;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.steward.connector.http.SystemHttp;
import dev.steward.plugin.Connector;
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
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A Microsoft Dataverse (Dynamics 365) environment through its Web API
 * ({@code {environmentUrl}/api/data/v9.2/}).
 *
 * <ul>
 *   <li>read: {@code GET accounts(accountnumber='A-1')?$select=...} by the entity's alternate
 *       key, or {@code GET accounts(<guid>)} when the keys are the rows' GUIDs; the row's
 *       {@code @odata.etag} is its version;</li>
 *   <li>write: {@code PATCH} on the same address, which creates or updates (Dataverse's upsert);
 *       {@code If-Match: <etag>} for a versioned write (412: {@link VersionConflictException}),
 *       {@code If-Match: *} for update-only and {@code If-None-Match: *} for create-only
 *       entities;</li>
 *   <li>list: {@code Prefer: odata.maxpagesize=N} and the {@code @odata.nextLink} (its
 *       {@code $skiptoken}) as the cursor;</li>
 *   <li>{@link #upsertAll}: one {@code $batch} change set per thousand records, applied by
 *       Dataverse all or none.</li>
 * </ul>
 *
 * <p>Thread-safe: the token cache is synchronized, everything else is immutable.
 */
final class DynamicsConnector implements Connector {

    private static final ObjectMapper JSON = com.fasterxml.jackson.databind.json.JsonMapper.builder()
            .enable(com.fasterxml.jackson.databind.DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .nodeFactory(com.fasterxml.jackson.databind.node.JsonNodeFactory.withExactBigDecimals(true))
            .build();
    private static final Pattern GUID = Pattern.compile(
            "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

    private final String system;
    private final DynamicsSettings settings;
    private final SystemHttp http;
    private final EntraTokens tokens;
    private final Clock clock;

    DynamicsConnector(String system, DynamicsSettings settings, SystemHttp http, Clock clock) {
        this.system = system;
        this.settings = settings;
        this.http = http;
        this.clock = clock;
        this.tokens = new EntraTokens(system, settings, http, clock);
    }

    @Override
    public Optional<Map<String, Object>> read(EntityConfig entity, String key) {
        return readRecord(entity, key).map(SystemRecord::fields);
    }

    @Override
    public Optional<SystemRecord> readRecord(EntityConfig entity, String key) {
        DynamicsSettings.Entity e = entity(entity);
        String address = address(e, key);
        URI uri = URI.create(settings.apiBase() + address + "?$select=" + String.join(",", e.select()));
        SystemHttp.Answer answer = send("GET", uri, Map.of(), null);
        if (answer.status() == 404) {
            return Optional.empty();
        }
        ODataAnswers.check(system, "GET " + shown(e, key), answer, clock);
        JsonNode row = object(answer, "GET " + shown(e, key));
        return Optional.of(record(e, key, row));
    }

    @Override
    public void upsert(EntityConfig entity, String key, Map<String, Object> fields, WriteOptions options) {
        upsert(entity, RecordWrite.of(key, fields, options));
    }

    @Override
    public void upsert(EntityConfig entity, RecordWrite write) {
        DynamicsSettings.Entity e = entity(entity);
        ODataBatch.Request request = request(e, write);
        String what = "PATCH " + shown(e, write.key()) + " (event " + write.options().eventId() + ")";
        SystemHttp.Answer answer = send("PATCH", URI.create(settings.apiBase() + request.url()), request.headers(),
                request.json());
        if (answer.status() == 412 && write.expectedVersion().isPresent()) {
            throw conflict(entity, write, ODataAnswers.error(answer).message());
        }
        ODataAnswers.check(system, what, answer, clock);
    }

    /**
     * Writes in one {@code $batch} change set per thousand records, which Dataverse applies in
     * one transaction: all of its writes or none. The first failing write's error is thrown;
     * change sets before it stay applied.
     */
    @Override
    public void upsertAll(EntityConfig entity, List<RecordWrite> writes) {
        if (writes.size() < 2) {
            writes.forEach(write -> upsert(entity, write));
            return;
        }
        DynamicsSettings.Entity e = entity(entity);
        for (int from = 0; from < writes.size(); from += ODataBatch.MAX_REQUESTS) {
            List<RecordWrite> chunk = writes.subList(from, Math.min(writes.size(), from + ODataBatch.MAX_REQUESTS));
            batch(entity, e, chunk);
        }
    }

    private void batch(EntityConfig entity, DynamicsSettings.Entity e, List<RecordWrite> writes) {
        List<ODataBatch.Request> requests = new ArrayList<>();
        for (RecordWrite write : writes) {
            ODataBatch.Request request = request(e, write);
            // inside a batch, each request names its full URL
            requests.add(new ODataBatch.Request(request.method(), settings.apiBase() + request.url(),
                    request.headers(), request.json()));
        }
        ODataBatch batch = new ODataBatch(requests);
        String what = "$batch of " + writes.size() + " " + e.entitySet() + " (events "
                + writes.getFirst().options().eventId() + "...)";
        SystemHttp.Answer answer = send("POST", URI.create(settings.apiBase() + "$batch"), Map.of(), batch.body(),
                batch.contentType());
        ODataAnswers.check(system, what, answer, clock);
        List<ODataBatch.Part> parts;
        try {
            parts = ODataBatch.parse(answer.header("Content-Type").orElse(null), answer.body());
        } catch (IllegalArgumentException e1) {
            throw new SystemUnavailableException(system + " answered " + what + " with an unreadable body: "
                    + e1.getMessage());
        }
        for (ODataBatch.Part part : parts) {
            if (part.status() >= 200 && part.status() < 300) {
                continue;
            }
            RecordWrite failed = part.contentId() >= 1 && part.contentId() <= writes.size()
                    ? writes.get(part.contentId() - 1) : null;
            SystemHttp.Answer failure = new SystemHttp.Answer(part.status(), part.headers(), part.body());
            if (part.status() == 412 && failed != null && failed.expectedVersion().isPresent()) {
                throw conflict(entity, failed, ODataAnswers.error(failure).message());
            }
            ODataAnswers.check(system, "PATCH " + (failed == null ? e.entitySet() : shown(e, failed.key()))
                    + " in a " + what + ", none of which was applied", failure, clock);
        }
    }

    private VersionConflictException conflict(EntityConfig entity, RecordWrite write, String said) {
        return new VersionConflictException(system + ": " + entity.name() + " " + write.key()
                + " changed since version " + write.expectedVersion().orElse("?") + " was read: " + said, write.key());
    }

    /** The PATCH of one write: address relative to the API root, preconditions, JSON body. */
    private ODataBatch.Request request(DynamicsSettings.Entity e, RecordWrite write) {
        String address = address(e, write.key());
        ObjectNode body = JSON.createObjectNode();
        for (Map.Entry<String, Object> field : write.fields().entrySet()) {
            // the key is in the address; Dataverse refuses a body that repeats it differently
            if (field.getKey().equals(e.keyAttribute()) && Objects.equals(String.valueOf(field.getValue()), write.key())) {
                continue;
            }
            body.set(field.getKey(), JSON.valueToTree(field.getValue()));
        }
        Map<String, String> headers = new LinkedHashMap<>();
        if (write.expectedVersion().isPresent()) {
            headers.put("If-Match", write.expectedVersion().get());
        } else if (e.write() == DynamicsSettings.WriteMode.UPDATE_ONLY) {
            headers.put("If-Match", "*");
        } else if (e.write() == DynamicsSettings.WriteMode.CREATE_ONLY) {
            headers.put("If-None-Match", "*");
        }
        return new ODataBatch.Request("PATCH", address, headers, body.toString());
    }

    @Override
    public Page list(EntityConfig entity, Optional<String> cursor, int limit) {
        DynamicsSettings.Entity e = entity(entity);
        URI uri;
        if (cursor.isPresent()) {
            if (!cursor.get().startsWith(settings.apiBase().toString())) {
                throw new ConnectorException(system + ": the cursor " + cursor.get() + " is not one of "
                        + settings.apiBase() + " (a nextLink of this environment)", false);
            }
            uri = URI.create(cursor.get());
        } else {
            uri = URI.create(settings.apiBase() + e.entitySet() + "?$select=" + String.join(",", e.select()));
        }
        int size = Math.max(1, Math.min(limit, settings.pageSize()));
        SystemHttp.Answer answer = send("GET", uri, Map.of("Prefer", "odata.maxpagesize=" + size), null);
        String what = "GET " + e.entitySet() + (cursor.isPresent() ? " (next page)" : "");
        ODataAnswers.check(system, what, answer, clock);
        JsonNode page = object(answer, what);
        List<SystemRecord> records = new ArrayList<>();
        for (JsonNode row : page.path("value")) {
            JsonNode key = row.path(e.keyAttribute());
            if (key.isNull() || key.isMissingNode()) {
                continue; // a row without an alternate key value cannot be addressed by Steward
            }
            records.add(record(e, key.asText(), row));
        }
        Optional<String> next = Optional.ofNullable(page.path("@odata.nextLink").textValue());
        return new Page(records, next);
    }

    @Override
    public void close() {
        http.close();
    }

    private SystemRecord record(DynamicsSettings.Entity e, String key, JsonNode row) {
        Map<String, Object> fields = new LinkedHashMap<>();
        for (String attribute : e.fields().values()) {
            if (row.has(attribute)) {
                fields.put(attribute, value(row.get(attribute)));
            }
        }
        return new SystemRecord(key, fields, Optional.ofNullable(row.path("@odata.etag").textValue()));
    }

    private static Object value(JsonNode node) {
        if (node.isNull()) {
            return null;
        }
        if (node.isTextual()) {
            return node.asText();
        }
        if (node.isBoolean()) {
            return node.asBoolean();
        }
        if (node.isIntegralNumber()) {
            return node.canConvertToLong() ? (Object) node.asLong() : node.bigIntegerValue();
        }
        if (node.isNumber()) {
            return node.decimalValue();
        }
        return JSON.convertValue(node, Object.class);
    }

    /** {@code accounts(accountnumber='A-1')} or {@code accounts(<guid>)}, the value quoted and escaped. */
    private String address(DynamicsSettings.Entity e, String key) {
        if (e.key().isPresent()) {
            String literal = "'" + key.replace("'", "''") + "'";
            return e.entitySet() + "(" + e.key().get() + "=" + encode(literal) + ")";
        }
        if (!GUID.matcher(key).matches()) {
            throw new WriteRefusedException(system + ": '" + key + "' is not a GUID; set the entity's key: to the"
                    + " alternate key attribute its keys are values of", 0, "");
        }
        return e.entitySet() + "(" + key + ")";
    }

    /** The address as a person reads it, for messages: {@code accounts(accountnumber='A-1')}. */
    private static String shown(DynamicsSettings.Entity e, String key) {
        return e.entitySet() + "(" + e.key().map(k -> k + "='" + key.replace("'", "''") + "'").orElse(key) + ")";
    }

    /** Percent-encodes a path segment's text (URLEncoder is for forms: space becomes %20, not +). */
    private static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private DynamicsSettings.Entity entity(EntityConfig entity) {
        DynamicsSettings.Entity e = settings.entities().get(entity.name());
        if (e == null) {
            throw new ConnectorException(system + " has no entity " + entity.name(), false);
        }
        return e;
    }

    private JsonNode object(SystemHttp.Answer answer, String what) {
        try {
            JsonNode node = JSON.readTree(answer.body());
            if (node != null && node.isObject()) {
                return node;
            }
        } catch (JsonProcessingException notJson) {
            // reported below
        }
        throw new SystemUnavailableException(system + " answered " + what + " with a body that is not a JSON object: "
                + ODataAnswers.shorten(answer.body()));
    }

    /** Sends with the current token, and once more with a new one if the Web API answers 401. */
    private SystemHttp.Answer send(String method, URI uri, Map<String, String> own, String body) {
        return send(method, uri, own, body, body == null ? null : "application/json");
    }

    private SystemHttp.Answer send(String method, URI uri, Map<String, String> own, String body, String contentType) {
        String token = tokens.token();
        SystemHttp.Answer answer = exchange(method, uri, own, body, contentType, token);
        if (answer.status() != 401) {
            return answer;
        }
        tokens.invalidate(token);
        return exchange(method, uri, own, body, contentType, tokens.token());
    }

    private SystemHttp.Answer exchange(String method, URI uri, Map<String, String> own, String body,
                                      String contentType, String token) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Accept", "application/json");
        headers.put("OData-MaxVersion", "4.0");
        headers.put("OData-Version", "4.0");
        headers.put("Authorization", "Bearer " + token);
        headers.putAll(own);
        try {
            return http.send(method, uri, headers, body, contentType);
        } catch (IOException e) {
            throw new SystemUnavailableException(system + " could not be reached for " + method + " " + uri.getRawPath()
                    + ": " + e.getMessage(), e);
        }
    }
}
