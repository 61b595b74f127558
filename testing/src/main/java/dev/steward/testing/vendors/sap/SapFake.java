package dev.steward.testing.vendors.sap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.Deque;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A stateful stand-in for an SAP S/4HANA Cloud tenant's OData v2 APIs, on 127.0.0.1: business
 * partners and customers ({@link SapEntitySet}) with ETags, the communication user's basic auth
 * and an OAuth 2.0 client-credentials token endpoint ({@code /oauth/token}), the CSRF token
 * dance with its session cookies ({@code SAP_SESSIONID_FAK_100}, {@code sap-XSRF_FAK_100}) and
 * their expiry, {@code $filter}/{@code $top}/{@code $skip}/{@code $inlinecount}/{@code $orderby}/
 * {@code $select} lists, the OData v2 error body, an optional rate limit (SAP publishes none; it
 * stands for a gateway in front), and business events pushed as CloudEvents after every change,
 * the client's own writes included ({@link SapEventPusher}).
 *
 * <p>It checks what clients send against the API's contract (paths, verbs, query options,
 * property names and types, {@code If-Match} on updates, a CSRF token on writes) and answers a
 * violation SAP's way while recording it in {@link #violations()}, so tests assert there were
 * none. {@code POST /fake/changes} changes a record as a user in SAP would (for examples).
 * Thread-safe.
 */
public final class SapFake implements AutoCloseable {

    /** System id and client of the fake tenant, as they appear in cookie names and event sources. */
    public static final String SID = "FAK";
    public static final String CLIENT = "100";
    static final String SESSION_COOKIE = "SAP_SESSIONID_" + SID + "_" + CLIENT;
    static final String XSRF_COOKIE = "sap-XSRF_" + SID + "_" + CLIENT;
    private static final String ROOT = "/sap/opu/odata/sap/";
    private static final Pattern ENTITY_PATH = Pattern.compile("([A-Za-z_][A-Za-z0-9_]*)(?:\\('((?:[^']|'')*)'\\))?");
    private static final Set<String> QUERY_OPTIONS = Set.of("$format", "$filter", "$top", "$skip", "$inlinecount",
            "$orderby", "$select", "sap-client");
    private static final Pattern FILTER_TERM = Pattern.compile("\\s*([A-Za-z_][A-Za-z0-9_]*)\\s+(eq|ne)\\s+'((?:[^']|'')*)'\\s*");
    private static final DateTimeFormatter ETAG_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH'%3A'mm'%3A'ss.SSSSSSS");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final SecureRandom random = new SecureRandom();
    private final Map<String, SapEntitySet> sets = new LinkedHashMap<>();
    private final Map<String, Map<String, Stored>> records = new ConcurrentHashMap<>();
    private final Map<String, Session> sessions = new ConcurrentHashMap<>();
    private final Map<String, Instant> accessTokens = new ConcurrentHashMap<>();
    private final List<String> violations = new CopyOnWriteArrayList<>();
    private final Map<String, AtomicInteger> counters = new ConcurrentHashMap<>();
    private final Deque<Instant> recentCalls = new ArrayDeque<>();
    private final SapEventPusher events = new SapEventPusher();
    private final Object lock = new Object();
    private volatile String user = "STEWARD_COMM";
    private volatile String password = "comm-secret";
    private volatile String clientId = "sb-steward";
    private volatile String clientSecret = "client-secret";
    private volatile Duration tokenLifetime = Duration.ofHours(12);
    private volatile Duration sessionLifetime = Duration.ofMinutes(30);
    private volatile int rateLimit;
    private volatile Duration rateWindow = Duration.ofSeconds(1);
    private final Map<String, Map<String, Object>> racingChanges = new ConcurrentHashMap<>();
    private LocalDateTime lastChange = LocalDateTime.MIN;
    private long nextNumber = 1_000_000;

    private record Session(String token, String xsrf, Instant expires) {
    }

    private record Stored(ObjectNode fields, String etag) {
    }

    /** Starts the fake on 127.0.0.1 at {@code port} (0: any free port). */
    public SapFake(int port) throws IOException {
        for (SapEntitySet set : SapEntitySet.ALL) {
            sets.put(set.service() + "/" + set.name(), set);
            records.put(set.name(), new ConcurrentHashMap<>());
        }
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
        server.setExecutor(Executors.newFixedThreadPool(8, Thread.ofPlatform().daemon().name("sap-fake-", 0).factory()));
        server.createContext("/", this::handle);
        server.start();
    }

    public SapFake() throws IOException {
        this(0);
    }

    /** {@code http://127.0.0.1:port}: the connector's {@code baseUrl}. */
    public String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** The OAuth token endpoint, for {@code auth.tokenUrl}. */
    public String tokenUrl() {
        return baseUrl() + "/oauth/token";
    }

    /** The communication user's credentials (default STEWARD_COMM / comm-secret). */
    public SapFake basicAuth(String user, String password) {
        this.user = user;
        this.password = password;
        return this;
    }

    /** The OAuth client's credentials (default sb-steward / client-secret) and its tokens' lifetime. */
    public SapFake oauthClient(String clientId, String clientSecret, Duration tokenLifetime) {
        this.clientId = clientId;
        this.clientSecret = clientSecret;
        this.tokenLifetime = tokenLifetime;
        return this;
    }

    /** How long a CSRF token and its session live (SAP's session timeout; default 30 minutes). */
    public SapFake sessionLifetime(Duration lifetime) {
        this.sessionLifetime = lifetime;
        return this;
    }

    /** At most {@code calls} OData calls per {@code window}; more are answered 429 (0: no limit). */
    public SapFake rateLimit(int calls, Duration window) {
        this.rateLimit = calls;
        this.rateWindow = window;
        return this;
    }

    /** Pushes business events to {@code url} from now on (the Event Mesh webhook subscription). */
    public SapFake subscribe(URI url, Map<String, String> headers, boolean binary, Duration redelivery) {
        events.subscribe(new SapEventPusher.Subscription(url, headers, binary, redelivery));
        return this;
    }

    /** Ends every session: the next write with an old token is answered 403 {@code X-CSRF-Token: Required}. */
    public void expireCsrfTokens() {
        sessions.clear();
    }

    /** Revokes every OAuth access token: the next call with one is answered 401. */
    public void revokeAccessTokens() {
        accessTokens.clear();
    }

    /** The contract violations seen, oldest first. */
    public List<String> violations() {
        return List.copyOf(violations);
    }

    /** How often something happened: {@code POST A_BusinessPartner}, {@code csrf-fetch}, {@code csrf-required}, {@code token}, {@code 429}... */
    public int count(String what) {
        AtomicInteger counter = counters.get(what);
        return counter == null ? 0 : counter.get();
    }

    /** The event pusher: what was delivered, how often pushed. */
    public SapEventPusher events() {
        return events;
    }

    /** A record's properties as a client reads them, if it exists. */
    public Optional<Map<String, Object>> record(String entitySet, String key) {
        Stored stored = records.get(entitySet).get(key);
        @SuppressWarnings("unchecked")
        Map<String, Object> fields = stored == null ? null : JSON.convertValue(stored.fields(), Map.class);
        return Optional.ofNullable(fields);
    }

    /** A record's current ETag, if it exists. */
    public Optional<String> etag(String entitySet, String key) {
        return Optional.ofNullable(records.get(entitySet).get(key)).map(Stored::etag);
    }

    /**
     * Creates or changes a record as a user in SAP would (no auth, no CSRF): bumps its ETag and
     * raises the business event.
     */
    public void change(String entitySet, String key, Map<String, Object> fields) {
        SapEntitySet set = SapEntitySet.ALL.stream().filter(s -> s.name().equals(entitySet)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no entity set " + entitySet));
        ObjectNode values = JSON.valueToTree(fields);
        synchronized (lock) {
            Stored old = records.get(entitySet).get(key);
            store(set, key, old, values, "SAP_USER");
        }
    }

    /**
     * The next write of this record by a client finds that a user changed (or created) it first
     * with {@code fields}: the change is applied, its ETag bumped and its event raised just
     * before the write is checked, so an update with the ETag read before is answered 412 and a
     * create 409. One-shot.
     */
    public void changeBeforeNextWrite(String entitySet, String key, Map<String, Object> fields) {
        racingChanges.put(entitySet + "('" + key + "')", Map.copyOf(fields));
    }

    @Override
    public void close() {
        server.stop(0);
        events.close();
    }

    // --- HTTP ---

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getRawPath();
            if (path.equals("/oauth/token")) {
                token(exchange);
            } else if (path.equals("/fake/changes")) {
                fakeChange(exchange);
            } else if (path.startsWith(ROOT)) {
                odata(exchange, path.substring(ROOT.length()));
            } else {
                SapHttp.error(exchange, 404, "/IWFND/MED/170", "No service found for namespace '', name '" + path + "'", null);
            }
        } catch (RuntimeException e) {
            violation("the fake failed on " + exchange.getRequestMethod() + " " + exchange.getRequestURI() + ": " + e);
            throw e;
        }
    }

    private void token(HttpExchange exchange) throws IOException {
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        if (!exchange.getRequestMethod().equals("POST") || !body.contains("grant_type=client_credentials")) {
            violation("token request must be POST with grant_type=client_credentials, was "
                    + exchange.getRequestMethod() + " " + body);
            SapHttp.send(exchange, 400, "application/json", "{\"error\":\"unsupported_grant_type\"}");
            return;
        }
        if (!basic(exchange, clientId, clientSecret)) {
            SapHttp.send(exchange, 401, "application/json", "{\"error\":\"unauthorized\",\"error_description\":\"Bad credentials\"}");
            return;
        }
        bump("token");
        String token = HexFormat.of().formatHex(bytes(24));
        accessTokens.put(token, Instant.now().plus(tokenLifetime));
        SapHttp.send(exchange, 200, "application/json", JSON.writeValueAsString(Map.of("access_token", token,
                "token_type", "bearer", "expires_in", tokenLifetime.toSeconds(), "scope", "uaa.resource")));
    }

    private void fakeChange(HttpExchange exchange) throws IOException {
        JsonNode body = JSON.readTree(exchange.getRequestBody());
        String set = body.path("entitySet").asText("A_BusinessPartner");
        if (!records.containsKey(set) || !body.path("key").isTextual() || !body.path("fields").isObject()) {
            SapHttp.send(exchange, 400, "text/plain", "POST /fake/changes {\"entitySet\":\"A_BusinessPartner\",\"key\":\"1000001\","
                    + "\"fields\":{\"OrganizationBPName1\":\"ACME\"}}");
            return;
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> fields = JSON.convertValue(body.get("fields"), Map.class);
        change(set, body.get("key").asText(), fields);
        SapHttp.send(exchange, 204, null, "");
    }

    private void odata(HttpExchange exchange, String rest) throws IOException {
        String method = exchange.getRequestMethod();
        if (method.equals("POST")) {
            String tunnelled = exchange.getRequestHeaders().getFirst("X-HTTP-Method");
            if (tunnelled != null) {
                method = tunnelled.toUpperCase(java.util.Locale.ROOT);
            }
        }
        if (!authenticated(exchange)) {
            exchange.getResponseHeaders().add("WWW-Authenticate", "Basic realm=\"SAP NetWeaver Application Server [" + SID + "/" + CLIENT + "]\"");
            SapHttp.send(exchange, 401, "text/html", "<html><body>Logon failed</body></html>");
            return;
        }
        if (rateLimited(exchange)) {
            return;
        }
        int slash = rest.indexOf('/');
        String service = slash < 0 ? rest : rest.substring(0, slash);
        String resource = slash < 0 ? "" : rest.substring(slash + 1);
        boolean fetch = "Fetch".equalsIgnoreCase(exchange.getRequestHeaders().getFirst("X-CSRF-Token"));
        if (fetch) {
            if (!method.equals("GET") && !method.equals("HEAD")) {
                violation("X-CSRF-Token: Fetch on " + method + " (fetch with GET or HEAD)");
            }
            issueSession(exchange);
        }
        if (sets.keySet().stream().noneMatch(k -> k.startsWith(service + "/"))) {
            violation("unknown service " + service);
            SapHttp.error(exchange, 404, "/IWFND/MED/170", "No service found for namespace '/SAP/', name '" + service
                    + "', version '0001'", null);
            return;
        }
        if (resource.isEmpty()) {
            if (!method.equals("GET") && !method.equals("HEAD")) {
                violation(method + " on the service root " + service);
                SapHttp.send(exchange, 405, "text/plain", "Method not allowed");
                return;
            }
            ObjectNode doc = JSON.createObjectNode();
            ArrayNode names = doc.putObject("d").putArray("EntitySets");
            sets.values().stream().filter(s -> s.service().equals(service)).forEach(s -> names.add(s.name()));
            SapHttp.send(exchange, 200, "application/json", method.equals("HEAD") ? "" : doc.toString());
            return;
        }
        Matcher m = ENTITY_PATH.matcher(URLDecoder.decode(resource.replace("+", "%2B"), StandardCharsets.UTF_8));
        SapEntitySet set = m.matches() ? sets.get(service + "/" + m.group(1)) : null;
        if (set == null) {
            violation("unknown resource " + service + "/" + resource);
            SapHttp.error(exchange, 404, "/IWBEP/CM_MGW_RT/021", "Resource not found for segment '" + resource + "'", null);
            return;
        }
        String key = m.group(2) == null ? null : m.group(2).replace("''", "'");
        Map<String, String> query = SapHttp.query(exchange);
        for (String option : query.keySet()) {
            if (!QUERY_OPTIONS.contains(option)) {
                violation("unknown query option " + option);
                SapHttp.error(exchange, 400, "/IWBEP/CM_MGW_RT/004", "Invalid system query option '" + option + "'", null);
                return;
            }
        }
        if (!CLIENT.equals(query.getOrDefault("sap-client", CLIENT))) {
            violation("sap-client " + query.get("sap-client") + " (the tenant's client is " + CLIENT + ")");
        }
        switch (method) {
            case "GET" -> {
                if (!json(exchange, query)) {
                    return;
                }
                if (key == null) {
                    list(exchange, set, query);
                } else {
                    read(exchange, set, key, query);
                }
            }
            case "POST" -> {
                if (key != null) {
                    violation("POST to an entity " + resource + " (create with POST on the entity set)");
                    SapHttp.send(exchange, 405, "text/plain", "Method not allowed");
                } else if (csrfValid(exchange)) {
                    create(exchange, set);
                }
            }
            case "PATCH", "MERGE", "PUT" -> {
                if (key == null) {
                    violation(method + " on the entity set " + set.name() + " (update one entity)");
                    SapHttp.send(exchange, 405, "text/plain", "Method not allowed");
                } else if (csrfValid(exchange)) {
                    update(exchange, set, key, method);
                }
            }
            default -> {
                violation("method " + method + " on " + resource);
                SapHttp.send(exchange, 405, "text/plain", "Method not allowed");
            }
        }
    }

    private void read(HttpExchange exchange, SapEntitySet set, String key, Map<String, String> query) throws IOException {
        Stored stored = records.get(set.name()).get(key);
        if (stored == null) {
            SapHttp.error(exchange, 404, "/IWBEP/CM_MGW_RT/020", "Resource not found for segment '" + set.entityType()
                    + "'", null);
            return;
        }
        List<String> select = select(exchange, set, query);
        if (select == null) {
            return;
        }
        exchange.getResponseHeaders().add("ETag", stored.etag());
        ObjectNode answer = JSON.createObjectNode();
        answer.set("d", entry(set, key, stored, select));
        SapHttp.send(exchange, 200, "application/json", answer.toString());
    }

    private void list(HttpExchange exchange, SapEntitySet set, Map<String, String> query) throws IOException {
        List<String> select = select(exchange, set, query);
        if (select == null) {
            return;
        }
        List<Map.Entry<String, Stored>> all = new ArrayList<>(new TreeMap<>(records.get(set.name())).entrySet());
        String filter = query.get("$filter");
        if (filter != null) {
            List<String[]> terms = new ArrayList<>();
            for (String term : filter.split("\\s+and\\s+")) {
                Matcher t = FILTER_TERM.matcher(term);
                if (!t.matches() || set.property(t.group(1)).isEmpty()) {
                    SapHttp.error(exchange, 400, "/IWBEP/CM_MGW_RT/022", "Invalid filter expression: '" + filter
                            + "' (the fake supports Property eq|ne 'value' joined by and)", null);
                    return;
                }
                terms.add(new String[] {t.group(1), t.group(2), t.group(3).replace("''", "'")});
            }
            all.removeIf(e -> terms.stream().anyMatch(t -> {
                boolean equal = e.getValue().fields().path(t[0]).asText("").equals(t[2]);
                return t[1].equals("eq") != equal;
            }));
        }
        String orderby = query.get("$orderby");
        if (orderby != null) {
            String[] parts = orderby.trim().split("\\s+");
            if (set.property(parts[0]).isEmpty() || parts.length > 2
                    || (parts.length == 2 && !parts[1].equals("asc") && !parts[1].equals("desc"))) {
                violation("$orderby " + orderby);
                SapHttp.error(exchange, 400, "/IWBEP/CM_MGW_RT/022", "Invalid $orderby '" + orderby + "'", null);
                return;
            }
            Comparator<Map.Entry<String, Stored>> order = Comparator.comparing(e -> e.getValue().fields().path(parts[0]).asText(""));
            all.sort(parts.length == 2 && parts[1].equals("desc") ? order.reversed() : order);
        }
        int skip = SapHttp.number(query.get("$skip"), 0);
        int top = SapHttp.number(query.get("$top"), Integer.MAX_VALUE);
        if (skip < 0 || top < 0) {
            violation("$skip/$top not a non-negative number: " + query);
            SapHttp.error(exchange, 400, "/IWBEP/CM_MGW_RT/004", "Invalid $skip or $top", null);
            return;
        }
        ObjectNode d = JSON.createObjectNode();
        if ("allpages".equals(query.get("$inlinecount"))) {
            d.put("__count", Integer.toString(all.size()));
        }
        ArrayNode results = d.putArray("results");
        all.stream().skip(skip).limit(top).forEach(e -> results.add(entry(set, e.getKey(), e.getValue(), select)));
        ObjectNode answer = JSON.createObjectNode();
        answer.set("d", d);
        SapHttp.send(exchange, 200, "application/json", answer.toString());
    }

    private void create(HttpExchange exchange, SapEntitySet set) throws IOException {
        ObjectNode body = body(exchange, set, true);
        if (body == null) {
            return;
        }
        synchronized (lock) {
            String key = body.path(set.keyProperty()).asText("");
            Map<String, Object> racing = racingChanges.remove(set.name() + "('" + key + "')");
            if (racing != null && !records.get(set.name()).containsKey(key)) {
                store(set, key, null, JSON.valueToTree(racing), "SAP_USER");
            }
            if (key.isEmpty()) {
                key = Long.toString(nextNumber++); // internal number range
                body.put(set.keyProperty(), key);
            }
            if (records.get(set.name()).containsKey(key)) {
                SapHttp.error(exchange, 409, "/IWBEP/CM_MGW_RT/027", set.entityType() + " " + key + " already exists",
                        set.name() + "/" + set.keyProperty());
                return;
            }
            Stored stored = store(set, key, null, body, user);
            bump("POST " + set.name());
            exchange.getResponseHeaders().add("ETag", stored.etag());
            exchange.getResponseHeaders().add("Location", baseUrl() + ROOT + set.service() + "/" + set.name() + "('" + key + "')");
            ObjectNode answer = JSON.createObjectNode();
            answer.set("d", entry(set, key, stored, null));
            SapHttp.send(exchange, 201, "application/json", answer.toString());
        }
    }

    private void update(HttpExchange exchange, SapEntitySet set, String key, String method) throws IOException {
        String ifMatch = exchange.getRequestHeaders().getFirst("If-Match");
        if (ifMatch == null) {
            violation(method + " " + set.name() + "('" + key + "') without If-Match");
            SapHttp.error(exchange, 428, "/IWBEP/CM_MGW_RT/021", "Precondition required: send If-Match with the ETag", null);
            return;
        }
        ObjectNode body = body(exchange, set, false);
        if (body == null) {
            return;
        }
        if (body.has(set.keyProperty()) && !body.get(set.keyProperty()).asText().equals(key)) {
            violation(method + " changes the key " + set.keyProperty() + " of " + key);
            SapHttp.error(exchange, 400, "/IWBEP/CM_MGW_RT/008", "Key property " + set.keyProperty() + " cannot be changed",
                    set.name() + "/" + set.keyProperty());
            return;
        }
        synchronized (lock) {
            Map<String, Object> racing = racingChanges.remove(set.name() + "('" + key + "')");
            if (racing != null && records.get(set.name()).containsKey(key)) {
                store(set, key, records.get(set.name()).get(key), JSON.valueToTree(racing), "SAP_USER");
            }
            Stored old = records.get(set.name()).get(key);
            if (old == null) {
                SapHttp.error(exchange, 404, "/IWBEP/CM_MGW_RT/020", "Resource not found for segment '" + set.entityType() + "'", null);
                return;
            }
            if (!ifMatch.equals("*") && !ifMatch.equals(old.etag())) {
                bump("412");
                SapHttp.error(exchange, 412, "/IWBEP/CM_MGW_RT/022", "Precondition failed: the entity was changed"
                        + " (ETag " + old.etag() + ")", null);
                return;
            }
            if (method.equals("PUT")) {
                ObjectNode replaced = JSON.createObjectNode();
                replaced.set(set.keyProperty(), old.fields().get(set.keyProperty()));
                replaced.setAll(body);
                old = new Stored(replaced, old.etag());
            }
            Stored stored = store(set, key, old, body, user);
            bump(method + " " + set.name());
            exchange.getResponseHeaders().add("ETag", stored.etag());
            SapHttp.send(exchange, 204, null, "");
        }
    }

    /** Merges {@code values} into the record, bumps its ETag and raises the business event; call under the lock. */
    private Stored store(SapEntitySet set, String key, Stored old, ObjectNode values, String by) {
        ObjectNode fields = old == null ? JSON.createObjectNode() : old.fields().deepCopy();
        fields.put(set.keyProperty(), key);
        fields.setAll(values);
        LocalDateTime now = LocalDateTime.now(ZoneOffset.UTC);
        lastChange = now.isAfter(lastChange) ? now : lastChange.plusNanos(100);
        long millis = lastChange.toInstant(ZoneOffset.UTC).toEpochMilli();
        if (set.property("LastChangeDate").isPresent()) {
            fields.put("LastChangeDate", "/Date(" + millis + ")/");
        }
        if (set.property("LastChangedByUser").isPresent()) {
            fields.put("LastChangedByUser", by);
        }
        if (old == null && set.property("CreationDate").isPresent()) {
            fields.put("CreationDate", "/Date(" + millis + ")/");
            fields.put("CreatedByUser", by);
        }
        if (old == null && set.property("OverallDeliveryStatus").isPresent()) {
            fields.put("OverallDeliveryStatus", "A"); // not yet processed
            fields.put("TotalNetAmount", "0.000");
        }
        Stored stored = new Stored(fields, "W/\"datetime'" + ETAG_TIME.format(lastChange) + "'\"");
        records.get(set.name()).put(key, stored);
        ObjectNode event = JSON.createObjectNode();
        event.put("specversion", "1.0");
        event.put("id", UUID.randomUUID().toString());
        event.put("source", "/default/sap.s4.beh/" + SID + "CLNT" + CLIENT);
        event.put("type", set.eventPrefix() + (old == null ? ".Created.v1" : ".Changed.v1"));
        event.put("time", Instant.now().toString());
        event.put("datacontenttype", "application/json");
        event.putObject("data").put(set.keyProperty(), key);
        events.publish(event);
        return stored;
    }

    /** The entry as OData v2 JSON: every property (strings "" and booleans false when unset) and __metadata. */
    private ObjectNode entry(SapEntitySet set, String key, Stored stored, List<String> select) {
        ObjectNode entry = JSON.createObjectNode();
        String uri = baseUrl() + ROOT + set.service() + "/" + set.name() + "('" + key + "')";
        ObjectNode metadata = entry.putObject("__metadata");
        metadata.put("id", uri);
        metadata.put("uri", uri);
        metadata.put("type", set.service() + "." + set.entityType());
        metadata.put("etag", stored.etag());
        for (SapEntitySet.Property property : set.properties().values()) {
            if (select != null && !select.contains(property.name())) {
                continue;
            }
            JsonNode value = stored.fields().get(property.name());
            if (value != null) {
                entry.set(property.name(), value);
            } else if (property.type().equals("Edm.String")) {
                entry.put(property.name(), "");
            } else if (property.type().equals("Edm.Boolean")) {
                entry.put(property.name(), false);
            } else {
                entry.putNull(property.name());
            }
        }
        return entry;
    }

    /** The request's JSON object after the contract checks, or null when an error was answered. */
    private ObjectNode body(HttpExchange exchange, SapEntitySet set, boolean create) throws IOException {
        String type = exchange.getRequestHeaders().getFirst("Content-Type");
        if (type == null || !type.toLowerCase(java.util.Locale.ROOT).startsWith("application/json")) {
            violation("write with Content-Type " + type + " (send application/json)");
            SapHttp.error(exchange, 415, "/IWBEP/CM_MGW_RT/004", "Unsupported media type " + type, null);
            return null;
        }
        JsonNode body;
        try {
            body = JSON.readTree(exchange.getRequestBody());
        } catch (IOException e) {
            body = null;
        }
        if (body == null || !body.isObject()) {
            violation("write body is not a JSON object");
            SapHttp.error(exchange, 400, "/IWBEP/CM_MGW_RT/004", "Malformed request body: a JSON object is expected", null);
            return null;
        }
        ObjectNode object = (ObjectNode) body;
        Optional<SapEntitySet.Refusal> refusal = set.check(object, create);
        if (refusal.isPresent()) {
            SapEntitySet.Refusal r = refusal.get();
            if (r.violation()) {
                violation(r.message() + " (" + r.propertyref() + ")");
            }
            SapHttp.error(exchange, 400, r.code(), r.message(), r.propertyref());
            return null;
        }
        return object;
    }

    // --- auth, CSRF, rate limit ---

    private boolean authenticated(HttpExchange exchange) {
        String header = exchange.getRequestHeaders().getFirst("Authorization");
        if (header != null && header.startsWith("Bearer ")) {
            Instant expires = accessTokens.get(header.substring(7));
            return expires != null && Instant.now().isBefore(expires);
        }
        return basic(exchange, user, password);
    }

    private static boolean basic(HttpExchange exchange, String user, String password) {
        String header = exchange.getRequestHeaders().getFirst("Authorization");
        String expected = "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
        return expected.equals(header);
    }

    private void issueSession(HttpExchange exchange) {
        bump("csrf-fetch");
        String id = HexFormat.of().formatHex(bytes(16));
        Session session = new Session(Base64.getEncoder().encodeToString(bytes(18)),
                HexFormat.of().formatHex(bytes(12)), Instant.now().plus(sessionLifetime));
        sessions.put(id, session);
        exchange.getResponseHeaders().add("X-CSRF-Token", session.token());
        exchange.getResponseHeaders().add("Set-Cookie", SESSION_COOKIE + "=" + id + "; path=/; HttpOnly");
        exchange.getResponseHeaders().add("Set-Cookie", XSRF_COOKIE + "=" + session.xsrf() + "; path=/; secure; HttpOnly");
        exchange.getResponseHeaders().add("Set-Cookie", "sap-usercontext=sap-client=" + CLIENT + "; path=/");
    }

    /** Whether the write carries a live session's token and cookies; answers 403 Required otherwise. */
    private boolean csrfValid(HttpExchange exchange) throws IOException {
        String token = exchange.getRequestHeaders().getFirst("X-CSRF-Token");
        Map<String, String> cookies = SapHttp.cookies(exchange);
        if (token == null) {
            violation(exchange.getRequestMethod() + " without X-CSRF-Token (fetch one first)");
        } else {
            Session session = sessions.get(cookies.getOrDefault(SESSION_COOKIE, ""));
            if (session != null && Instant.now().isAfter(session.expires())) {
                sessions.remove(cookies.get(SESSION_COOKIE));
                session = null;
            }
            if (session != null && session.token().equals(token) && session.xsrf().equals(cookies.get(XSRF_COOKIE))) {
                return true;
            }
            if (session != null && !session.xsrf().equals(cookies.get(XSRF_COOKIE))) {
                violation("write without the " + XSRF_COOKIE + " cookie of its session");
            }
        }
        bump("csrf-required");
        exchange.getResponseHeaders().add("X-CSRF-Token", "Required");
        SapHttp.send(exchange, 403, "text/plain", "CSRF token validation failed");
        return false;
    }

    private boolean rateLimited(HttpExchange exchange) throws IOException {
        int limit = rateLimit;
        if (limit <= 0) {
            return false;
        }
        Instant now = Instant.now();
        synchronized (recentCalls) {
            while (!recentCalls.isEmpty() && recentCalls.peekFirst().isBefore(now.minus(rateWindow))) {
                recentCalls.removeFirst();
            }
            if (recentCalls.size() < limit) {
                recentCalls.addLast(now);
                return false;
            }
        }
        bump("429");
        exchange.getResponseHeaders().add("Retry-After", Long.toString(Math.max(1, rateWindow.toSeconds())));
        SapHttp.error(exchange, 429, "/IWFND/CM_CONSUMER/429", "Rate limit exceeded, retry later", null);
        return true;
    }

    // --- helpers ---

    private boolean json(HttpExchange exchange, Map<String, String> query) throws IOException {
        String accept = exchange.getRequestHeaders().getFirst("Accept");
        if ("json".equals(query.get("$format")) || (accept != null && accept.contains("application/json"))) {
            return true;
        }
        violation("GET without $format=json or Accept: application/json (SAP would answer Atom XML)");
        SapHttp.send(exchange, 406, "text/plain", "The fake speaks JSON only");
        return false;
    }

    private List<String> select(HttpExchange exchange, SapEntitySet set, Map<String, String> query) throws IOException {
        String select = query.get("$select");
        if (select == null) {
            return new ArrayList<>(set.properties().keySet());
        }
        List<String> names = new ArrayList<>();
        for (String name : select.split(",")) {
            if (set.property(name.trim()).isEmpty()) {
                violation("$select of unknown property " + name);
                SapHttp.error(exchange, 400, "/IWBEP/CM_MGW_RT/022", "Property '" + name.trim() + "' not found in type '"
                        + set.entityType() + "'", set.name() + "/" + name.trim());
                return null;
            }
            names.add(name.trim());
        }
        return names;
    }






    private void violation(String what) {
        violations.add(what);
    }

    private void bump(String what) {
        counters.computeIfAbsent(what, k -> new AtomicInteger()).incrementAndGet();
    }

    private byte[] bytes(int n) {
        byte[] bytes = new byte[n];
        random.nextBytes(bytes);
        return bytes;
    }

    /**
     * Runs the fake until killed: {@code SapFake [port] [webhookUrl] [webhookKey]}; prints its base
     * URL. With a webhook URL, business events are pushed there in structured mode with the key
     * in {@code X-Steward-Key}, redelivered every 5 seconds until answered 2xx.
     */
    public static void main(String[] args) throws Exception {
        SapFake fake = new SapFake(args.length > 0 ? Integer.parseInt(args[0]) : 0);
        if (args.length > 1) {
            Map<String, String> headers = args.length > 2 ? Map.of("X-Steward-Key", args[2]) : Map.of();
            fake.subscribe(URI.create(args[1]), headers, false, Duration.ofSeconds(5));
        }
        System.out.println("SAP fake on " + fake.baseUrl() + " (user " + fake.user + ", password " + fake.password
                + "; OAuth client " + fake.clientId + " at " + fake.tokenUrl() + ")");
        Thread.currentThread().join();
    }
}
