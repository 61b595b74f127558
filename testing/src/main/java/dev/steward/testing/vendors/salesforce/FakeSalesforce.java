package dev.steward.testing.vendors.salesforce;

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
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.Signature;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A fake Salesforce org for tests and examples: a real HTTP server on 127.0.0.1 that speaks the
 * REST API the {@code salesforce} connector uses, and sends Outbound Messages after every change.
 *
 * <ul>
 * <li>Auth: {@code POST /services/oauth2/token} with the client credentials flow ({@code client_id},
 * {@code client_secret} in the form or HTTP Basic) or the JWT bearer flow (an RS256 assertion
 * signed with {@link #privateKeyPem()}, {@code iss} = the client id, {@code sub} =
 * {@link #username()}, {@code exp} at most 3 minutes ahead); the answer's {@code instance_url} is
 * {@link #url()}. {@link #expireSessions()} makes every token answer {@code 401 INVALID_SESSION_ID}.</li>
 * <li>Records: Account and Contact with their usual standard fields (custom fields declared with
 * {@link #field}/{@link #externalId}; an undeclared field is {@code INVALID_FIELD}), any other
 * sObject made on first use taking any field; 18-character ids; {@code GET/PATCH
 * /sobjects/{type}/{id}}, {@code GET/PATCH /sobjects/{type}/{externalIdField}/{value}} (201
 * created, 200 updated, 300 with the matching records' URLs), {@code POST /sobjects/{type}},
 * {@code PATCH /composite/sobjects/{type}/{externalIdField}} (at most 200 records, per-record
 * results), {@code GET /query?q=SELECT ... FROM ... [WHERE f = 'v' | f != null] [ORDER BY f]
 * [LIMIT n]} with {@code Sforce-Query-Options: batchSize} and {@code nextRecordsUrl}. Account
 * rows carry an {@code ETag}; an {@code If-Match} that differs is {@code 412}. Required fields
 * and validation rules ({@link #require}, {@link #rule}) answer Salesforce's error array.</li>
 * <li>Limits: every data call counts against a daily allocation over a window
 * ({@link #dailyLimit}, default 100,000 per 24 h), reported in {@code Sforce-Limit-Info:
 * api-usage=n/max}; when it is used up, {@code 403 REQUEST_LIMIT_EXCEEDED} ({@code TotalRequests
 * Limit exceeded.}); {@link #concurrencyLimit} refuses calls beyond n at once the same way
 * ({@code ConcurrentPerOrgLongTxn Limit exceeded.}).</li>
 * <li>Notifications: {@link #outbound(String, URI)} sends an Outbound Message for every change of
 * that type (a write through the API included), batched up to 100 notifications, redelivered with
 * the same notification Ids until acknowledged; {@link #changeDataCapture} relays CDC events as
 * signed JSON.</li>
 * <li>Contract: every request is checked against Salesforce's Postman collection
 * ({@link SalesforceContract}) and the API's rules (a bearer token, JSON bodies, the collection
 * size); a request that breaks them is answered the vendor's way and recorded in
 * {@link #violations()}, which tests assert empty.</li>
 * <li>{@code POST /fake/change} ({@code {"type":"Account","id":"001...","fields":{...}}}, or
 * {@code "match":{"Customer_Number__c":"C-1"}} instead of {@code id}; without either, or when
 * nothing matches, it creates) changes a record as a user in Salesforce would, for examples and curl;
 * {@code GET /fake/records/{type}} lists a type's records and {@code GET /fake/violations} the
 * contract violations.</li>
 * </ul>
 *
 * <p>Thread-safe. Close it to stop the server and the sender.
 */
public final class FakeSalesforce implements AutoCloseable {

    /**
     * One notification delivery attempt.
     *
     * @param kind            {@code outbound} (SOAP Outbound Message) or {@code cdc} (relayed change event)
     * @param type            the sObject type
     * @param notificationIds the notification Ids it carried (the CDC relay's {@code webhook-id})
     * @param status          the listener's status, 0 when it did not answer
     */
    public record Delivery(String kind, String type, List<String> notificationIds, int status) {
    }

    /** The API version the fake answers up to. */
    public static final String LATEST_VERSION = "62.0";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern DATA = Pattern.compile("/services/data/v(\\d+\\.\\d)(/.*)?");
    private static final Pattern SOQL = Pattern.compile("(?is)\\s*SELECT\\s+(.+?)\\s+FROM\\s+(\\w+)"
            + "(?:\\s+WHERE\\s+(\\w+)\\s*(=|!=)\\s*(null|'(?:[^'\\\\]|\\\\.)*'))?"
            + "(?:\\s+ORDER\\s+BY\\s+(\\w+)(?:\\s+(ASC|DESC))?)?(?:\\s+LIMIT\\s+(\\d+))?\\s*");

    private final HttpServer server;
    private final ExecutorService executor;
    private final String organizationId;
    private final String clientId;
    private final String clientSecret;
    private final String username = "integration@fake.example.com";
    private KeyPair keyPair;
    private final Clock clock;
    private final FakeOrg org;
    private final OutboundMessenger messenger;
    private final SalesforceContract contract = SalesforceContract.load();
    private final Set<String> tokens = ConcurrentHashMap.newKeySet();
    private final List<String> violations = new CopyOnWriteArrayList<>();
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private final AtomicLong tokenRequests = new AtomicLong();
    private final AtomicLong limitRefusals = new AtomicLong();
    private final ArrayDeque<Instant> usage = new ArrayDeque<>();
    private volatile long dailyMax = 100_000;
    private volatile Duration dailyWindow = Duration.ofHours(24);
    private volatile Semaphore concurrency;
    private volatile Duration latency = Duration.ZERO;
    private final java.util.concurrent.atomic.AtomicReference<Runnable> interference =
            new java.util.concurrent.atomic.AtomicReference<>();
    private final Map<String, List<Map<String, Object>>> cursors = new ConcurrentHashMap<>();

    private FakeSalesforce(int port, String organizationId, String clientId, String clientSecret) throws IOException {
        this.organizationId = organizationId;
        this.clientId = clientId;
        this.clientSecret = clientSecret;
        this.clock = Clock.systemUTC();
        Map<String, FakeOrg> holder = new HashMap<>();
        this.messenger = new OutboundMessenger(organizationId, (type, id) -> holder.get("org").get(type, id));
        this.org = new FakeOrg(clock, change -> messenger.changed(change, clock.instant()));
        holder.put("org", org);
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
        this.executor = Executors.newFixedThreadPool(16);
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    /** A fake org on a free port, with a generated org id, client id and secret. */
    public static FakeSalesforce start() {
        return start(0, "00D5g00000Fake1EAA", "3MVG9FakeConsumerKey", "fake-consumer-secret");
    }

    /** A fake org on this port (0: a free one) with these credentials. */
    public static FakeSalesforce start(int port, String organizationId, String clientId, String clientSecret) {
        try {
            return new FakeSalesforce(port, organizationId, clientId, clientSecret);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot start the fake Salesforce: " + e.getMessage(), e);
        }
    }

    /** The base URL: the My Domain URL and the instance URL at once ({@code http://127.0.0.1:port}). */
    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    public String organizationId() {
        return organizationId;
    }

    public String clientId() {
        return clientId;
    }

    public String clientSecret() {
        return clientSecret;
    }

    /** The user the JWT bearer flow must name in {@code sub}. */
    public String username() {
        return username;
    }

    /** The private key (PKCS#8 PEM) whose public half the token endpoint checks JWT assertions with. */
    public String privateKeyPem() {
        return "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(keyPair().getPrivate().getEncoded()) + "\n-----END PRIVATE KEY-----\n";
    }

    /** The key pair of the JWT bearer flow, made when first needed (it takes a moment). */
    private synchronized KeyPair keyPair() {
        if (keyPair == null) {
            try {
                KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
                generator.initialize(2048);
                keyPair = generator.generateKeyPair();
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }
        return keyPair;
    }

    /** Declares a custom field of a type. */
    public FakeSalesforce field(String type, String field) {
        org.addField(type, field, false);
        return this;
    }

    /** Declares a field of a type as an external id field (and the field, if new). */
    public FakeSalesforce externalId(String type, String field) {
        org.addField(type, field, true);
        return this;
    }

    /** Makes a field required, as a page layout or field setting would. */
    public FakeSalesforce require(String type, String field) {
        org.require(type, field);
        return this;
    }

    /** A validation rule: a write that sets {@code field} to a value {@code refuses} accepts is refused with {@code message}. */
    public FakeSalesforce rule(String type, String field, Predicate<Object> refuses, String message) {
        org.rule(type, field, refuses, message);
        return this;
    }

    /** Sends an Outbound Message to {@code url} after every change of {@code type}. */
    public FakeSalesforce outbound(String type, URI url) {
        messenger.outbound(type, url);
        return this;
    }

    /** Relays Change Data Capture events of {@code type} to {@code url}, signed with {@code secret} (Standard Webhooks). */
    public FakeSalesforce changeDataCapture(String type, URI url, String secret) {
        messenger.cdc(type, url, secret);
        return this;
    }

    /** The first redelivery delay and its cap (defaults 200ms and 2s; Salesforce's grow to 2h). */
    public FakeSalesforce redelivery(Duration first, Duration max) {
        messenger.retry(first, max);
        return this;
    }

    /** The daily API allocation and the window it is counted over. */
    public FakeSalesforce dailyLimit(long max, Duration window) {
        this.dailyMax = max;
        this.dailyWindow = window;
        return this;
    }

    /** At most this many data calls at once; more are refused. */
    public FakeSalesforce concurrencyLimit(int max) {
        this.concurrency = new Semaphore(max);
        return this;
    }

    /** How long each data call takes (to make concurrency visible). */
    public FakeSalesforce latency(Duration latency) {
        this.latency = latency;
        return this;
    }

    /**
     * Runs {@code change} (a user's edit through {@link #update}) just before the next write
     * through the API is applied, as if the user saved in between the client's read and its
     * write: an {@code If-Match} read before then no longer matches.
     */
    public FakeSalesforce beforeNextWrite(Runnable change) {
        interference.set(change);
        return this;
    }

    /** Ends every session: calls with the tokens handed out so far answer 401 INVALID_SESSION_ID. */
    public void expireSessions() {
        tokens.clear();
    }

    /** Creates a record as a user would (an Outbound Message follows); its id. */
    public String create(String type, Map<String, Object> fields) {
        return org.create(type, fields, false);
    }

    /** Updates a record as a user would (an Outbound Message follows). */
    public void update(String type, String id, Map<String, Object> fields) {
        org.update(type, id, fields, false);
    }

    /** A record by id, with every field. */
    public Optional<Map<String, Object>> record(String type, String id) {
        return org.get(type, id);
    }

    /** The ids of the records whose field holds the value. */
    public List<String> find(String type, String field, Object value) {
        return org.find(type, field, value);
    }

    /** Every record of a type. */
    public List<Map<String, Object>> records(String type) {
        return org.all(type);
    }

    /** The contract violations seen so far, each naming the request. */
    public List<String> violations() {
        return List.copyOf(violations);
    }

    /** Every data request so far as {@code METHOD path}, in order. */
    public List<String> requests() {
        return List.copyOf(requests);
    }

    /** The data writes so far (PATCH, POST, DELETE under /services/data). */
    public long writes() {
        return requests.stream().filter(r -> !r.startsWith("GET ")).count();
    }

    /** The calls refused with REQUEST_LIMIT_EXCEEDED so far (daily allocation or concurrency). */
    public long limitRefusals() {
        return limitRefusals.get();
    }

    public long tokenRequests() {
        return tokenRequests.get();
    }

    /** The data calls counted in the current window. */
    public synchronized long apiUsage() {
        prune();
        return usage.size();
    }

    /** The Outbound Message and CDC delivery attempts so far. */
    public List<Delivery> deliveries() {
        return messenger.deliveries();
    }

    /** Notifications acknowledged so far. */
    public long acknowledged() {
        return messenger.acked();
    }

    /** Notifications not acknowledged yet. */
    public int pendingNotifications() {
        return messenger.pending();
    }

    @Override
    public void close() {
        messenger.close();
        server.stop(0);
        executor.shutdownNow();
    }

    // ---- HTTP ----

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getRawPath();
            String method = exchange.getRequestMethod().toUpperCase(Locale.ROOT);
            byte[] body = exchange.getRequestBody().readAllBytes();
            if (path.equals("/services/oauth2/token") && method.equals("POST")) {
                token(exchange, new String(body, StandardCharsets.UTF_8));
            } else if (path.equals("/fake/change") && method.equals("POST")) {
                fakeChange(exchange, body);
            } else if (path.startsWith("/fake/records/") && method.equals("GET")) {
                send(exchange, 200, "application/json", JSON.writeValueAsString(records(path.substring(
                        "/fake/records/".length()))), null);
            } else if (path.equals("/fake/violations") && method.equals("GET")) {
                send(exchange, 200, "application/json", JSON.writeValueAsString(violations()), null);
            } else if (DATA.matcher(path).matches()) {
                data(exchange, method, path, body);
            } else {
                violation(method + " " + path + ": not a Salesforce resource");
                errors(exchange, 404, "NOT_FOUND", "The requested resource does not exist", List.of(), null);
            }
        } catch (RuntimeException e) {
            violation("the fake failed on " + exchange.getRequestMethod() + " " + exchange.getRequestURI() + ": " + e);
            send(exchange, 500, "application/json", "[{\"message\":\"" + e.getClass().getSimpleName()
                    + "\",\"errorCode\":\"UNKNOWN_EXCEPTION\"}]", null);
        }
    }

    private void token(HttpExchange exchange, String body) throws IOException {
        tokenRequests.incrementAndGet();
        String type = exchange.getRequestHeaders().getFirst("Content-Type");
        if (type == null || !type.toLowerCase(Locale.ROOT).startsWith("application/x-www-form-urlencoded")) {
            violation("POST /services/oauth2/token with Content-Type " + type + ", not a form");
        }
        Map<String, String> form = form(body);
        String grant = form.getOrDefault("grant_type", "");
        String refused = switch (grant) {
            case "client_credentials" -> {
                String id = form.get("client_id");
                String secret = form.get("client_secret");
                String basic = exchange.getRequestHeaders().getFirst("Authorization");
                if (id == null && basic != null && basic.startsWith("Basic ")) {
                    String[] pair = new String(Base64.getDecoder().decode(basic.substring(6)), StandardCharsets.UTF_8)
                            .split(":", 2);
                    id = URLDecoder.decode(pair[0], StandardCharsets.UTF_8);
                    secret = pair.length > 1 ? URLDecoder.decode(pair[1], StandardCharsets.UTF_8) : null;
                }
                yield clientId.equals(id) && clientSecret.equals(secret) ? null : "invalid_client";
            }
            case "urn:ietf:params:oauth:grant-type:jwt-bearer" -> jwt(form.getOrDefault("assertion", ""));
            default -> "unsupported_grant_type";
        };
        if (refused != null) {
            String description = switch (refused) {
                case "invalid_client" -> "invalid client credentials";
                case "unsupported_grant_type" -> "grant type not supported";
                default -> refused.substring(refused.indexOf(':') + 1).strip();
            };
            ObjectNode error = JSON.createObjectNode().put("error", refused.contains(":") ? "invalid_grant" : refused)
                    .put("error_description", description);
            send(exchange, 400, "application/json", error.toString(), null);
            return;
        }
        String token = organizationId.substring(0, 15) + "!" + UUID.randomUUID().toString().replace("-", "");
        tokens.add(token);
        ObjectNode answer = JSON.createObjectNode().put("access_token", token).put("signature",
                        Base64.getEncoder().encodeToString(token.getBytes(StandardCharsets.UTF_8)))
                .put("scope", "api").put("instance_url", url())
                .put("id", url() + "/id/" + organizationId + "/0055g00000FakeUAAA").put("token_type", "Bearer")
                .put("issued_at", String.valueOf(clock.millis()));
        send(exchange, 200, "application/json", answer.toString(), null);
    }

    /** Null when the assertion is good, else {@code invalid_grant: why}. */
    private String jwt(String assertion) {
        String[] parts = assertion.split("\\.");
        if (parts.length != 3) {
            return "invalid_grant: invalid assertion";
        }
        try {
            Base64.Decoder url = Base64.getUrlDecoder();
            JsonNode header = JSON.readTree(url.decode(parts[0]));
            JsonNode claims = JSON.readTree(url.decode(parts[1]));
            if (!"RS256".equals(header.path("alg").asText())) {
                return "invalid_grant: the assertion is not RS256";
            }
            Signature rsa = Signature.getInstance("SHA256withRSA");
            rsa.initVerify(keyPair().getPublic());
            rsa.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
            if (!rsa.verify(url.decode(parts[2]))) {
                return "invalid_grant: invalid assertion signature";
            }
            if (!clientId.equals(claims.path("iss").asText())) {
                return "invalid_grant: invalid client id (iss)";
            }
            if (!username.equals(claims.path("sub").asText())) {
                return "invalid_grant: user hasn't approved this consumer";
            }
            String aud = claims.path("aud").asText();
            if (!Set.of("https://login.salesforce.com", "https://test.salesforce.com", url()).contains(aud)) {
                return "invalid_grant: audience is invalid";
            }
            long exp = claims.path("exp").asLong(0);
            long now = clock.instant().getEpochSecond();
            if (exp < now || exp > now + 300) {
                return "invalid_grant: expiration is invalid";
            }
            return null;
        } catch (IOException | IllegalArgumentException | java.security.GeneralSecurityException e) {
            return "invalid_grant: invalid assertion";
        }
    }

    private void data(HttpExchange exchange, String method, String path, byte[] body) throws IOException {
        Matcher version = DATA.matcher(path);
        version.matches();
        String rest = version.group(2) == null ? "" : version.group(2);
        requests.add(method + " " + path);
        String auth = exchange.getRequestHeaders().getFirst("Authorization");
        if (auth == null || !auth.startsWith("Bearer ")) {
            violation(method + " " + path + " without a bearer token");
            errors(exchange, 401, "INVALID_SESSION_ID", "Session expired or invalid", List.of(), null);
            return;
        }
        if (!tokens.contains(auth.substring(7))) {
            errors(exchange, 401, "INVALID_SESSION_ID", "Session expired or invalid", List.of(), null);
            return;
        }
        double v = Double.parseDouble(version.group(1));
        if (v < 46.0 || v > Double.parseDouble(LATEST_VERSION) || contract.match(method, path) == null) {
            violation(method + " " + path + ": no such resource in the REST API (version " + version.group(1) + ")");
            errors(exchange, 404, "NOT_FOUND", "The requested resource does not exist", List.of(), null);
            return;
        }
        Semaphore limit = concurrency;
        if (limit != null && !limit.tryAcquire()) {
            limitRefusals.incrementAndGet();
            errors(exchange, 403, "REQUEST_LIMIT_EXCEEDED", "ConcurrentPerOrgLongTxn Limit exceeded.", List.of(),
                    limitInfo());
            return;
        }
        try {
            synchronized (this) {
                prune();
                if (usage.size() >= dailyMax) {
                    limitRefusals.incrementAndGet();
                    errors(exchange, 403, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.", List.of(),
                            limitInfo());
                    return;
                }
                usage.addLast(clock.instant());
            }
            if (!latency.isZero()) {
                Thread.sleep(latency.toMillis());
            }
            JsonNode json = null;
            if (method.equals("PATCH") || method.equals("POST")) {
                String type = exchange.getRequestHeaders().getFirst("Content-Type");
                if (type == null || !type.toLowerCase(Locale.ROOT).startsWith("application/json")) {
                    violation(method + " " + path + " with Content-Type " + type + ", not application/json");
                    errors(exchange, 415, "UNSUPPORTED_MEDIA_TYPE", "Content-Type " + type + " is not supported",
                            List.of(), limitInfo());
                    return;
                }
                try {
                    json = JSON.readTree(body);
                } catch (IOException e) {
                    json = null;
                }
                if (json == null || !json.isObject()) {
                    violation(method + " " + path + " with a body that is not a JSON object");
                    errors(exchange, 400, "JSON_PARSER_ERROR", "The body is not a JSON object", List.of(), limitInfo());
                    return;
                }
            }
            if (json != null) {
                Runnable change = interference.getAndSet(null);
                if (change != null) {
                    change.run();
                }
            }
            route(exchange, method, rest, query(exchange.getRequestURI().getRawQuery()), json,
                    "/services/data/v" + version.group(1));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            if (limit != null) {
                limit.release();
            }
        }
    }

    private void route(HttpExchange exchange, String method, String rest, Map<String, String> query, JsonNode body,
                       String base) throws IOException {
        String[] p = rest.replaceAll("/+$", "").split("/");
        // p[0] is empty: rest starts with '/'
        try {
            if (p.length >= 2 && p[1].equals("sobjects") && p.length == 4 && method.equals("GET")) {
                read(exchange, base, p[2], decode(p[3]), query.get("fields"));
            } else if (p.length == 4 && p[1].equals("sobjects") && method.equals("PATCH")) {
                update(exchange, p[2], decode(p[3]), fields(body));
            } else if (p.length == 3 && p[1].equals("sobjects") && method.equals("POST")) {
                String id = org.create(p[2], fields(body), true);
                send(exchange, 201, "application/json", JSON.createObjectNode().put("id", id).put("success", true)
                        .set("errors", JSON.createArrayNode()).toString(), limitInfo());
            } else if (p.length == 5 && p[1].equals("sobjects") && method.equals("GET")) {
                byExternalId(exchange, base, p[2], decode(p[3]), decode(p[4]), query.get("fields"));
            } else if (p.length == 5 && p[1].equals("sobjects") && method.equals("PATCH")) {
                upsert(exchange, base, p[2], decode(p[3]), decode(p[4]), body);
            } else if (p.length == 5 && p[1].equals("composite") && p[2].equals("sobjects") && method.equals("PATCH")) {
                collection(exchange, p[3], decode(p[4]), body);
            } else if (p.length == 2 && p[1].equals("query") && method.equals("GET")) {
                query(exchange, base, query.getOrDefault("q", ""));
            } else if (p.length == 3 && p[1].equals("query") && method.equals("GET")) {
                more(exchange, base, p[2]);
            } else {
                violation(method + " " + base + rest + ": a Salesforce resource the fake does not implement");
                errors(exchange, 404, "NOT_FOUND", "The requested resource does not exist", List.of(), limitInfo());
            }
        } catch (FakeOrg.Refusal r) {
            errors(exchange, r.status, r.errorCode, r.getMessage(), r.fields, limitInfo());
        }
    }

    private void read(HttpExchange exchange, String base, String type, String id, String fields) throws IOException {
        Optional<Map<String, Object>> record = org.get(type, id);
        if (record.isEmpty()) {
            errors(exchange, 404, "NOT_FOUND", "The requested resource does not exist", List.of(), limitInfo());
            return;
        }
        answerRecord(exchange, base, type, record.get(), fields);
    }

    private void answerRecord(HttpExchange exchange, String base, String type, Map<String, Object> record,
                              String fields) throws IOException {
        ObjectNode out = JSON.createObjectNode();
        String id = (String) record.get("Id");
        out.putObject("attributes").put("type", type).put("url", base + "/sobjects/" + type + "/" + id);
        if (fields == null || fields.isBlank()) {
            record.forEach((k, v) -> out.set(k, JSON.valueToTree(v)));
        } else {
            out.put("Id", id);
            for (String f : fields.split(",")) {
                String field = f.strip();
                if (!org.type(type).defines(field)) {
                    errors(exchange, 400, "INVALID_FIELD", "No such column '" + field + "' on entity '" + type
                            + "'. If you are attempting to use a custom field, be sure to append the '__c' after the "
                            + "custom field name.", List.of(field), limitInfo());
                    return;
                }
                out.set(field, JSON.valueToTree(record.get(field)));
            }
        }
        Map<String, String> headers = new LinkedHashMap<>(limitInfo());
        org.etag(type, id).ifPresent(tag -> headers.put("ETag", tag));
        send(exchange, 200, "application/json", out.toString(), headers);
    }

    private void byExternalId(HttpExchange exchange, String base, String type, String field, String value,
                              String fields) throws IOException {
        if (!org.isExternalId(type, field)) {
            errors(exchange, 404, "NOT_FOUND", "Provided external ID field does not exist or is not accessible: "
                    + field, List.of(), limitInfo());
            return;
        }
        List<String> ids = org.find(type, field, value);
        if (ids.isEmpty()) {
            errors(exchange, 404, "NOT_FOUND", "The requested resource does not exist", List.of(), limitInfo());
        } else if (ids.size() > 1) {
            choices(exchange, base, type, ids);
        } else {
            answerRecord(exchange, base, type, org.get(type, ids.getFirst()).orElseThrow(), fields);
        }
    }

    private void update(HttpExchange exchange, String type, String id, Map<String, Object> fields) throws IOException {
        if (!precondition(exchange, type, id)) {
            return;
        }
        org.update(type, id, fields, true);
        send(exchange, 204, null, "", limitInfo());
    }

    private void upsert(HttpExchange exchange, String base, String type, String field, String value, JsonNode body)
            throws IOException {
        if (!org.isExternalId(type, field)) {
            errors(exchange, 404, "NOT_FOUND", "Provided external ID field does not exist or is not accessible: "
                    + field, List.of(), limitInfo());
            return;
        }
        Map<String, Object> fields = fields(body);
        if (fields.containsKey("Id") && !field.equals("Id")) {
            violation("PATCH upsert of " + type + " by " + field + " with Id in the body");
            errors(exchange, 400, "INVALID_FIELD", "Id in upsert is not allowed when using external ids",
                    List.of("Id"), limitInfo());
            return;
        }
        if (fields.containsKey(field) && !String.valueOf(fields.get(field)).equals(value)) {
            errors(exchange, 400, "INVALID_FIELD", "The value of " + field + " in the body differs from the URL",
                    List.of(field), limitInfo());
            return;
        }
        List<String> ids;
        synchronized (org) {
            ids = org.find(type, field, value);
            if (ids.size() > 1) {
                choices(exchange, base, type, ids);
                return;
            }
            if (ids.size() == 1) {
                if (!precondition(exchange, type, ids.getFirst())) {
                    return;
                }
                org.update(type, ids.getFirst(), fields, true);
                send(exchange, 200, "application/json", result(ids.getFirst(), false).toString(), limitInfo());
                return;
            }
            Map<String, Object> create = new LinkedHashMap<>(fields);
            if (!field.equals("Id")) {
                create.put(field, value);
            }
            String id = org.create(type, create, true);
            send(exchange, 201, "application/json", result(id, true).toString(), limitInfo());
        }
    }

    private void collection(HttpExchange exchange, String type, String field, JsonNode body) throws IOException {
        JsonNode records = body.path("records");
        if (!records.isArray() || (body.has("allOrNone") && !body.path("allOrNone").isBoolean())) {
            violation("PATCH composite/sobjects/" + type + " with a body that is not {allOrNone: boolean, records: [...]}");
            errors(exchange, 400, "JSON_PARSER_ERROR", "records must be an array", List.of(), limitInfo());
            return;
        }
        if (records.size() > 200) {
            violation("PATCH composite/sobjects/" + type + " with " + records.size() + " records (at most 200)");
            errors(exchange, 400, "EXCEEDED_ID_LIMIT", "record limit reached. cannot submit more than 200 records "
                    + "into this call", List.of(), limitInfo());
            return;
        }
        if (!org.isExternalId(type, field)) {
            errors(exchange, 404, "NOT_FOUND", "Provided external ID field does not exist or is not accessible: "
                    + field, List.of(), limitInfo());
            return;
        }
        boolean allOrNone = body.path("allOrNone").asBoolean(false);
        Map<String, Integer> seen = new HashMap<>();
        for (JsonNode r : records) {
            seen.merge(r.path(field).asText(), 1, Integer::sum);
        }
        ArrayNode results = JSON.createArrayNode();
        synchronized (org) {
            List<Runnable> apply = new ArrayList<>();
            boolean failed = false;
            for (JsonNode r : records) {
                if (!type.equals(r.path("attributes").path("type").asText())) {
                    violation("a record of PATCH composite/sobjects/" + type + " without attributes.type " + type);
                    results.add(failure("INVALID_TYPE", "attributes.type must be " + type, List.of()));
                    failed = true;
                    continue;
                }
                String value = r.path(field).asText("");
                Map<String, Object> fields = fields(r);
                fields.remove("attributes");
                if (value.isEmpty()) {
                    results.add(failure("MISSING_ARGUMENT", field + " not specified", List.of(field)));
                    failed = true;
                    continue;
                }
                if (seen.get(value) > 1) {
                    results.add(failure("DUPLICATE_EXTERNAL_ID", "Duplicate external id specified: " + value,
                            List.of(field)));
                    failed = true;
                    continue;
                }
                List<String> ids = org.find(type, field, value);
                if (ids.size() > 1) {
                    results.add(failure("DUPLICATE_EXTERNAL_ID", field + ": more than one record found for external "
                            + "id field: " + ids, List.of(field)));
                    failed = true;
                    continue;
                }
                try {
                    org.check(type, ids.isEmpty() ? fields : without(fields, field), ids.isEmpty());
                } catch (FakeOrg.Refusal refusal) {
                    results.add(failure(refusal.errorCode, refusal.getMessage(), refusal.fields));
                    failed = true;
                    continue;
                }
                int index = results.size();
                results.add(JSON.nullNode());
                apply.add(() -> {
                    if (ids.isEmpty()) {
                        results.set(index, result(org.create(type, fields, true), true));
                    } else {
                        org.update(type, ids.getFirst(), without(fields, field), true);
                        results.set(index, result(ids.getFirst(), false));
                    }
                });
            }
            if (allOrNone && failed) {
                for (int i = 0; i < results.size(); i++) {
                    if (results.get(i).isNull()) {
                        results.set(i, failure("ALL_OR_NONE_OPERATION_ROLLED_BACK", "Record rolled back because not "
                                + "all records were valid and the request was using AllOrNone header", List.of()));
                    }
                }
            } else {
                apply.forEach(Runnable::run);
            }
        }
        send(exchange, 200, "application/json", results.toString(), limitInfo());
    }

    private void query(HttpExchange exchange, String base, String soql) throws IOException {
        Matcher m = SOQL.matcher(soql);
        if (!m.matches()) {
            errors(exchange, 400, "MALFORMED_QUERY", "unexpected token in: " + soql, List.of(), limitInfo());
            return;
        }
        String type = m.group(2);
        List<String> columns = new ArrayList<>();
        for (String c : m.group(1).split(",")) {
            String column = c.strip();
            if (!org.type(type).defines(column)) {
                errors(exchange, 400, "INVALID_FIELD", "No such column '" + column + "' on entity '" + type + "'",
                        List.of(column), limitInfo());
                return;
            }
            columns.add(column);
        }
        List<Map<String, Object>> rows = new ArrayList<>(org.all(type));
        if (m.group(3) != null) {
            String field = m.group(3);
            boolean equals = m.group(4).equals("=");
            String literal = m.group(5);
            Object wanted = literal.equalsIgnoreCase("null") ? null
                    : literal.substring(1, literal.length() - 1).replace("\\'", "'");
            rows.removeIf(r -> {
                Object v = r.get(field);
                boolean same = wanted == null ? v == null : v != null && String.valueOf(v).equals(wanted);
                return equals != same;
            });
        }
        if (m.group(6) != null) {
            String order = m.group(6);
            java.util.Comparator<Map<String, Object>> by = java.util.Comparator.comparing(
                    r -> String.valueOf(r.get(order)));
            rows.sort("DESC".equalsIgnoreCase(m.group(7)) ? by.reversed() : by);
        }
        if (m.group(8) != null) {
            rows = new ArrayList<>(rows.subList(0, Math.min(rows.size(), Integer.parseInt(m.group(8)))));
        }
        List<Map<String, Object>> selected = new ArrayList<>();
        for (Map<String, Object> row : rows) {
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("attributes", Map.of("type", type, "url", base + "/sobjects/" + type + "/" + row.get("Id")));
            columns.forEach(c -> s.put(c, row.get(c)));
            selected.add(s);
        }
        String locator = "01g5g00000" + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
        cursors.put(locator, selected);
        page(exchange, base, locator, 0, batchSize(exchange));
    }

    private void more(HttpExchange exchange, String base, String locatorAndOffset) throws IOException {
        int dash = locatorAndOffset.lastIndexOf('-');
        String locator = dash < 0 ? locatorAndOffset : locatorAndOffset.substring(0, dash);
        if (dash < 0 || !cursors.containsKey(locator)) {
            errors(exchange, 400, "INVALID_QUERY_LOCATOR", "invalid query locator", List.of(), limitInfo());
            return;
        }
        page(exchange, base, locator, Integer.parseInt(locatorAndOffset.substring(dash + 1)), batchSize(exchange));
    }

    private void page(HttpExchange exchange, String base, String locator, int offset, int batch) throws IOException {
        List<Map<String, Object>> all = cursors.get(locator);
        int end = Math.min(all.size(), offset + batch);
        ObjectNode out = JSON.createObjectNode();
        out.put("totalSize", all.size());
        out.put("done", end >= all.size());
        if (end < all.size()) {
            out.put("nextRecordsUrl", base + "/query/" + locator + "-" + end);
        }
        out.set("records", JSON.valueToTree(all.subList(Math.min(offset, all.size()), end)));
        send(exchange, 200, "application/json", out.toString(), limitInfo());
    }

    private int batchSize(HttpExchange exchange) {
        String options = exchange.getRequestHeaders().getFirst("Sforce-Query-Options");
        if (options == null) {
            return 2000;
        }
        Matcher m = Pattern.compile("batchSize=(\\d+)").matcher(options);
        if (!m.find()) {
            violation("Sforce-Query-Options without batchSize: " + options);
            return 2000;
        }
        int size = Integer.parseInt(m.group(1));
        if (size < 200 || size > 2000) {
            violation("Sforce-Query-Options batchSize " + size + " outside 200..2000");
        }
        return Math.clamp(size, 200, 2000);
    }

    private void fakeChange(HttpExchange exchange, byte[] body) throws IOException {
        JsonNode json = JSON.readTree(body);
        String type = json.path("type").asText("Account");
        Map<String, Object> fields = fields(json.path("fields"));
        try {
            String id = json.hasNonNull("id") ? json.path("id").asText() : null;
            if (id == null && json.path("match").isObject() && json.path("match").size() == 1) {
                var match = json.path("match").properties().iterator().next();
                id = org.find(type, match.getKey(), match.getValue().asText()).stream().findFirst().orElse(null);
                if (id == null) {
                    fields.put(match.getKey(), match.getValue().asText());
                }
            }
            if (id == null) {
                id = create(type, fields);
            } else {
                update(type, id, fields);
            }
            send(exchange, 200, "application/json", JSON.createObjectNode().put("id", id).toString(), null);
        } catch (FakeOrg.Refusal r) {
            errors(exchange, r.status, r.errorCode, r.getMessage(), r.fields, null);
        }
    }

    // ---- helpers ----

    private boolean precondition(HttpExchange exchange, String type, String id) throws IOException {
        String ifMatch = exchange.getRequestHeaders().getFirst("If-Match");
        if (ifMatch == null) {
            return true;
        }
        Optional<String> etag = org.etag(type, id);
        if (etag.isPresent() && !etag.get().equals(ifMatch.strip())) {
            errors(exchange, 412, "PRECONDITION_FAILED", "The requested Resource does not match your preconditions.",
                    List.of(), limitInfo());
            return false;
        }
        return true;
    }

    private void choices(HttpExchange exchange, String base, String type, List<String> ids) throws IOException {
        ArrayNode urls = JSON.createArrayNode();
        ids.forEach(id -> urls.add(base + "/sobjects/" + type + "/" + id));
        send(exchange, 300, "application/json", urls.toString(), limitInfo());
    }

    private static ObjectNode result(String id, boolean created) {
        ObjectNode r = JSON.createObjectNode().put("id", id).put("success", true);
        r.putArray("errors");
        r.put("created", created);
        return r;
    }

    private static ObjectNode failure(String code, String message, List<String> fields) {
        ObjectNode r = JSON.createObjectNode().put("success", false);
        ObjectNode e = r.putArray("errors").addObject().put("statusCode", code).put("message", message);
        ArrayNode f = e.putArray("fields");
        fields.forEach(f::add);
        return r;
    }

    private static Map<String, Object> without(Map<String, Object> fields, String field) {
        Map<String, Object> copy = new LinkedHashMap<>(fields);
        copy.remove(field);
        return copy;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> fields(JsonNode body) {
        if (body == null || !body.isObject()) {
            return new LinkedHashMap<>();
        }
        Map<String, Object> fields = JSON.convertValue(body, LinkedHashMap.class);
        fields.remove("attributes");
        return fields;
    }

    private synchronized void prune() {
        Instant cutoff = clock.instant().minus(dailyWindow);
        while (!usage.isEmpty() && usage.peekFirst().isBefore(cutoff)) {
            usage.removeFirst();
        }
    }

    private synchronized Map<String, String> limitInfo() {
        prune();
        return Map.of("Sforce-Limit-Info", "api-usage=" + usage.size() + "/" + dailyMax);
    }

    private void violation(String what) {
        violations.add(what);
    }

    private static void errors(HttpExchange exchange, int status, String code, String message, List<String> fields,
                               Map<String, String> headers) throws IOException {
        ArrayNode body = JSON.createArrayNode();
        ObjectNode e = body.addObject().put("message", message).put("errorCode", code);
        if (!fields.isEmpty()) {
            ArrayNode f = e.putArray("fields");
            fields.forEach(f::add);
        }
        send(exchange, status, "application/json;charset=UTF-8", body.toString(), headers);
    }

    private static void send(HttpExchange exchange, int status, String type, String body, Map<String, String> headers)
            throws IOException {
        if (type != null) {
            exchange.getResponseHeaders().set("Content-Type", type);
        }
        if (headers != null) {
            headers.forEach((k, v) -> exchange.getResponseHeaders().set(k, v));
        }
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            exchange.getResponseBody().write(bytes);
        }
    }

    private static Map<String, String> form(String body) {
        Map<String, String> form = new LinkedHashMap<>();
        for (String pair : body.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                form.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return form;
    }

    private static Map<String, String> query(String raw) {
        return raw == null ? Map.of() : form(raw);
    }

    private static String decode(String segment) {
        return URLDecoder.decode(segment.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    /**
     * Runs the fake until the process is stopped, printing its URL and credentials. Arguments:
     * {@code --port N} (default 0: a free port), {@code --org-id ID}, {@code --client-id ID},
     * {@code --client-secret S}, {@code --external-id Type.Field} (repeatable: declares an external
     * id field), {@code --field Type.Field} (repeatable: declares a custom field),
     * {@code --outbound Type=URL} (repeatable: an Outbound Message endpoint),
     * {@code --cdc Type=URL} with {@code --cdc-secret S} (a CDC relay), {@code --daily-limit N}.
     * Example: {@code java -cp ... dev.steward.testing.vendors.salesforce.FakeSalesforce --port 8701
     * --external-id Account.Customer_Number__c --outbound Account=http://127.0.0.1:8700/hooks/sf/account}.
     */
    public static void main(String[] args) throws InterruptedException {
        Map<String, List<String>> options = new LinkedHashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException("expected --option value, got " + args[i]);
            }
            options.computeIfAbsent(args[i].substring(2), k -> new ArrayList<>()).add(args[i + 1]);
        }
        if (args.length % 2 != 0) {
            throw new IllegalArgumentException("every option needs a value: " + String.join(" ", args));
        }
        FakeSalesforce fake = start(Integer.parseInt(first(options, "port", "0")),
                first(options, "org-id", "00D5g00000Fake1EAA"), first(options, "client-id", "3MVG9FakeConsumerKey"),
                first(options, "client-secret", "fake-consumer-secret"));
        for (String spec : options.getOrDefault("field", List.of())) {
            String[] tf = spec.split("\\.", 2);
            fake.field(tf[0], tf[1]);
        }
        for (String spec : options.getOrDefault("external-id", List.of())) {
            String[] tf = spec.split("\\.", 2);
            fake.externalId(tf[0], tf[1]);
        }
        for (String spec : options.getOrDefault("outbound", List.of())) {
            String[] tu = spec.split("=", 2);
            fake.outbound(tu[0], URI.create(tu[1]));
        }
        for (String spec : options.getOrDefault("cdc", List.of())) {
            String[] tu = spec.split("=", 2);
            fake.changeDataCapture(tu[0], URI.create(tu[1]), first(options, "cdc-secret", "whsec_ZmFrZS1zZWNyZXQ="));
        }
        if (options.containsKey("daily-limit")) {
            fake.dailyLimit(Long.parseLong(first(options, "daily-limit", "100000")), Duration.ofHours(24));
        }
        fake.redelivery(Duration.ofSeconds(1), Duration.ofSeconds(30));
        Runtime.getRuntime().addShutdownHook(new Thread(fake::close));
        System.out.println("fake Salesforce at " + fake.url() + " (org " + fake.organizationId() + ", client id "
                + fake.clientId() + ", client secret " + fake.clientSecret() + ")");
        System.out.println("change a record: curl -s -X POST " + fake.url() + "/fake/change -d "
                + "'{\"type\":\"Account\",\"fields\":{\"Name\":\"Acme\"}}'");
        System.out.flush();
        Thread.currentThread().join();
    }

    private static String first(Map<String, List<String>> options, String key, String fallback) {
        List<String> values = options.get(key);
        return values == null || values.isEmpty() ? fallback : values.getLast();
    }
}
