package dev.steward.testing.vendors.quickbooks;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A stateful fake of QuickBooks Online for tests and examples: a real HTTP server on 127.0.0.1
 * speaking the Accounting API v3 ({@code /v3/company/{realmId}/...}: read, query with
 * {@code STARTPOSITION}/{@code MAXRESULTS}, create, full and sparse update with {@code SyncToken}),
 * Intuit's OAuth 2.0 token endpoint with rotating refresh tokens ({@code /oauth2/v1/tokens/bearer}),
 * throttling ({@code 429} past a number of requests per window per realm, or past 10 requests in
 * flight; the fake adds a {@code Retry-After} that Intuit does not promise, so tests need not wait
 * Intuit's advised minute), Intuit's {@code Fault} bodies, and signed webhooks ({@code intuit-signature}) after every
 * change, Steward's writes included, in the classic {@code eventNotifications} form or as
 * CloudEvents.
 *
 * <p>Every request is checked against the contract (path, verb, {@code minorversion}, body fields
 * against Intuit's XSDs); a violation is answered the way QuickBooks answers it and recorded in
 * {@link #violations()} so a test can assert none happened.
 *
 * <p>Lifecycle: {@link #start} then {@link #close}. Thread-safe.
 */
public final class QuickBooksFake implements AutoCloseable {

    static final ObjectMapper JSON = new ObjectMapper();
    /** The entities this fake keeps, by the lower-case name of their path. */
    static final Map<String, String> ENTITIES = Map.of("customer", "Customer", "item", "Item", "invoice", "Invoice");

    /** The fake's settings; {@link #defaults()} then the withers. */
    public record Options(String realmId, String clientId, String clientSecret, String verifierToken,
                          String initialRefreshToken, Duration accessTokenLifetime, int requestsPerWindow,
                          Duration window, int maxInFlight, boolean cloudEvents, Duration batchWindow) {

        public static Options defaults() {
            return new Options("9130357766251234", "steward-client", "steward-client-secret",
                    "steward-verifier-token", "RT1-initial", Duration.ofHours(1), 500, Duration.ofMinutes(1),
                    10, false, Duration.ofMillis(50));
        }

        public Options withRequestsPerWindow(int requests, Duration per) {
            return new Options(realmId, clientId, clientSecret, verifierToken, initialRefreshToken,
                    accessTokenLifetime, requests, per, maxInFlight, cloudEvents, batchWindow);
        }

        public Options withCloudEvents(boolean on) {
            return new Options(realmId, clientId, clientSecret, verifierToken, initialRefreshToken,
                    accessTokenLifetime, requestsPerWindow, window, maxInFlight, on, batchWindow);
        }

        public Options withAccessTokenLifetime(Duration lifetime) {
            return new Options(realmId, clientId, clientSecret, verifierToken, initialRefreshToken,
                    lifetime, requestsPerWindow, window, maxInFlight, cloudEvents, batchWindow);
        }
    }

    /** Intuit's XSDs, read once per process (they are large). */
    private static final class Schema {
        static final QuickBooksSchema LOADED = QuickBooksSchema.load();
    }

    /** One webhook delivery the fake sent (or tried to): its body and Steward's answer (0: no answer). */
    public record Delivery(String body, int status) {
    }

    private final Options options;
    private final QuickBooksSchema schema = Schema.LOADED;
    private final HttpServer server;
    private final ExecutorService handlers = Executors.newFixedThreadPool(16);
    private final QuickBooksRealm realm;
    private final QuickBooksWebhooks webhooks;
    private final List<String> violations = new CopyOnWriteArrayList<>();
    private final Map<String, Instant> accessTokens = new ConcurrentHashMap<>();
    private final AtomicInteger rotations = new AtomicInteger();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger throttled = new AtomicInteger();
    private final AtomicInteger apiWrites = new AtomicInteger();
    private final List<Instant> recent = new ArrayList<>();
    private final Map<String, Map<String, Object>> races = new ConcurrentHashMap<>();
    private volatile String refreshToken;
    private volatile int throttleNext;

    private QuickBooksFake(Options options, int port) throws IOException {
        this.options = options;
        this.refreshToken = options.initialRefreshToken();
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 64);
        this.webhooks = new QuickBooksWebhooks(options);
        this.realm = new QuickBooksRealm(options.realmId(), webhooks::changed);
        server.setExecutor(handlers);
        server.createContext("/", this::handle);
    }

    /** Starts a fake on a free port of 127.0.0.1. */
    public static QuickBooksFake start(Options options) {
        return start(options, 0);
    }

    /** Starts a fake on the given port of 127.0.0.1 (0: a free one). */
    public static QuickBooksFake start(Options options, int port) {
        try {
            QuickBooksFake fake = new QuickBooksFake(options, port);
            fake.server.start();
            return fake;
        } catch (IOException e) {
            throw new IllegalStateException("cannot start the QuickBooks fake: " + e.getMessage(), e);
        }
    }

    /** {@code http://127.0.0.1:port}: the {@code baseUrl} of the connector. */
    public String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** The token endpoint's URL: the {@code tokenUrl} of the connector. */
    public String tokenUrl() {
        return baseUrl() + "/oauth2/v1/tokens/bearer";
    }

    public Options options() {
        return options;
    }

    /** Where webhooks go from now on (null: nowhere). */
    public void webhookUrl(String url) {
        webhooks.target(url);
    }

    /** The records, as a QuickBooks user sees them. */
    public QuickBooksRealm realm() {
        return realm;
    }

    /** Contract violations of the requests so far (empty when Steward kept to the contract). */
    public List<String> violations() {
        return List.copyOf(violations);
    }

    /** The webhook deliveries so far. */
    public List<Delivery> deliveries() {
        return webhooks.deliveries();
    }

    /** Waits (bounded) until every change so far was delivered or given up on. */
    public void awaitWebhooks(Duration timeout) {
        webhooks.await(timeout);
    }

    /** Creates and updates that came through the API (Steward's writes). */
    public int apiWrites() {
        return apiWrites.get();
    }

    /** Requests answered 429 so far. */
    public int throttled() {
        return throttled.get();
    }

    /** How many times a refresh token was exchanged (and rotated). */
    public int rotations() {
        return rotations.get();
    }

    /** The refresh token the token endpoint takes now. */
    public String currentRefreshToken() {
        return refreshToken;
    }

    /** Revokes every refresh and access token (a user disconnected the app). */
    public void revokeTokens() {
        refreshToken = "revoked-" + UUID.randomUUID();
        accessTokens.clear();
    }

    /** Forgets every access token, as if they had all expired. */
    public void expireAccessTokens() {
        accessTokens.clear();
    }

    /**
     * Makes a QuickBooks user change the record just before the API's next update of it arrives,
     * so that the update carries a stale SyncToken (a race, on demand).
     */
    public void raceNextWrite(String entity, String id, Map<String, Object> userChange) {
        races.put(entity + "/" + id, userChange);
    }

    Optional<Map<String, Object>> takeRace(String entity, String id) {
        return Optional.ofNullable(races.remove(entity + "/" + id));
    }

    /** Answers the next {@code n} API requests with 429. */
    public void throttleNext(int n) {
        throttleNext = n;
    }

    @Override
    public void close() {
        server.stop(0);
        handlers.shutdownNow();
        webhooks.close();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getRawPath();
            if (path.equals("/oauth2/v1/tokens/bearer")) {
                token(exchange);
            } else if (path.startsWith("/v3/company/")) {
                api(exchange, path);
            } else if (path.startsWith("/_fake/")) {
                QuickBooksAdmin.handle(this, exchange, path);
            } else {
                violation(exchange, "unknown path " + path);
                send(exchange, 404, fault("Unsupported Operation", "Operation " + path + " is not supported.", "114", null,
                        "ValidationFault"));
            }
        } catch (RuntimeException e) {
            violations.add("the fake failed on " + exchange.getRequestMethod() + " " + exchange.getRequestURI() + ": " + e);
            send(exchange, 500, fault("An application error has occurred", String.valueOf(e.getMessage()), "10000",
                    null, "SystemFault"));
        }
    }

    private void token(HttpExchange exchange) throws IOException {
        if (!exchange.getRequestMethod().equals("POST")) {
            violation(exchange, "the token endpoint takes POST");
            sendJson(exchange, 405, "{\"error\":\"invalid_request\"}");
            return;
        }
        String expected = "Basic " + Base64.getEncoder().encodeToString(
                (options.clientId() + ":" + options.clientSecret()).getBytes(StandardCharsets.UTF_8));
        if (!expected.equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
            sendJson(exchange, 401, "{\"error\":\"invalid_client\"}");
            return;
        }
        String type = exchange.getRequestHeaders().getFirst("Content-Type");
        if (type == null || !type.startsWith("application/x-www-form-urlencoded")) {
            violation(exchange, "the token request is not form-encoded: " + type);
            sendJson(exchange, 400, "{\"error\":\"invalid_request\"}");
            return;
        }
        Map<String, String> form = form(new String(read(exchange), StandardCharsets.UTF_8));
        if (!"refresh_token".equals(form.get("grant_type"))) {
            violation(exchange, "grant_type " + form.get("grant_type") + " instead of refresh_token");
            sendJson(exchange, 400, "{\"error\":\"unsupported_grant_type\"}");
            return;
        }
        String access;
        String next;
        synchronized (this) {
            if (!refreshToken.equals(form.get("refresh_token"))) {
                sendJson(exchange, 400, "{\"error\":\"invalid_grant\"}");
                return;
            }
            next = "RT" + (rotations.incrementAndGet() + 1) + "-" + UUID.randomUUID();
            refreshToken = next;
            access = "AT-" + UUID.randomUUID();
            accessTokens.put(access, Instant.now().plus(options.accessTokenLifetime()));
        }
        ObjectNode answer = JSON.createObjectNode();
        answer.put("token_type", "bearer");
        answer.put("access_token", access);
        answer.put("expires_in", options.accessTokenLifetime().toSeconds());
        answer.put("refresh_token", next);
        answer.put("x_refresh_token_expires_in", 8726400);
        sendJson(exchange, 200, answer.toString());
    }

    private void api(HttpExchange exchange, String path) throws IOException {
        String[] parts = path.substring("/v3/company/".length()).split("/");
        String auth = exchange.getRequestHeaders().getFirst("Authorization");
        Instant until = auth == null || !auth.startsWith("Bearer ") ? null : accessTokens.get(auth.substring(7));
        if (until == null || until.isBefore(Instant.now())) {
            send(exchange, 401, fault("message=AuthenticationFailed; errorCode=003200; statusCode=401",
                    "Token expired or not valid", "3200", null, "AUTHENTICATION"));
            return;
        }
        if (!parts[0].equals(options.realmId())) {
            send(exchange, 403, fault("message=ApplicationAuthorizationFailed; errorCode=003100; statusCode=403",
                    "The token is not for company " + parts[0], "3100", null, "AUTHORIZATION"));
            return;
        }
        if (throttle()) {
            throttled.incrementAndGet();
            exchange.getResponseHeaders().set("Retry-After", String.valueOf(Math.max(1, options.window().toSeconds())));
            send(exchange, 429, fault("message=ThrottleExceeded; errorCode=003001; statusCode=429",
                    "The request limit was reached.", "3001", null, "SERVICE"));
            return;
        }
        if (inFlight.incrementAndGet() > options.maxInFlight()) {
            inFlight.decrementAndGet();
            throttled.incrementAndGet();
            exchange.getResponseHeaders().set("Retry-After", "1");
            send(exchange, 429, fault("message=ThrottleExceeded; errorCode=003001; statusCode=429",
                    "Too many concurrent requests.", "3001", null, "SERVICE"));
            return;
        }
        try {
            Map<String, String> query = form(exchange.getRequestURI().getRawQuery());
            String minor = query.get("minorversion");
            if (minor != null && !minor.matches("\\d{1,3}")) {
                violation(exchange, "minorversion '" + minor + "' is not a number");
            }
            if (exchange.getRequestHeaders().getFirst("Accept") == null
                    || !exchange.getRequestHeaders().getFirst("Accept").contains("application/json")) {
                violation(exchange, "no Accept: application/json (QuickBooks answers XML without it)");
            }
            new QuickBooksApi(this, realm, schema).handle(exchange, parts, query);
        } finally {
            inFlight.decrementAndGet();
        }
    }

    private boolean throttle() {
        synchronized (recent) {
            if (throttleNext > 0) {
                throttleNext--;
                return true;
            }
            Instant now = Instant.now();
            recent.removeIf(at -> at.isBefore(now.minus(options.window())));
            if (recent.size() >= options.requestsPerWindow()) {
                return true;
            }
            recent.add(now);
            return false;
        }
    }

    void countWrite() {
        apiWrites.incrementAndGet();
    }

    void violation(HttpExchange exchange, String what) {
        violations.add(exchange.getRequestMethod() + " " + exchange.getRequestURI() + ": " + what);
    }

    /** Intuit's error body. */
    static String fault(String message, String detail, String code, String element, String type) {
        ObjectNode error = JSON.createObjectNode();
        error.put("Message", message);
        error.put("Detail", detail);
        error.put("code", code);
        if (element != null) {
            error.put("element", element);
        }
        ObjectNode body = JSON.createObjectNode();
        ObjectNode fault = body.putObject("Fault");
        ArrayNode errors = fault.putArray("Error");
        errors.add(error);
        fault.put("type", type);
        body.put("time", Instant.now().toString());
        return body.toString();
    }

    static byte[] read(HttpExchange exchange) throws IOException {
        try (InputStream in = exchange.getRequestBody()) {
            return in.readAllBytes();
        }
    }

    static Map<String, String> form(String raw) {
        Map<String, String> values = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return values;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            values.put(name, eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return values;
    }

    static void send(HttpExchange exchange, int status, String json) throws IOException {
        sendJson(exchange, status, json);
    }

    static void sendJson(HttpExchange exchange, int status, String json) throws IOException {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json;charset=UTF-8");
        exchange.getResponseHeaders().set("intuit_tid", UUID.randomUUID().toString());
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    /** The webhook target and options from the command line, for examples. */
    public static void main(String[] args) throws Exception {
        int port = 9301;
        String hook = null;
        Options options = Options.defaults();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--port" -> port = Integer.parseInt(args[++i]);
                case "--webhook" -> hook = args[++i];
                case "--cloudevents" -> options = options.withCloudEvents(true);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]
                        + " (use --port N, --webhook URL, --cloudevents)");
            }
        }
        QuickBooksFake fake = start(options, port);
        fake.webhookUrl(hook);
        fake.realm().create("Customer", Map.of("DisplayName", "Amy's Bird Sanctuary",
                "PrimaryEmailAddr", Map.of("Address", "birds@example.com")));
        System.out.println("QuickBooks fake on " + fake.baseUrl() + " realm " + options.realmId()
                + ", client " + options.clientId() + "/" + options.clientSecret()
                + ", refresh token " + options.initialRefreshToken() + ", verifier token " + options.verifierToken()
                + (hook == null ? "" : ", webhooks to " + hook));
        System.out.println("Change a record as a QuickBooks user: curl -X POST " + fake.baseUrl()
                + "/_fake/customer/1 -d '{\"PrimaryEmailAddr\":{\"Address\":\"new@example.com\"}}'");
        Runtime.getRuntime().addShutdownHook(new Thread(fake::close));
        Thread.currentThread().join();
    }

    static String upper(String entityPath) {
        return ENTITIES.get(entityPath.toLowerCase(Locale.ROOT));
    }

}
