package dev.steward.connector.netsuite;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.steward.connector.http.SystemHttp;
import dev.steward.plugin.ActionNotSupportedException;
import dev.steward.plugin.Connector;
import dev.steward.plugin.ConnectorContext;
import dev.steward.plugin.ConnectorException;
import dev.steward.plugin.EntityConfig;
import dev.steward.plugin.Page;
import dev.steward.plugin.RecordWrite;
import dev.steward.plugin.SystemRateLimitedException;
import dev.steward.plugin.SystemRecord;
import dev.steward.plugin.SystemUnavailableException;
import dev.steward.plugin.VersionConflictException;
import dev.steward.plugin.WriteOptions;
import dev.steward.plugin.WriteRefusedException;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * A NetSuite account through the REST record service ({@code /services/rest/record/v1}).
 *
 * <p>A record is addressed by external id ({@code GET/PUT /{record}/eid:{key}}, the
 * {@code PUT} an upsert: NetSuite creates the record or updates the fields given) or, with
 * {@code key: internalId}, by NetSuite's internal id ({@code GET/PATCH /{record}/{id}}).
 * Lists page with {@code limit}/{@code offset} and {@code hasMore}; NetSuite's list items carry
 * only ids, so each record of a page is read by id. A record's version is its
 * {@code lastModifiedDate}: NetSuite has no conditional write, so a versioned write reads the
 * record first and refuses with {@link VersionConflictException} when it changed (the window
 * between that read and the write stays open; Steward writes one key at a time, so it is only
 * open to people editing the same record in NetSuite in that moment).
 *
 * <p>NetSuite limits the requests an account has in flight, not their rate: at most
 * {@code concurrency} requests of this connector are in flight at once (a fair semaphore), and
 * a refusal for the limit ({@code 429}, {@code SSS_REQUEST_LIMIT_EXCEEDED}) is a
 * {@link SystemRateLimitedException} that Steward retries. Thread-safe.
 */
final class NetSuiteConnector implements Connector {

    /** How long a request waits for one of the connector's permits before it is retried later. */
    static final Duration PERMIT_WAIT = Duration.ofSeconds(60);
    static final int MAX_PAGE = 1000;

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String system;
    private final NetSuiteSettings settings;
    private final ConnectorContext context;
    private final SystemHttp http;
    private final M2mTokens tokens;
    private final Semaphore inFlight;

    NetSuiteConnector(String system, NetSuiteSettings settings, ConnectorContext context, SystemHttp http) {
        this.system = system;
        this.settings = settings;
        this.context = context;
        this.http = http;
        this.tokens = settings.auth() instanceof NetSuiteSettings.M2m m2m
                ? new M2mTokens(system, m2m, http, context.clock()) : null;
        this.inFlight = new Semaphore(settings.concurrency(), true);
    }

    @Override
    public Optional<Map<String, Object>> read(EntityConfig entity, String key) {
        return readRecord(entity, key).map(SystemRecord::fields);
    }

    @Override
    public Optional<SystemRecord> readRecord(EntityConfig entity, String key) {
        URI uri = recordUri(entity, key);
        SystemHttp.Answer answer = send("GET", uri, null);
        if (answer.status() == 404) {
            return Optional.empty();
        }
        failUnlessSuccess("GET", uri, answer);
        JsonNode body = object("GET", uri, answer);
        return Optional.of(new SystemRecord(key, Fields.pick(body, entity.fields().values()), version(body)));
    }

    @Override
    public void upsert(EntityConfig entity, String key, Map<String, Object> fields, WriteOptions options) {
        upsert(entity, RecordWrite.of(key, fields, options));
    }

    @Override
    public void upsert(EntityConfig entity, RecordWrite write) {
        NetSuiteSettings.RecordType type = type(entity);
        if (write.expectedVersion().isPresent()) {
            Optional<SystemRecord> now = readRecord(entity, write.key());
            Optional<String> version = now.flatMap(SystemRecord::version);
            if (!version.equals(write.expectedVersion())) {
                throw new VersionConflictException(system + ": " + type.record() + " " + write.key() + " changed since"
                        + " it was read (lastModifiedDate " + write.expectedVersion().get() + ", now "
                        + version.orElse(now.isPresent() ? "none" : "deleted") + ")", write.key());
            }
        }
        String json;
        try {
            json = JSON.writeValueAsString(Fields.nest(write.fields()));
        } catch (JsonProcessingException | IllegalArgumentException e) {
            throw new WriteRefusedException(system + " cannot write " + type.record() + " " + write.key()
                    + " as JSON: " + e.getMessage(), 0, e.getMessage(), e);
        }
        String method = type.externalId() ? "PUT" : "PATCH";
        URI uri = recordUri(entity, write.key());
        SystemHttp.Answer answer = send(method, uri, json);
        if (answer.status() == 404 && !type.externalId()) {
            throw new WriteRefusedException(system + " has no " + type.record() + " with internal id " + write.key()
                    + " (with key: internalId Steward only updates; key: externalId creates records)", 404,
                    NetSuiteErrors.shorten(answer.body()));
        }
        failUnlessSuccess(method, uri, answer);
        context.logger().log(System.Logger.Level.DEBUG, "{0} answered {1} to {2} {3} (event {4})",
                system, answer.status(), method, uri.getRawPath(), write.options().eventId());
    }

    /**
     * A page of records: {@code GET /{record}?limit=&offset=} for the ids (at most 1,000 a page),
     * then each record by id. The cursor is the next offset; {@code hasMore} says whether there
     * is one. With {@code key: externalId}, records without an external id are left out: Steward
     * could not address them.
     */
    @Override
    public Page list(EntityConfig entity, Optional<String> cursor, int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1, not " + limit);
        }
        NetSuiteSettings.RecordType type = type(entity);
        int size = Math.min(limit, MAX_PAGE);
        long offset = 0;
        if (cursor.isPresent()) {
            try {
                offset = Long.parseLong(cursor.get());
            } catch (NumberFormatException e) {
                throw new ConnectorException(system + " cannot list " + type.record() + " records from '" + cursor.get()
                        + "': not an offset", false);
            }
        }
        if (offset % size != 0) {
            // NetSuite wants the offset to be a multiple of the limit
            size = (int) gcd(offset, size);
        }
        URI uri = URI.create(settings.baseUrl() + NetSuiteSettings.RECORD_PATH + "/" + type.record()
                + "?limit=" + size + "&offset=" + offset);
        SystemHttp.Answer answer = send("GET", uri, null);
        failUnlessSuccess("GET", uri, answer);
        JsonNode body = object("GET", uri, answer);
        JsonNode items = body.get("items");
        if (items == null || !items.isArray()) {
            throw new ConnectorException(system + " answered GET " + uri.getRawPath() + " without items: "
                    + NetSuiteErrors.shorten(answer.body()), false);
        }
        List<SystemRecord> records = new ArrayList<>();
        for (JsonNode item : items) {
            String id = item.path("id").asText("");
            if (id.isEmpty()) {
                continue;
            }
            URI one = URI.create(settings.baseUrl() + NetSuiteSettings.RECORD_PATH + "/" + type.record() + "/"
                    + PathSegments.encode(id));
            SystemHttp.Answer record = send("GET", one, null);
            if (record.status() == 404) {
                continue; // deleted since the page was listed
            }
            failUnlessSuccess("GET", one, record);
            JsonNode fields = object("GET", one, record);
            String key = type.externalId() ? fields.path("externalId").asText("") : id;
            if (!key.isEmpty()) {
                records.add(new SystemRecord(key, Fields.pick(fields, entity.fields().values()), version(fields)));
            }
        }
        boolean more = body.path("hasMore").asBoolean(false);
        return new Page(records, more ? Optional.of(Long.toString(offset + size)) : Optional.empty());
    }

    @Override
    public Map<String, Object> call(String action, Map<String, Object> input) {
        throw new ActionNotSupportedException(system + " (netsuite) has no action '" + action + "'", "call:" + action);
    }

    @Override
    public void close() {
        http.close();
    }

    private static long gcd(long a, long b) {
        return b == 0 ? a : gcd(b, a % b);
    }

    private static Optional<String> version(JsonNode record) {
        JsonNode modified = record.get("lastModifiedDate");
        return modified == null || modified.isNull() ? Optional.empty() : Optional.of(modified.asText());
    }

    private NetSuiteSettings.RecordType type(EntityConfig entity) {
        NetSuiteSettings.RecordType type = settings.records().get(entity.name());
        if (type == null) {
            throw new ConnectorException(system + " has no entity " + entity.name(), false);
        }
        return type;
    }

    private URI recordUri(EntityConfig entity, String key) {
        if (key == null || key.isEmpty()) {
            throw new ConnectorException("cannot address a " + entity.name() + " in " + system + " without a key", false);
        }
        NetSuiteSettings.RecordType type = type(entity);
        return URI.create(settings.baseUrl() + NetSuiteSettings.RECORD_PATH + "/" + type.record() + "/"
                + (type.externalId() ? "eid:" : "") + PathSegments.encode(key));
    }

    private JsonNode object(String method, URI uri, SystemHttp.Answer answer) {
        try {
            JsonNode body = JSON.readTree(answer.body());
            if (body != null && body.isObject()) {
                return body;
            }
        } catch (IOException e) {
            // answered below
        }
        throw new ConnectorException(system + " answered " + answer.status() + " to " + method + " " + uri.getRawPath()
                + " with something other than a JSON object: " + NetSuiteErrors.shorten(answer.body()), false);
    }

    private void failUnlessSuccess(String method, URI uri, SystemHttp.Answer answer) {
        if (answer.status() < 200 || answer.status() >= 300) {
            throw NetSuiteErrors.of(system, method + " " + uri.getRawPath(), answer, context.clock());
        }
    }

    /** Sends with the system's auth, within the concurrency limit; once more with a new token after a 401. */
    private SystemHttp.Answer send(String method, URI uri, String body) {
        if (tokens == null) {
            return exchange(method, uri, body, tbaHeader(method, uri));
        }
        String token = tokens.token();
        SystemHttp.Answer answer = exchange(method, uri, body, "Bearer " + token);
        if (answer.status() != 401) {
            return answer;
        }
        tokens.invalidate(token);
        return exchange(method, uri, body, "Bearer " + tokens.token());
    }

    private String tbaHeader(String method, URI uri) {
        NetSuiteSettings.Tba tba = (NetSuiteSettings.Tba) settings.auth();
        return TbaSignature.header(NetSuiteSettings.realm(settings.accountId()), tba, method, uri, List.of(),
                UUID.randomUUID().toString().replace("-", ""), context.clock().instant().getEpochSecond());
    }

    private SystemHttp.Answer exchange(String method, URI uri, String body, String authorization) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Accept", "application/json");
        headers.put("Authorization", authorization);
        try {
            if (!inFlight.tryAcquire(PERMIT_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new SystemRateLimitedException(system + " had all " + settings.concurrency()
                        + " of its NetSuite requests in flight for " + PERMIT_WAIT.toSeconds() + "s", null);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SystemUnavailableException(system + ": interrupted waiting to send " + method + " " + uri.getRawPath(), e);
        }
        try {
            return http.send(method, uri, headers, body, body == null ? null : "application/json");
        } catch (IOException e) {
            throw new SystemUnavailableException(system + " (NetSuite) could not be reached on " + method + " "
                    + uri.getRawPath() + ": " + Objects.requireNonNullElse(e.getMessage(), e.getClass().getSimpleName()), e);
        } finally {
            inFlight.release();
        }
    }

    /** Percent-encodes a key as one path segment. */
    static final class PathSegments {

        private PathSegments() {
        }

        static String encode(String segment) {
            StringBuilder out = new StringBuilder();
            for (byte b : segment.getBytes(StandardCharsets.UTF_8)) {
                int c = b & 0xff;
                if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                        || c == '-' || c == '.' || c == '_' || c == '~') {
                    out.append((char) c);
                } else {
                    out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                            .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
                }
            }
            return out.toString();
        }
    }
}
