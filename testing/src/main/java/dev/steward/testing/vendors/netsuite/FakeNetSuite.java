package dev.steward.testing.vendors.netsuite;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A stateful stand-in for an Oracle NetSuite account, on 127.0.0.1: the REST record service
 * ({@code /services/rest/record/v1}: {@code GET /{record}/{id}}, {@code GET/PUT /{record}/eid:{externalId}},
 * {@code PATCH /{record}/{id}}, {@code POST /{record}}, lists with {@code limit}/{@code offset},
 * {@code hasMore} and {@code links}), the OAuth 2.0 token endpoint (a JWT assertion verified with
 * the certificate's public key) and token-based authentication (OAuth 1.0a HMAC-SHA256
 * verified), NetSuite's error bodies, and the account's concurrency limit ({@code 429} when more
 * requests than the limit are in flight). Records are customers, inventory items (quantity on
 * hand) and sales orders, each with an internal id, an external id and a
 * {@code lastModifiedDate}.
 *
 * <p>After every change, Steward's writes included, it posts what Steward's SuiteScript User
 * Event script would (one record's {@code {id, type, externalId, event, changedFields,
 * lastModifiedDate}}, signed the Standard Webhooks way) to the configured URL, in order, trying
 * each delivery three times as the script does.
 *
 * <p>Every request that breaks the contract (an unknown field, a read-only field, a wrong verb or
 * path, a malformed body or Authorization header) is answered the way NetSuite would and
 * recorded in {@link #violations()}. Changes made as a NetSuite user would ({@link #change},
 * {@code POST /_fake/{record}/{id}}) need no auth. Thread-safe.
 */
public final class FakeNetSuite implements AutoCloseable {

    static final String RECORD = "/services/rest/record/v1/";
    static final String TOKEN = "/services/rest/auth/oauth2/v1/token";
    static final ObjectMapper JSON = new ObjectMapper();

    /** Per record type: the fields a client may write and the ones only NetSuite sets. */
    record RecordType(String name, String scriptType, List<String> writable, List<String> readOnly) {
    }

    static final Map<String, RecordType> TYPES = Map.of(
            "customer", new RecordType("customer", "customer",
                    List.of("externalId", "entityId", "companyName", "firstName", "lastName", "isPerson", "email", "phone",
                            "creditLimit", "comments", "subsidiary", "category"),
                    List.of("id", "lastModifiedDate", "dateCreated", "balance", "links")),
            "inventoryItem", new RecordType("inventoryItem", "inventoryitem",
                    List.of("externalId", "itemId", "displayName", "description", "basePrice"),
                    List.of("id", "lastModifiedDate", "dateCreated", "totalQuantityOnHand", "links")),
            "salesOrder", new RecordType("salesOrder", "salesorder",
                    List.of("externalId", "tranId", "entity", "memo", "orderStatus", "tranDate"),
                    List.of("id", "lastModifiedDate", "dateCreated", "status", "total", "links")));

    private static final Pattern BY_ID = Pattern.compile("([A-Za-z]+)/(eid:)?([^/]+)");

    private final String accountId;
    private final Clock clock;
    private final FakeNetSuiteAuth auth;
    private final Map<String, Store> stores = new ConcurrentHashMap<>();
    private final List<String> violations = Collections.synchronizedList(new ArrayList<>());
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger concurrencyRefusals = new AtomicInteger();
    private final AtomicInteger apiWrites = new AtomicInteger();
    private final AtomicInteger maxInFlight = new AtomicInteger();
    private final FakeNetSuiteWebhooks webhooks;
    private final Map<String, Map<String, Object>> afterRead = new ConcurrentHashMap<>();
    private volatile int concurrencyLimit = 5;
    private volatile Duration delay = Duration.ZERO;
    private HttpServer server;

    /** One record type's records, by internal id. */
    private static final class Store {
        final ConcurrentSkipListMap<Long, ObjectNode> byId = new ConcurrentSkipListMap<>();
        final Map<String, Long> byExternalId = new ConcurrentHashMap<>();
        final AtomicLong nextId = new AtomicLong(100);
    }

    public FakeNetSuite(String accountId, Clock clock) {
        this.accountId = accountId;
        this.clock = clock;
        this.auth = new FakeNetSuiteAuth(accountId, clock);
        this.webhooks = new FakeNetSuiteWebhooks(accountId, clock);
        TYPES.keySet().forEach(type -> stores.put(type, new Store()));
    }

    public FakeNetSuite(String accountId) {
        this(accountId, Clock.systemUTC());
    }

    /** Lets an integration get tokens with assertions signed by the key of this certificate. */
    public FakeNetSuite allowM2m(String clientId, String certificateId, PublicKey key) {
        auth.allowM2m(clientId, certificateId, key);
        return this;
    }

    /** Lets an integration sign requests with these token-based authentication credentials. */
    public FakeNetSuite allowTba(String consumerKey, String consumerSecret, String tokenId, String tokenSecret) {
        auth.allowTba(consumerKey, consumerSecret, tokenId, tokenSecret);
        return this;
    }

    /** The most REST requests the account lets be in flight at once (default 5). */
    public FakeNetSuite concurrencyLimit(int limit) {
        this.concurrencyLimit = limit;
        return this;
    }

    /** How long each REST request takes (default none): makes requests overlap. */
    public FakeNetSuite delay(Duration delay) {
        this.delay = delay;
        return this;
    }

    /** Where the User Event script posts, and the secret it signs with ({@code whsec_<base64>} or text). */
    public FakeNetSuite sendWebhooksTo(URI url, String secret) {
        webhooks.target(url.toString(), secret);
        return this;
    }

    /**
     * As {@link #sendWebhooksTo(URI, String)}, with {@code {type}} in the URL replaced by the
     * record's SuiteScript type ({@code customer}, {@code inventoryitem}, {@code salesorder}), as
     * one deployment of the script per record type would post.
     */
    public FakeNetSuite sendWebhooksTo(String urlTemplate, String secret) {
        webhooks.target(urlTemplate, secret);
        return this;
    }

    /** How long access tokens last (default an hour). */
    public FakeNetSuite tokenLifetime(Duration lifetime) {
        auth.tokenLifetime(lifetime);
        return this;
    }

    /** Starts on 127.0.0.1 at the given port (0: any free one). */
    public FakeNetSuite start(int port) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 64);
        server.setExecutor(Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "fake-netsuite");
            t.setDaemon(true);
            return t;
        }));
        server.createContext("/", this::handle);
        server.start();
        return this;
    }

    public FakeNetSuite start() throws IOException {
        return start(0);
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** The REST host, as {@code baseUrl} in steward.yaml. */
    public String baseUrl() {
        return "http://127.0.0.1:" + port();
    }

    public URI tokenUrl() {
        return URI.create(baseUrl() + TOKEN);
    }

    public String accountId() {
        return accountId;
    }

    /** Ends every access token handed out, as an hour passing would. */
    public void expireTokens() {
        auth.expireTokens();
    }

    /** How many access tokens the token endpoint handed out. */
    public synchronized int tokensIssued() {
        return auth.tokensIssued;
    }

    /** Every contract violation seen so far, in order; tests assert there are none. */
    public List<String> violations() {
        synchronized (violations) {
            return List.copyOf(violations);
        }
    }

    /** How many requests were refused with 429 for the concurrency limit. */
    public int concurrencyRefusals() {
        return concurrencyRefusals.get();
    }

    /** The most REST requests that were ever in flight at once (refused ones included). */
    public int maxInFlight() {
        return maxInFlight.get();
    }

    /** How many changes the REST API made (creates, upserts, updates). */
    public int apiWrites() {
        return apiWrites.get();
    }

    /** The deliveries the User Event script made, in order. */
    public List<FakeNetSuiteWebhooks.Delivery> deliveries() {
        return webhooks.deliveries();
    }

    /** Waits until every change so far has been posted (or given up on), for at most {@code wait}. */
    public boolean awaitDeliveries(Duration wait) throws InterruptedException {
        return webhooks.awaitIdle(wait);
    }

    /** Adds a record as if it had always been there (no webhook); its internal id. */
    public String seed(String type, String externalId, Map<String, Object> fields) {
        return write(type, Optional.empty(), externalId, JSON.valueToTree(fields), false).get("id").asText();
    }

    /**
     * Changes a record as a NetSuite user would (quantity on hand included), and posts the
     * script's delivery about it.
     *
     * @param id the internal id, or {@code eid:} and the external id
     */
    public void change(String type, String id, Map<String, Object> fields) {
        Long internal = resolve(type, id).orElseThrow(() -> new IllegalArgumentException("no " + type + " " + id));
        ObjectNode changed = write(type, Optional.of(internal), null, JSON.valueToTree(fields), true);
        webhooks.send(TYPES.get(type).scriptType(), changed, "edit", List.copyOf(fields.keySet()));
    }

    /**
     * Makes a NetSuite user change the record right after the next REST read of it has been
     * answered: the reader now holds a version that is no longer current (a version conflict).
     */
    public void changeAfterNextRead(String type, String id, Map<String, Object> fields) {
        Long internal = resolve(type, id).orElseThrow(() -> new IllegalArgumentException("no " + type + " " + id));
        afterRead.put(type + "/" + internal, fields);
    }

    /** A record as NetSuite holds it, by internal id or {@code eid:} and the external id. */
    public Optional<Map<String, Object>> record(String type, String id) {
        return resolve(type, id).map(internal -> {
            @SuppressWarnings("unchecked")
            Map<String, Object> fields = JSON.convertValue(stores.get(type).byId.get(internal), Map.class);
            return fields;
        });
    }

    /** How many records of a type there are. */
    public int count(String type) {
        return stores.get(type).byId.size();
    }

    @Override
    public void close() {
        if (server != null) {
            server.stop(0);
        }
        webhooks.close();
    }

    private Optional<Long> resolve(String type, String id) {
        Store store = stores.get(type);
        if (store == null) {
            return Optional.empty();
        }
        if (id.startsWith("eid:")) {
            return Optional.ofNullable(store.byExternalId.get(id.substring(4)));
        }
        try {
            long internal = Long.parseLong(id);
            return store.byId.containsKey(internal) ? Optional.of(internal) : Optional.empty();
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /**
     * Creates or updates a record; the stored record. With {@code user}, read-only fields may be
     * set (a NetSuite user adjusting inventory).
     */
    private synchronized ObjectNode write(String type, Optional<Long> id, String externalId, JsonNode fields,
                                          boolean user) {
        Store store = stores.get(type);
        Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
        ObjectNode record;
        if (id.isPresent()) {
            record = store.byId.get(id.get());
        } else {
            long internal = store.nextId.getAndIncrement();
            record = JSON.createObjectNode();
            record.put("id", Long.toString(internal));
            record.put("dateCreated", now.toString());
            if (externalId != null) {
                record.put("externalId", externalId);
                store.byExternalId.put(externalId, internal);
            }
            store.byId.put(internal, record);
        }
        fields.properties().forEach(e -> {
            if (e.getKey().equals("externalId")) {
                String old = record.path("externalId").asText(null);
                if (old != null) {
                    store.byExternalId.remove(old);
                }
                store.byExternalId.put(e.getValue().asText(), Long.parseLong(record.get("id").asText()));
            }
            record.set(e.getKey(), e.getValue());
        });
        // lastModifiedDate has seconds; two changes in one second still get two versions
        Instant last = record.has("lastModifiedDate") ? Instant.parse(record.get("lastModifiedDate").asText()) : Instant.MIN;
        record.put("lastModifiedDate", (now.isAfter(last) ? now : last.plusSeconds(1)).toString());
        return record.deepCopy();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getRawPath();
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readAllBytes();
            }
            if (path.equals(TOKEN)) {
                token(exchange, new String(body, StandardCharsets.UTF_8));
            } else if (path.startsWith("/_fake/")) {
                fakeControl(exchange, path.substring(7), body);
            } else if (path.startsWith(RECORD)) {
                governed(exchange, path.substring(RECORD.length()), body);
            } else {
                violation(exchange.getRequestMethod() + " " + path + ": not a NetSuite REST path");
                error(exchange, 404, "NONEXISTENT_ID", "No resource at " + path, null);
            }
        } catch (RuntimeException e) {
            violation("the fake failed on " + exchange.getRequestURI() + ": " + e);
            error(exchange, 500, "UNEXPECTED_ERROR", "An unexpected error occurred: " + e, null);
        }
    }

    private void token(HttpExchange exchange, String form) throws IOException {
        if (!exchange.getRequestMethod().equals("POST")) {
            violation(exchange.getRequestMethod() + " " + TOKEN + ": the token endpoint takes POST");
            send(exchange, 405, "{\"error\":\"invalid_request\"}");
            return;
        }
        String type = exchange.getRequestHeaders().getFirst("Content-Type");
        if (type == null || !type.startsWith("application/x-www-form-urlencoded")) {
            violation("POST " + TOKEN + " with Content-Type " + type + ", not a form");
            send(exchange, 400, "{\"error\":\"invalid_request\"}");
            return;
        }
        Object answer = auth.token(form, tokenUrl());
        if (answer instanceof FakeNetSuiteAuth.Refusal refusal) {
            violation("POST " + TOKEN + ": " + refusal.detail());
            Map<String, String> error = Map.of("error", refusal.code(), "error_description", refusal.detail());
            send(exchange, refusal.status(), JSON.writeValueAsString(error));
            return;
        }
        send(exchange, 200, JSON.writeValueAsString(answer));
    }

    /** A REST call: within the concurrency limit, authorized, then served. */
    private void governed(HttpExchange exchange, String rest, byte[] body) throws IOException {
        int now = inFlight.incrementAndGet();
        maxInFlight.accumulateAndGet(now, Math::max);
        try {
            if (now > concurrencyLimit) {
                concurrencyRefusals.incrementAndGet();
                error(exchange, 429, "CONCURRENCY_LIMIT_EXCEEDED", "Request blocked by the request concurrency"
                        + " limit: the account allows " + concurrencyLimit + " requests in flight.", null);
                return;
            }
            URI uri = URI.create("http://" + exchange.getRequestHeaders().getFirst("Host") + exchange.getRequestURI());
            boolean[] violation = {false};
            Optional<FakeNetSuiteAuth.Refusal> refused = auth.check(exchange.getRequestMethod(), uri,
                    exchange.getRequestHeaders().getFirst("Authorization"), violation);
            if (refused.isPresent()) {
                if (violation[0]) {
                    violation(exchange.getRequestMethod() + " " + uri.getRawPath() + ": " + refused.get().detail());
                }
                error(exchange, 401, refused.get().code(), "Invalid login attempt. For more details, see the Login"
                        + " Audit Trail in the NetSuite UI at Setup > Users/Roles > User Management > View Login"
                        + " Audit Trail.", null);
                return;
            }
            if (!delay.isZero()) {
                try {
                    Thread.sleep(delay);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            FakeNetSuiteRest.serve(this, exchange, rest, body);
        } finally {
            inFlight.decrementAndGet();
        }
    }

    private void fakeControl(HttpExchange exchange, String rest, byte[] body) throws IOException {
        Matcher m = BY_ID.matcher(rest);
        if (exchange.getRequestMethod().equals("POST") && m.matches() && TYPES.containsKey(m.group(1))) {
            String id = (m.group(2) == null ? "" : "eid:") + m.group(3);
            if (resolve(m.group(1), id).isEmpty()) {
                send(exchange, 404, "{\"error\":\"no such record\"}");
                return;
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> fields = JSON.readValue(body, Map.class);
            change(m.group(1), id, fields);
            send(exchange, 200, JSON.writeValueAsString(record(m.group(1), id).orElseThrow()));
        } else if (exchange.getRequestMethod().equals("GET") && TYPES.containsKey(rest)) {
            send(exchange, 200, JSON.writeValueAsString(stores.get(rest).byId.values()));
        } else if (exchange.getRequestMethod().equals("GET") && rest.equals("violations")) {
            send(exchange, 200, JSON.writeValueAsString(violations()));
        } else {
            send(exchange, 404, "{\"error\":\"the fake takes POST /_fake/{record}/{id or eid:X} with fields,"
                    + " GET /_fake/{record} and GET /_fake/violations\"}");
        }
    }

    // --- used by FakeNetSuiteRest ---

    void answeredRead(String type, long id) {
        Map<String, Object> change = afterRead.remove(type + "/" + id);
        if (change != null) {
            change(type, Long.toString(id), change);
        }
    }

    Optional<Long> find(String type, String id) {
        return resolve(type, id);
    }

    ObjectNode stored(String type, long id) {
        return stores.get(type).byId.get(id).deepCopy();
    }

    List<Long> ids(String type) {
        return new ArrayList<>(stores.get(type).byId.keySet());
    }

    /** A change through the REST API: stored, counted, and posted by the script. */
    ObjectNode apiWrite(String type, Optional<Long> id, String externalId, JsonNode fields) {
        ObjectNode stored = write(type, id, externalId, fields, false);
        apiWrites.incrementAndGet();
        List<String> changed = new ArrayList<>();
        fields.fieldNames().forEachRemaining(changed::add);
        webhooks.send(TYPES.get(type).scriptType(), stored, id.isPresent() ? "edit" : "create", changed);
        return stored;
    }

    void violation(String what) {
        violations.add(what);
    }

    static void error(HttpExchange exchange, int status, String code, String detail, String path) throws IOException {
        ObjectNode body = JSON.createObjectNode();
        body.put("type", "https://www.w3.org/Protocols/rfc2616/rfc2616-sec10.html#sec10." + (status / 100) + "."
                + (status == 400 ? 1 : status == 401 ? 2 : status == 404 ? 5 : status == 405 ? 6 : 1));
        body.put("title", switch (status) {
            case 400 -> "Bad Request";
            case 401 -> "Unauthorized";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            case 415 -> "Unsupported Media Type";
            case 429 -> "Too Many Requests";
            default -> "Internal Server Error";
        });
        body.put("status", status);
        ObjectNode detailNode = body.putArray("o:errorDetails").addObject();
        detailNode.put("detail", detail);
        detailNode.put("o:errorCode", code);
        if (path != null) {
            detailNode.put("o:errorPath", path);
        }
        send(exchange, status, body.toString(), "application/vnd.oracle.resource+json; type=error");
    }

    static void send(HttpExchange exchange, int status, String json) throws IOException {
        send(exchange, status, json, "application/json");
    }

    static void send(HttpExchange exchange, int status, String json, String type) throws IOException {
        byte[] bytes = json == null ? new byte[0] : json.getBytes(StandardCharsets.UTF_8);
        if (json != null) {
            exchange.getResponseHeaders().set("Content-Type", type);
        }
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            exchange.getResponseBody().write(bytes);
        }
    }

    /** Fields of a record for {@link #seed} and {@link #change}, in order. */
    public static Map<String, Object> fields(Object... namesAndValues) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (int i = 0; i + 1 < namesAndValues.length; i += 2) {
            out.put(String.valueOf(namesAndValues[i]), namesAndValues[i + 1]);
        }
        return out;
    }
}
