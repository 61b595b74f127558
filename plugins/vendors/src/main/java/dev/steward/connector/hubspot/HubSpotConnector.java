package dev.steward.connector.hubspot;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
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
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A hubspot system: CRM v3 objects ({@code /crm/v3/objects/{type}}) read by record id or by a
 * unique {@code idProperty}, updated with {@code PATCH}, created with {@code POST}, written in
 * batches with {@code batch/upsert}, listed with {@code after} cursors. HubSpot sends and takes
 * every property as text; numbers and booleans are written as their plain text and read back
 * as the entity's {@code types} say.
 *
 * <p>Versions: a record's version is its {@code updatedAt}. HubSpot has no conditional write,
 * so a versioned write reads the record first and refuses with {@link VersionConflictException}
 * when {@code updatedAt} moved; a change landing between that read and the write is not seen.
 *
 * <p>Thread-safe: the transport, the token and the rate limit are shared by all calls.
 */
final class HubSpotConnector implements Connector {

    /** HubSpot's most records per list page and per batch call. */
    static final int MAX_PAGE = 100;

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String system;
    private final HubSpotSettings settings;
    private final SystemHttp http;
    private final HubSpotTokens tokens;
    private final HubSpotRateLimit limit;

    HubSpotConnector(String system, HubSpotSettings settings, SystemHttp http, HubSpotTokens tokens,
                     HubSpotRateLimit limit) {
        this.system = system;
        this.settings = settings;
        this.http = http;
        this.tokens = tokens;
        this.limit = limit;
    }

    @Override
    public Optional<Map<String, Object>> read(EntityConfig entity, String key) {
        return readRecord(entity, key).map(SystemRecord::fields);
    }

    @Override
    public Optional<SystemRecord> readRecord(EntityConfig entity, String key) {
        HubSpotSettings.ObjectSettings object = object(entity);
        String query = "?properties=" + HubSpotJson.query(String.join(",", requested(object)))
                + object.idProperty().map(p -> "&idProperty=" + HubSpotJson.query(p)).orElse("");
        SystemHttp.Answer answer = call("GET", path(object) + "/" + HubSpotJson.segment(key) + query, null);
        if (answer.status() == 404) {
            return Optional.empty();
        }
        JsonNode body = expect(answer, "GET " + object.objectType() + " " + key, entity, key);
        return Optional.of(record(object, key, body));
    }

    @Override
    public void upsert(EntityConfig entity, String key, Map<String, Object> fields, WriteOptions options) {
        upsert(entity, RecordWrite.of(key, fields, options));
    }

    @Override
    public void upsert(EntityConfig entity, RecordWrite write) {
        HubSpotSettings.ObjectSettings object = object(entity);
        if (write.expectedVersion().isPresent()) {
            Optional<String> now = readRecord(entity, write.key()).flatMap(SystemRecord::version);
            if (!now.equals(write.expectedVersion())) {
                throw new VersionConflictException(system + ": " + object.objectType() + " " + write.key()
                        + " changed since it was read (updatedAt " + write.expectedVersion().get() + ", now "
                        + now.orElse("gone") + ")", write.key());
            }
        }
        ObjectNode properties = HubSpotJson.properties(object, write.fields(), system, entity.name(), write.key());
        ObjectNode body = JSON.createObjectNode().set("properties", properties);
        String what = "PATCH " + object.objectType() + " " + write.key();
        String query = object.idProperty().map(p -> "?idProperty=" + HubSpotJson.query(p)).orElse("");
        SystemHttp.Answer answer = call("PATCH", path(object) + "/" + HubSpotJson.segment(write.key()) + query, body);
        if (answer.status() == 404 && object.idProperty().isPresent()) {
            properties.put(object.idProperty().get(), write.key());
            what = "POST " + object.objectType() + " " + write.key();
            answer = call("POST", path(object), body);
            if (answer.status() == 409) {
                throw new SystemUnavailableException(system + ": " + object.objectType() + " " + write.key()
                        + " was created by someone else at the same time; the write is retried as an update");
            }
        } else if (answer.status() == 404) {
            throw new WriteRefusedException(system + ": HubSpot has no " + object.objectType() + " with id "
                    + write.key() + ", and HubSpot chooses record ids itself: set entities." + entity.name()
                    + ".idProperty to a unique property (email, an external id) to create records", 404,
                    HubSpotJson.shorten(answer.body()));
        }
        expect(answer, what, entity, write.key());
    }

    /**
     * With an {@code idProperty}, one {@code batch/upsert} call per 100 records (several writes
     * to one key merged in order); otherwise, or with versions, one record at a time.
     */
    @Override
    public void upsertAll(EntityConfig entity, List<RecordWrite> writes) {
        HubSpotSettings.ObjectSettings object = object(entity);
        if (object.idProperty().isEmpty() || writes.stream().anyMatch(w -> w.expectedVersion().isPresent())) {
            Connector.super.upsertAll(entity, writes);
            return;
        }
        Map<String, Map<String, Object>> merged = new LinkedHashMap<>();
        for (RecordWrite write : writes) {
            merged.computeIfAbsent(write.key(), k -> new LinkedHashMap<>()).putAll(write.fields());
        }
        List<Map.Entry<String, Map<String, Object>>> all = new ArrayList<>(merged.entrySet());
        for (int from = 0; from < all.size(); from += MAX_PAGE) {
            ArrayNode inputs = JSON.createArrayNode();
            for (Map.Entry<String, Map<String, Object>> e : all.subList(from, Math.min(all.size(), from + MAX_PAGE))) {
                inputs.addObject().put("id", e.getKey()).put("idProperty", object.idProperty().get())
                        .set("properties", HubSpotJson.properties(object, e.getValue(), system, entity.name(), e.getKey()));
            }
            ObjectNode body = JSON.createObjectNode().set("inputs", inputs);
            SystemHttp.Answer answer = call("POST", path(object) + "/batch/upsert", body);
            JsonNode result = expect(answer, "batch upsert of " + inputs.size() + " " + object.objectType(), entity,
                    all.get(from).getKey());
            if (answer.status() == 207 && result.path("errors").size() > 0) {
                JsonNode error = result.path("errors").get(0);
                throw new WriteRefusedException(system + ": HubSpot refused part of a batch upsert of "
                        + object.objectType() + ": " + error.path("message").asText(), 207,
                        HubSpotJson.shorten(answer.body()));
            }
        }
    }

    @Override
    public Page list(EntityConfig entity, Optional<String> cursor, int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1, not " + limit);
        }
        HubSpotSettings.ObjectSettings object = object(entity);
        String query = "?limit=" + Math.min(limit, MAX_PAGE) + "&properties="
                + HubSpotJson.query(String.join(",", requested(object)))
                + cursor.map(c -> "&after=" + HubSpotJson.query(c)).orElse("");
        SystemHttp.Answer answer = call("GET", path(object) + query, null);
        JsonNode body = expect(answer, "list " + object.objectType(), entity, cursor.orElse("(first page)"));
        List<SystemRecord> records = new ArrayList<>();
        for (JsonNode item : body.path("results")) {
            Optional<String> key = object.idProperty().isPresent()
                    ? Optional.ofNullable(item.path("properties").path(object.idProperty().get()).textValue())
                    .filter(k -> !k.isEmpty())
                    : Optional.ofNullable(item.path("id").asText(null));
            // a record without its idProperty value cannot be addressed by Steward's key
            key.ifPresent(k -> records.add(record(object, k, item)));
        }
        Optional<String> next = Optional.ofNullable(body.path("paging").path("next").path("after").textValue())
                .filter(a -> !a.isEmpty());
        return new Page(records, next);
    }

    @Override
    public void close() {
        http.close();
    }

    private SystemRecord record(HubSpotSettings.ObjectSettings object, String key, JsonNode item) {
        Map<String, Object> fields = new LinkedHashMap<>();
        JsonNode properties = item.path("properties");
        for (Map.Entry<String, String> field : object.properties().entrySet()) {
            if (properties.has(field.getValue())) {
                fields.put(field.getKey(), HubSpotJson.value(properties.get(field.getValue()),
                        object.types().get(field.getValue())));
            }
        }
        Optional<String> version = Optional.ofNullable(item.path("updatedAt").textValue());
        return new SystemRecord(key, fields, version);
    }

    private static List<String> requested(HubSpotSettings.ObjectSettings object) {
        List<String> names = new ArrayList<>(new java.util.LinkedHashSet<>(object.properties().values()));
        object.idProperty().filter(p -> !names.contains(p)).ifPresent(names::add);
        return names;
    }

    private HubSpotSettings.ObjectSettings object(EntityConfig entity) {
        HubSpotSettings.ObjectSettings object = settings.objects().get(entity.name());
        if (object == null) {
            throw new ConnectorException(system + " has no entity " + entity.name(), false);
        }
        return object;
    }

    private String path(HubSpotSettings.ObjectSettings object) {
        return "/crm/v3/objects/" + HubSpotJson.segment(object.objectType());
    }

    /**
     * Sends one call with a good token: a 401 with OAuth drops the token and tries once more
     * with a fresh one; a 429 becomes {@link dev.steward.plugin.SystemRateLimitedException}.
     */
    private SystemHttp.Answer call(String method, String pathAndQuery, JsonNode body) {
        limit.before();
        URI uri = URI.create(settings.baseUrl() + pathAndQuery);
        String text = body == null ? null : body.toString();
        for (int attempt = 1; ; attempt++) {
            String token = tokens.token();
            Map<String, String> headers = Map.of("Authorization", "Bearer " + token, "Accept", "application/json");
            SystemHttp.Answer answer;
            try {
                answer = http.send(method, uri, headers, text, text == null ? null : "application/json");
            } catch (IOException e) {
                throw new SystemUnavailableException(system + ": HubSpot " + e.getMessage() + " (" + method + " "
                        + uri.getRawPath() + ")", e);
            }
            limit.after(answer);
            if (answer.status() == 401 && tokens.renewable() && attempt == 1) {
                tokens.rejected(token);
                continue;
            }
            if (answer.status() == 429) {
                throw limit.refused(answer, method + " " + uri.getRawPath());
            }
            return answer;
        }
    }

    /** The answer's JSON when it is a success; otherwise the exception its status and body call for. */
    private JsonNode expect(SystemHttp.Answer answer, String what, EntityConfig entity, String key) {
        int status = answer.status();
        if (status >= 200 && status < 300) {
            try {
                return answer.body().isBlank() ? JSON.createObjectNode() : JSON.readTree(answer.body());
            } catch (IOException e) {
                throw new SystemUnavailableException(system + ": HubSpot answered " + what + " with no JSON: "
                        + e.getMessage(), e);
            }
        }
        throw HubSpotJson.failure(system, status, answer.body(), what + " (" + entity.name() + " " + key + ")");
    }
}
