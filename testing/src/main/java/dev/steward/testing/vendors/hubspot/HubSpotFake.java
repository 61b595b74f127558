package dev.steward.testing.vendors.hubspot;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A stateful fake of HubSpot for tests and examples: a real HTTP server on 127.0.0.1 with the
 * CRM v3 objects API ({@code /crm/v3/objects/{type}}: read by id or {@code idProperty},
 * create, {@code PATCH}, {@code batch/upsert}, list with {@code after} cursors), the OAuth token
 * endpoint ({@code /oauth/v1/token}, 30-minute access tokens, rotated refresh tokens) and
 * private app tokens, HubSpot's error bodies, its rate limits and {@code X-HubSpot-RateLimit-*}
 * headers, and webhooks sent HubSpot's way after every change, Steward's writes included
 * ({@code changeSource: INTEGRATION}).
 *
 * <p>It checks every request against the documented CRM v3 shapes (path, verb, query
 * parameters, body fields, property values as strings) and answers what HubSpot would; a
 * request no HubSpot client should send is also kept in {@link #violations()}, so tests can
 * assert that none happened. Test controls (not HubSpot's) live under {@code /_fake/}: POST
 * {@code /_fake/change/{type}} with {@code {"id": "1001", "properties": {...}}} changes a record
 * as a HubSpot user would.
 *
 * <p>Thread-safe. Close it to stop the server and the webhook sender.
 */
public final class HubSpotFake implements AutoCloseable {

    /**
     * One webhook POST: where, its events' ids, its attempt (0 first) and the status it got
     * (0 when it could not connect).
     */
    public record Delivery(URI url, List<String> eventIds, int attempt, int status) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern OBJECTS = Pattern.compile("/crm/v3/objects/([^/]+)(?:/([^/]+))?(?:/([^/]+))?");
    private static final Set<String> READ_PARAMS = Set.of("properties", "propertiesWithHistory", "associations",
            "archived", "idProperty");
    private static final Set<String> LIST_PARAMS = Set.of("limit", "after", "properties", "propertiesWithHistory",
            "associations", "archived");

    private final HttpServer server;
    private final FakeCrm crm;
    private final FakeWebhooks webhooks;
    private final long portalId;
    private final String clientId;
    private final String clientSecret;
    private final Set<String> privateAppTokens = ConcurrentHashMap.newKeySet();
    private final Set<String> refreshTokens = ConcurrentHashMap.newKeySet();
    private final Map<String, Instant> accessTokens = new ConcurrentHashMap<>();
    private final List<String> violations = new CopyOnWriteArrayList<>();
    private final Map<String, Map<String, String>> afterNextRead = new ConcurrentHashMap<>();
    private final AtomicInteger apiWrites = new AtomicInteger();
    private final AtomicInteger rateLimited = new AtomicInteger();
    private final AtomicInteger windowsUsedUp = new AtomicInteger();
    private final AtomicInteger tokenGrants = new AtomicInteger();
    private final AtomicInteger expiredRefusals = new AtomicInteger();
    private volatile Clock clock = Clock.systemUTC();
    private volatile Duration accessTokenLifetime = Duration.ofMinutes(30);
    private volatile boolean rotateRefreshTokens = true;
    private volatile int windowMax = 190;
    private volatile Duration window = Duration.ofSeconds(10);
    private volatile long dailyMax = 650_000;
    private Instant windowStart = Instant.MIN;
    private int windowCount;
    private long dailyCount;

    private HubSpotFake(int port, long portalId, long appId, String clientId, String clientSecret) throws IOException {
        this.portalId = portalId;
        this.clientId = clientId;
        this.clientSecret = clientSecret;
        this.webhooks = new FakeWebhooks(portalId, appId, clientSecret);
        this.crm = new FakeCrm(webhooks::changed);
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
        server.createContext("/", this::handle);
        server.setExecutor(Executors.newFixedThreadPool(8, r -> {
            Thread t = new Thread(r, "fake-hubspot");
            t.setDaemon(true);
            return t;
        }));
        server.start();
    }

    /** Starts a fake account {@code portalId} of an app with this client id and secret, on a free port. */
    public static HubSpotFake start(long portalId, String clientId, String clientSecret) {
        try {
            return new HubSpotFake(0, portalId, 54321, clientId, clientSecret);
        } catch (IOException e) {
            throw new IllegalStateException("cannot start the fake HubSpot: " + e.getMessage(), e);
        }
    }

    /** The base URL to give a hubspot system as {@code baseUrl}. */
    public URI baseUrl() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** Accepts this private app token from now on. */
    public HubSpotFake privateAppToken(String token) {
        privateAppTokens.add(token);
        return this;
    }

    /** A new refresh token, as an app's install would give. */
    public String issueRefreshToken() {
        String token = "refresh-" + UUID.randomUUID();
        refreshTokens.add(token);
        return token;
    }

    /** Access tokens issued from now on last this long (HubSpot: 30 minutes). */
    public HubSpotFake accessTokenLifetime(Duration lifetime) {
        this.accessTokenLifetime = lifetime;
        return this;
    }

    /** Whether each refresh gives a new refresh token and retires the old one (default true). */
    public HubSpotFake rotateRefreshTokens(boolean rotate) {
        this.rotateRefreshTokens = rotate;
        return this;
    }

    /** Every access token issued so far expires now. */
    public void expireAccessTokens() {
        accessTokens.replaceAll((token, expiry) -> clock.instant().minusSeconds(1));
    }

    /** At most {@code max} API calls per {@code interval} (HubSpot: 190 per 10 s), and {@code daily} a day. */
    public synchronized HubSpotFake rateLimit(int max, Duration interval, long daily) {
        this.windowMax = max;
        this.window = interval;
        this.dailyMax = daily;
        this.windowStart = Instant.MIN;
        this.windowCount = 0;
        this.dailyCount = 0;
        return this;
    }

    /** Where webhooks of a subscription ({@code contact}, {@code company}, {@code deal}) go. */
    public HubSpotFake webhook(String subscription, URI url) {
        webhooks.target(subscription, url);
        return this;
    }

    /** Each webhook delivery is tried this many times in all, the n-th retry after {@code delay * 2^(n-1)}. */
    public HubSpotFake webhookRetries(int attempts, Duration delay) {
        webhooks.retries(attempts, delay);
        return this;
    }

    /** Adds a custom property to an object type. */
    public HubSpotFake property(String type, String name, String kind, boolean unique) {
        crm.define(type, name, FakeCrm.Kind.valueOf(kind.toUpperCase(java.util.Locale.ROOT)), unique);
        return this;
    }

    /** Creates or changes a record as a HubSpot user would ({@code changeSource: CRM}); its id. */
    public String change(String type, String id, Map<String, String> properties) {
        FakeCrm.ObjectType objectType = crm.objectType(type).orElseThrow(() ->
                new IllegalArgumentException("no object type " + type));
        synchronized (crm) {
            List<FakeCrm.Invalid> invalid = crm.check(objectType, properties);
            if (!invalid.isEmpty()) {
                throw new IllegalArgumentException("invalid properties: " + invalid);
            }
            Optional<FakeCrm.Rec> rec = id == null ? Optional.empty() : crm.find(objectType, id, Optional.empty());
            if (rec.isPresent()) {
                crm.update(objectType, rec.get(), properties, "CRM");
                return id;
            }
            return String.valueOf(crm.create(objectType, properties, "CRM").id);
        }
    }

    /**
     * Once the record is next read through the API, a HubSpot user changes it: the reader's
     * version is stale at once (for version-conflict tests).
     */
    public void changeAfterNextRead(String type, String id, Map<String, String> properties) {
        afterNextRead.put(type + "/" + id, Map.copyOf(properties));
    }

    /** A record's properties (its set ones), or empty. */
    public Optional<Map<String, String>> record(String type, String id) {
        FakeCrm.ObjectType objectType = crm.objectType(type).orElseThrow();
        synchronized (crm) {
            return crm.find(objectType, id, Optional.empty()).map(r -> Map.copyOf(r.properties));
        }
    }

    /** The id of the record with this value of a unique property, or empty. */
    public Optional<String> idBy(String type, String property, String value) {
        FakeCrm.ObjectType objectType = crm.objectType(type).orElseThrow();
        return crm.find(objectType, value, Optional.of(property)).map(r -> String.valueOf(r.id));
    }

    /** Requests that broke HubSpot's contract, in words; empty when Steward behaved. */
    public List<String> violations() {
        return List.copyOf(violations);
    }

    /** Records created or changed through the API (Steward's writes) so far. */
    public int apiWrites() {
        return apiWrites.get();
    }

    /** Calls answered 429 so far. */
    public int rateLimited() {
        return rateLimited.get();
    }

    /** Windows whose last call was used (an answer said {@code X-HubSpot-RateLimit-Remaining: 0}). */
    public int windowsUsedUp() {
        return windowsUsedUp.get();
    }

    /** Access tokens granted so far. */
    public int tokenGrants() {
        return tokenGrants.get();
    }

    /** Calls refused 401 for an expired access token so far. */
    public int expiredRefusals() {
        return expiredRefusals.get();
    }

    /** Every webhook POST so far, retries included. */
    public List<Delivery> deliveries() {
        return webhooks.deliveries();
    }

    /** Whether no webhook is queued or waiting for a retry. */
    public boolean webhooksIdle() {
        return webhooks.idle();
    }

    @Override
    public void close() {
        server.stop(0);
        webhooks.close();
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }

    // ---- HTTP ----

    record Answer(int status, JsonNode body, Map<String, String> headers) {
        Answer(int status, JsonNode body) {
            this(status, body, Map.of());
        }
    }

    /** HubSpot refuses and the client was at fault: kept as a contract violation too. */
    private final class Violation extends RuntimeException {
        final Answer answer;

        Violation(int status, String category, String message) {
            super(message);
            this.answer = new Answer(status, error(category, message));
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        Answer answer;
        String method = exchange.getRequestMethod();
        String path = exchange.getRequestURI().getRawPath();
        try {
            byte[] body = exchange.getRequestBody().readAllBytes();
            if (path.startsWith("/_fake/")) {
                answer = control(method, path, body);
            } else if (path.equals("/oauth/v1/token")) {
                answer = token(exchange, method, body);
            } else if (path.startsWith("/crm/v3/objects/")) {
                answer = api(exchange, method, path, body);
            } else {
                throw new Violation(404, "NOT_FOUND", "no HubSpot endpoint " + method + " " + path);
            }
        } catch (Violation v) {
            violations.add(method + " " + exchange.getRequestURI() + ": " + v.getMessage());
            answer = v.answer;
        } catch (RuntimeException e) {
            answer = new Answer(500, error("INTERNAL_ERROR", "fake HubSpot failed: " + e));
        }
        byte[] out = answer.body() == null ? new byte[0] : JSON.writeValueAsBytes(answer.body());
        answer.headers().forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
        if (out.length > 0) {
            exchange.getResponseHeaders().add("Content-Type", "application/json;charset=utf-8");
        }
        exchange.sendResponseHeaders(answer.status(), out.length == 0 ? -1 : out.length);
        try (var stream = exchange.getResponseBody()) {
            stream.write(out);
        }
    }

    private Answer token(HttpExchange exchange, String method, byte[] body) {
        if (!method.equals("POST")) {
            throw new Violation(405, "METHOD_NOT_ALLOWED", "the token endpoint takes POST, not " + method);
        }
        String type = Optional.ofNullable(exchange.getRequestHeaders().getFirst("Content-Type")).orElse("");
        if (!type.startsWith("application/x-www-form-urlencoded")) {
            throw new Violation(415, "UNSUPPORTED_MEDIA_TYPE", "the token endpoint takes a form"
                    + " (application/x-www-form-urlencoded), not '" + type + "'");
        }
        Map<String, String> form = query(new String(body, StandardCharsets.UTF_8));
        for (String name : form.keySet()) {
            if (!Set.of("grant_type", "client_id", "client_secret", "refresh_token", "redirect_uri", "code").contains(name)) {
                throw new Violation(400, "BAD_REQUEST", "unknown token request field " + name);
            }
        }
        if (!"refresh_token".equals(form.get("grant_type"))) {
            throw new Violation(400, "BAD_GRANT_TYPE", "grant_type must be refresh_token (or authorization_code,"
                    + " which Steward does not use), not " + form.get("grant_type"));
        }
        if (!clientId.equals(form.get("client_id")) || !clientSecret.equals(form.get("client_secret"))) {
            return new Answer(400, JSON.createObjectNode().put("status", "BAD_CLIENT_ID")
                    .put("message", "missing or invalid client_id / client_secret"));
        }
        String refresh = form.getOrDefault("refresh_token", "");
        if (!refreshTokens.contains(refresh)) {
            return new Answer(400, JSON.createObjectNode().put("status", "BAD_REFRESH_TOKEN")
                    .put("message", "missing or unknown refresh token"));
        }
        if (rotateRefreshTokens) {
            refreshTokens.remove(refresh);
            refresh = issueRefreshToken();
        }
        String access = "access-" + UUID.randomUUID();
        accessTokens.put(access, clock.instant().plus(accessTokenLifetime));
        tokenGrants.incrementAndGet();
        return new Answer(200, JSON.createObjectNode().put("token_type", "bearer").put("refresh_token", refresh)
                .put("access_token", access).put("expires_in", accessTokenLifetime.toSeconds()));
    }

    private Answer api(HttpExchange exchange, String method, String path, byte[] body) {
        String auth = Optional.ofNullable(exchange.getRequestHeaders().getFirst("Authorization")).orElse("");
        if (!auth.startsWith("Bearer ")) {
            throw new Violation(401, "INVALID_AUTHENTICATION", "Authentication credentials not found. This API"
                    + " supports OAuth 2.0 authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview");
        }
        String token = auth.substring("Bearer ".length());
        Instant expiry = accessTokens.get(token);
        if (expiry != null && !clock.instant().isBefore(expiry)) {
            expiredRefusals.incrementAndGet();
            return new Answer(401, error("EXPIRED_AUTHENTICATION", "The OAuth token used to make this call expired"));
        }
        if (expiry == null && !privateAppTokens.contains(token)) {
            throw new Violation(401, "INVALID_AUTHENTICATION", "the access token is not one this account issued");
        }
        Map<String, String> limits = new LinkedHashMap<>();
        Optional<Answer> refused = countCall(limits);
        if (refused.isPresent()) {
            return refused.get();
        }
        Answer answer = route(exchange, method, path, body);
        Map<String, String> headers = new LinkedHashMap<>(answer.headers());
        headers.putAll(limits);
        return new Answer(answer.status(), answer.body(), headers);
    }

    /** Counts one API call against the limits; the 429 when over. */
    private synchronized Optional<Answer> countCall(Map<String, String> headers) {
        Instant now = clock.instant();
        if (!now.isBefore(windowStart.plus(window))) {
            windowStart = now;
            windowCount = 0;
        }
        String policy = windowCount >= windowMax ? "SECONDLY" : dailyCount >= dailyMax ? "DAILY" : null;
        if (policy == null) {
            windowCount++;
            dailyCount++;
            if (windowCount == windowMax) {
                windowsUsedUp.incrementAndGet();
            }
        }
        headers.put("X-HubSpot-RateLimit-Interval-Milliseconds", String.valueOf(window.toMillis()));
        headers.put("X-HubSpot-RateLimit-Max", String.valueOf(windowMax));
        headers.put("X-HubSpot-RateLimit-Remaining", String.valueOf(windowMax - windowCount));
        headers.put("X-HubSpot-RateLimit-Daily", String.valueOf(dailyMax));
        headers.put("X-HubSpot-RateLimit-Daily-Remaining", String.valueOf(dailyMax - dailyCount));
        if (policy != null) {
            rateLimited.incrementAndGet();
            return Optional.of(new Answer(429, JSON.createObjectNode().put("status", "error")
                    .put("message", policy.equals("DAILY") ? "You have reached your daily limit."
                            : "You have reached your secondly limit.")
                    .put("errorType", "RATE_LIMIT").put("correlationId", UUID.randomUUID().toString())
                    .put("policyName", policy).put("requestId", UUID.randomUUID().toString()), Map.copyOf(headers)));
        }
        return Optional.empty();
    }

    private Answer route(HttpExchange exchange, String method, String path, byte[] body) {
        Matcher m = OBJECTS.matcher(path);
        if (!m.matches()) {
            throw new Violation(404, "NOT_FOUND", "no CRM v3 endpoint " + path);
        }
        String typeName = decode(m.group(1));
        FakeCrm.ObjectType type = crm.objectType(typeName).orElseThrow(() -> new Violation(400, "OBJECT_TYPE_NOT_FOUND",
                "Unable to infer object type from: " + typeName));
        Map<String, String> params = query(Optional.ofNullable(exchange.getRequestURI().getRawQuery()).orElse(""));
        String second = m.group(2) == null ? null : decode(m.group(2));
        String third = m.group(3);
        if (second == null) {
            return switch (method) {
                case "GET" -> list(type, params);
                case "POST" -> create(type, exchange, params, body);
                default -> throw new Violation(405, "METHOD_NOT_ALLOWED", method + " is not allowed on " + path);
            };
        }
        if (second.equals("batch") && third != null) {
            if (!method.equals("POST")) {
                throw new Violation(405, "METHOD_NOT_ALLOWED", "batch calls are POST, not " + method);
            }
            if (!third.equals("upsert")) {
                throw new Violation(404, "NOT_FOUND", "the fake has batch/upsert only, not batch/" + third);
            }
            return FakeRequests.batchUpsert(this, crm, type, contentType(exchange), params, body, apiWrites);
        }
        if (third != null) {
            throw new Violation(404, "NOT_FOUND", "no CRM v3 endpoint " + path);
        }
        return switch (method) {
            case "GET" -> read(type, second, params);
            case "PATCH" -> FakeRequests.patch(this, crm, type, second, contentType(exchange), params, body, apiWrites);
            default -> throw new Violation(405, "METHOD_NOT_ALLOWED", method + " is not allowed on " + path);
        };
    }

    private Answer read(FakeCrm.ObjectType type, String id, Map<String, String> params) {
        allowed(params, READ_PARAMS);
        Optional<String> idProperty = idProperty(type, params);
        synchronized (crm) {
            return crm.find(type, id, idProperty).map(r -> {
                        Answer answer = new Answer(200, object(type, r, params));
                        Map<String, String> change = afterNextRead.remove(type.name + "/" + r.id);
                        if (change != null) {
                            crm.update(type, r, change, "CRM");
                        }
                        return answer;
                    })
                    .orElseGet(() -> new Answer(404, error("OBJECT_NOT_FOUND", "Object not found.  objectId are usually"
                            + " numeric.")));
        }
    }

    private Answer list(FakeCrm.ObjectType type, Map<String, String> params) {
        allowed(params, LIST_PARAMS);
        int limit = 10;
        if (params.containsKey("limit")) {
            try {
                limit = Integer.parseInt(params.get("limit"));
            } catch (NumberFormatException e) {
                throw new Violation(400, "VALIDATION_ERROR", "limit '" + params.get("limit") + "' is not a number");
            }
            if (limit < 1 || limit > 100) {
                throw new Violation(400, "VALIDATION_ERROR", "limit must be between 1 and 100, not " + limit);
            }
        }
        long after = 0;
        if (params.containsKey("after")) {
            try {
                after = Long.parseLong(params.get("after"));
            } catch (NumberFormatException e) {
                throw new Violation(400, "VALIDATION_ERROR", "after '" + params.get("after") + "' is not a cursor"
                        + " this account gave");
            }
        }
        synchronized (crm) {
            ArrayNode results = JSON.createArrayNode();
            List<FakeCrm.Rec> page = new ArrayList<>(type.records.tailMap(after, true).values());
            for (FakeCrm.Rec r : page.subList(0, Math.min(limit, page.size()))) {
                results.add(object(type, r, params));
            }
            ObjectNode answer = JSON.createObjectNode().set("results", results);
            if (page.size() > limit) {
                String next = String.valueOf(page.get(limit).id);
                ObjectNode paging = answer.putObject("paging").putObject("next");
                paging.put("after", next).put("link", baseUrl() + "/crm/v3/objects/" + type.name + "?after=" + next);
            }
            return new Answer(200, answer);
        }
    }

    private Answer create(FakeCrm.ObjectType type, HttpExchange exchange, Map<String, String> params, byte[] body) {
        return FakeRequests.create(this, crm, type, contentType(exchange), params, body, apiWrites);
    }

    private Answer control(String method, String path, byte[] body) {
        try {
            if (method.equals("GET") && path.equals("/_fake/violations")) {
                return new Answer(200, JSON.valueToTree(violations()));
            }
            if (method.equals("GET") && path.startsWith("/_fake/records/")) {
                FakeCrm.ObjectType type = crm.objectType(path.substring("/_fake/records/".length())).orElseThrow();
                synchronized (crm) {
                    ArrayNode all = JSON.createArrayNode();
                    type.records.values().forEach(r -> all.add(object(type, r, Map.of())));
                    return new Answer(200, all);
                }
            }
            if (method.equals("POST") && path.startsWith("/_fake/change/")) {
                JsonNode json = JSON.readTree(body);
                Map<String, String> properties = new LinkedHashMap<>();
                json.path("properties").properties().forEach(e -> properties.put(e.getKey(), e.getValue().asText()));
                String id = change(path.substring("/_fake/change/".length()),
                        json.hasNonNull("id") ? json.get("id").asText() : null, properties);
                return new Answer(200, JSON.createObjectNode().put("id", id));
            }
        } catch (IOException | RuntimeException e) {
            return new Answer(400, error("BAD_REQUEST", String.valueOf(e.getMessage())));
        }
        return new Answer(404, error("NOT_FOUND", "fake controls: GET /_fake/violations, GET /_fake/records/{type},"
                + " POST /_fake/change/{type} {\"id\":..., \"properties\":{...}}"));
    }

    // ---- shared with FakeRequests ----

    Answer answer(int status, JsonNode body) {
        return new Answer(status, body);
    }

    RuntimeException violation(int status, String category, String message) {
        return new Violation(status, category, message);
    }

    /** A record as HubSpot answers it: requested properties (null when unset) plus the built-in ones. */
    ObjectNode object(FakeCrm.ObjectType type, FakeCrm.Rec r, Map<String, String> params) {
        ObjectNode o = JSON.createObjectNode().put("id", String.valueOf(r.id));
        ObjectNode props = o.putObject("properties");
        List<String> wanted = params.containsKey("properties") && !params.get("properties").isBlank()
                ? List.of(params.get("properties").split(",")) : new ArrayList<>(r.properties.keySet());
        for (String name : wanted) {
            if (type.properties.containsKey(name)) {
                props.put(name, r.properties.get(name));
            }
        }
        props.put("hs_object_id", String.valueOf(r.id));
        props.put("createdate", r.createdAt.toString());
        props.put("lastmodifieddate", r.updatedAt.toString());
        o.put("createdAt", r.createdAt.toString()).put("updatedAt", r.updatedAt.toString()).put("archived", false);
        return o;
    }

    Optional<String> idProperty(FakeCrm.ObjectType type, Map<String, String> params) {
        Optional<String> idProperty = Optional.ofNullable(params.get("idProperty"));
        if (idProperty.isPresent() && !idProperty.get().equals("hs_object_id")) {
            FakeCrm.Property p = type.properties.get(idProperty.get());
            if (p == null || !p.unique()) {
                return Optional.of(refuseIdProperty(idProperty.get()));
            }
        }
        return idProperty;
    }

    private String refuseIdProperty(String name) {
        throw new Violation(400, "VALIDATION_ERROR", "idProperty '" + name + "' is not a unique property of the"
                + " object type (HubSpot accepts only properties with hasUniqueValue)");
    }

    void allowed(Map<String, String> params, Set<String> names) {
        for (String name : params.keySet()) {
            if (!names.contains(name)) {
                throw new Violation(400, "VALIDATION_ERROR", "unknown query parameter '" + name + "'; this endpoint"
                        + " takes " + names);
            }
        }
    }

    static ObjectNode error(String category, String message) {
        return JSON.createObjectNode().put("status", "error").put("message", message)
                .put("correlationId", UUID.randomUUID().toString()).put("category", category);
    }

    private static String contentType(HttpExchange exchange) {
        return Optional.ofNullable(exchange.getRequestHeaders().getFirst("Content-Type")).orElse("");
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> params = new LinkedHashMap<>();
        if (raw.isEmpty()) {
            return params;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            params.put(decode(eq < 0 ? pair : pair.substring(0, eq)), eq < 0 ? "" : decode(pair.substring(eq + 1)));
        }
        return params;
    }

    private static String decode(String text) {
        return URLDecoder.decode(text, StandardCharsets.UTF_8);
    }

    /**
     * Runs the fake until killed, for examples: {@code --port N} (0: any), {@code --portal-id},
     * {@code --client-id}, {@code --client-secret}, {@code --token} (a private app token),
     * {@code --webhook contact=URL} (repeatable), {@code --seed} (three contacts).
     */
    public static void main(String[] args) throws Exception {
        Map<String, List<String>> opts = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String name = args[i];
            String value = i + 1 < args.length && !args[i + 1].startsWith("--") ? args[++i] : "true";
            opts.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
        }
        long portal = Long.parseLong(first(opts, "--portal-id", "62515"));
        HubSpotFake fake = new HubSpotFake(Integer.parseInt(first(opts, "--port", "0")), portal, 54321,
                first(opts, "--client-id", "steward-example"), first(opts, "--client-secret", "example-client-secret"));
        fake.privateAppToken(first(opts, "--token", "pat-example-token"));
        for (String hook : opts.getOrDefault("--webhook", List.of())) {
            String[] pair = hook.split("=", 2);
            fake.webhook(pair[0], URI.create(pair[1]));
        }
        if (opts.containsKey("--seed")) {
            fake.change("contacts", null, Map.of("email", "ada@example.com", "firstname", "Ada", "lastname",
                    "Lovelace", "phone", "+44 20 7946 0001", "lifecyclestage", "customer"));
            fake.change("contacts", null, Map.of("email", "grace@example.com", "firstname", "Grace", "lastname",
                    "Hopper", "phone", "+1 202 555 0102", "lifecyclestage", "lead"));
        }
        System.out.println("fake HubSpot on " + fake.baseUrl() + " (portal " + portal + ")");
        System.out.flush();
        Runtime.getRuntime().addShutdownHook(new Thread(fake::close));
        Thread.currentThread().join();
    }

    private static String first(Map<String, List<String>> opts, String name, String fallback) {
        return opts.getOrDefault(name, List.of(fallback)).getFirst();
    }
}
