package dev.steward.testing.vendors.dynamics;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A stateful fake of a Microsoft Dataverse (Dynamics 365) environment and its Entra ID tenant,
 * on 127.0.0.1, for tests and examples.
 *
 * <ul>
 *   <li>{@code POST /{tenant}/oauth2/v2.0/token}: the client credentials grant, checking the
 *       client id, secret and scope ({@code {environmentUrl}/.default}), Entra ID's error
 *       bodies ({@code invalid_client}, AADSTS codes); tokens expire after
 *       {@link #tokenLifetime} or at {@link #expireTokens()};</li>
 *   <li>{@code /api/data/v9.2/}: {@code accounts} and {@code contacts} ({@link DataverseTable}),
 *       read by GUID or alternate key with {@code $select}, upsert by {@code PATCH} with
 *       {@code If-Match}/{@code If-None-Match}, rows' {@code @odata.etag} changing on every
 *       write, lists paged with {@code Prefer: odata.maxpagesize} and {@code @odata.nextLink};
 *       OData error bodies; the service protection limit ({@link #rateLimit}) answered 429 with
 *       {@code Retry-After} and code {@code 0x80072322};</li>
 *   <li>after every change, Steward's writes included, a webhook with the change's
 *       {@code RemoteExecutionContext} ({@link #webhook});</li>
 *   <li>{@code POST /_fake/{entitySet}/{key}} with a JSON object: a user's change in Dataverse
 *       (for examples), as {@link #change} does for tests.</li>
 * </ul>
 *
 * <p>Every request that breaks the Web API's contract (unknown path, attribute, query option
 * or verb, a value of the wrong type, a key badly quoted) is answered the way Dataverse would
 * and recorded in {@link #violations()}, so tests can assert that Steward made none.
 * Thread-safe.
 */
public final class DataverseFake implements AutoCloseable {

    /** The fake's tenant. */
    public static final String TENANT = "0d1a6f42-5b7e-4c2d-9e1f-3a2b4c5d6e7f";
    /** The app registration the fake accepts unless {@link #credentials} says otherwise. */
    public static final String CLIENT_ID = "51f81489-12ee-4a9e-aaae-a2591f45987d";
    public static final String CLIENT_SECRET = "fake-client-secret";
    /** The organization the fake's webhooks come from. */
    public static final String ORGANIZATION_ID = "4ef5b371-e89e-e711-8122-000d3aa2331c";

    private static final String API = "/api/data/v9.2/";
    private static final ObjectMapper JSON = com.fasterxml.jackson.databind.json.JsonMapper.builder()
            .enable(com.fasterxml.jackson.databind.DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .nodeFactory(com.fasterxml.jackson.databind.node.JsonNodeFactory.withExactBigDecimals(true))
            .build();
    private static final Pattern GUID = Pattern.compile(
            "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
    private static final Pattern ADDRESS = Pattern.compile("([A-Za-z_]+)(?:\\((.*)\\))?");
    private static final Pattern BIND = Pattern.compile("/?([a-z]+)\\((" + GUID.pattern() + ")\\)");

    private final HttpServer server;
    private final Map<String, TreeMap<String, ObjectNode>> rows = new HashMap<>();
    private final Map<String, Long> versions = new HashMap<>();
    private final AtomicLong version = new AtomicLong(470_000);
    private final Map<String, Instant> tokens = new HashMap<>();
    private final List<String> violations = new ArrayList<>();
    private final Map<String, Integer> writes = new HashMap<>();
    private final Deque<Instant> recent = new ArrayDeque<>();
    private String clientId = CLIENT_ID;
    private String clientSecret = CLIENT_SECRET;
    private Duration tokenLifetime = Duration.ofMinutes(60);
    private int tokensIssued;
    private int maxRequests = Integer.MAX_VALUE;
    private Duration window = Duration.ofMinutes(5);
    private int retryAfterSeconds = 1;
    private int throttled;
    private int batches;
    private final Map<String, Map<String, Object>> afterRead = new HashMap<>();
    private DataverseWebhooks webhooks;
    /** Contexts of a change set being applied, sent when it commits; null outside one. */
    private List<ObjectNode> uncommitted;

    private DataverseFake(HttpServer server) {
        this.server = server;
        for (DataverseTable table : new DataverseTable[] {DataverseTable.ACCOUNT, DataverseTable.CONTACT}) {
            rows.put(table.entitySet(), new TreeMap<>());
        }
    }

    /** Starts a fake on 127.0.0.1 at a free port. */
    public static DataverseFake start() {
        return start(0);
    }

    /** Starts a fake on 127.0.0.1 at this port (0: a free one). */
    public static DataverseFake start(int port) {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
            DataverseFake fake = new DataverseFake(server);
            server.createContext("/", fake::handle);
            server.setExecutor(Executors.newFixedThreadPool(8));
            server.start();
            return fake;
        } catch (IOException e) {
            throw new IllegalStateException("cannot start the Dataverse fake: " + e.getMessage(), e);
        }
    }

    /** The environment's URL ({@code environmentUrl}): {@code http://127.0.0.1:port}. */
    public String environmentUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** Entra ID's authority ({@code authority}); the tenant is {@link #TENANT}. */
    public String authority() {
        return environmentUrl();
    }

    /** Accepts only these client credentials from now on. */
    public synchronized DataverseFake credentials(String id, String secret) {
        this.clientId = id;
        this.clientSecret = secret;
        return this;
    }

    /** How long the tokens issued from now on last ({@code expires_in}). */
    public synchronized DataverseFake tokenLifetime(Duration lifetime) {
        this.tokenLifetime = lifetime;
        return this;
    }

    /** Makes every issued token invalid, as an expiry would: the next Web API call gets 401. */
    public synchronized void expireTokens() {
        tokens.clear();
    }

    /** How many tokens were issued. */
    public synchronized int tokensIssued() {
        return tokensIssued;
    }

    /**
     * The service protection limit: at most {@code requests} Web API calls within
     * {@code window}; beyond, 429 with {@code Retry-After: retryAfterSeconds}.
     */
    public synchronized DataverseFake rateLimit(int requests, Duration window, int retryAfterSeconds) {
        this.maxRequests = requests;
        this.window = window;
        this.retryAfterSeconds = retryAfterSeconds;
        recent.clear();
        return this;
    }

    /** How many {@code $batch} requests were served. */
    public synchronized int batches() {
        return batches;
    }

    /** How many calls were answered 429. */
    public synchronized int throttled() {
        return throttled;
    }

    /**
     * Registers the webhook: every change from now on is posted to {@code url}.
     *
     * @param header    the header carrying the key ({@link DataverseWebhooks.Auth#HTTP_HEADER})
     * @param postImage whether the step has a post image (the whole row) registered
     */
    public synchronized DataverseWebhooks webhook(URI url, DataverseWebhooks.Auth auth, String header, String key,
                                                  boolean postImage) {
        return webhook(url, auth, header, key, postImage ? java.util.Set.of() : null);
    }

    /**
     * Registers the webhook with a post image of these columns only (empty: the whole row;
     * null: no image), as a step registered with an image of the key column: an Update's
     * Target then carries the changed columns and the image the key.
     */
    public synchronized DataverseWebhooks webhook(URI url, DataverseWebhooks.Auth auth, String header, String key,
                                                  java.util.Set<String> postImage) {
        if (webhooks != null) {
            webhooks.close();
        }
        webhooks = new DataverseWebhooks(url, auth, header, key, postImage, 3, Duration.ofMillis(200),
                ORGANIZATION_ID);
        return webhooks;
    }

    /**
     * A user's change applied right after the next Web API read of this row (by its alternate
     * key) is answered: the reader's etag is then stale, as when someone edits the row between
     * Steward's read and its write.
     */
    public synchronized void changeAfterNextRead(String entitySet, String key, Map<String, Object> attributes) {
        afterRead.put(entitySet + "|" + key, attributes);
    }

    /** Whether no webhook is waiting to be sent. */
    public synchronized boolean webhooksIdle() {
        return webhooks == null || webhooks.idle();
    }

    /** Every contract violation so far, in words. */
    public synchronized List<String> violations() {
        return List.copyOf(violations);
    }

    /** How many Web API writes (PATCH) changed a row of this entity set. */
    public synchronized int writes(String entitySet) {
        return writes.getOrDefault(entitySet, 0);
    }

    /** A row by its alternate key, with every attribute it has. */
    public synchronized Optional<Map<String, Object>> row(String entitySet, String key) {
        DataverseTable table = table(entitySet);
        return byKey(table, key).map(row -> JSON.convertValue(row, Map.class));
    }

    /** A row's etag ({@code W/"470123"}), by its alternate key. */
    public synchronized Optional<String> etag(String entitySet, String key) {
        DataverseTable table = table(entitySet);
        return byKey(table, key).map(row -> etag(versions.get(row.get(table.idAttribute()).asText())));
    }

    /**
     * A user's change in Dataverse: creates or updates the row with this alternate key, gives
     * it a new version and sends the webhook. Values are as the Web API takes them.
     */
    public synchronized String change(String entitySet, String key, Map<String, Object> attributes) {
        DataverseTable table = table(entitySet);
        ObjectNode body = JSON.valueToTree(attributes);
        Optional<ObjectNode> existing = byKey(table, key);
        return apply(table, existing.orElse(null), null, key, body, false);
    }

    // ---- HTTP ----

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            Answer answer;
            if (path.endsWith("/oauth2/v2.0/token")) {
                answer = token(exchange, path);
            } else if (path.startsWith(API)) {
                answer = webApi(exchange, path.substring(API.length()));
            } else if (path.startsWith("/_fake/") && exchange.getRequestMethod().equals("POST")) {
                answer = userChange(exchange, path.substring("/_fake/".length()));
            } else {
                answer = violation(404, "0x8006088a", "Resource not found for the segment '" + path + "'.",
                        exchange.getRequestMethod() + " " + path + " is not a Dataverse path");
            }
            byte[] bytes = answer.body == null ? new byte[0] : answer.body.getBytes(StandardCharsets.UTF_8);
            answer.headers.forEach((name, value) -> exchange.getResponseHeaders().add(name, value));
            if (answer.body != null && answer.json) {
                exchange.getResponseHeaders().add("Content-Type", "application/json; odata.metadata=minimal");
            }
            exchange.getResponseHeaders().add("OData-Version", "4.0");
            exchange.sendResponseHeaders(answer.status, bytes.length == 0 ? -1 : bytes.length);
            if (bytes.length > 0) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(bytes);
                }
            }
        } catch (RuntimeException e) {
            synchronized (this) {
                violations.add("the fake failed on " + exchange.getRequestURI() + ": " + e);
            }
            throw e;
        }
    }

    private record Answer(int status, Map<String, String> headers, String body, boolean json) {

        Answer(int status, Map<String, String> headers, String body) {
            this(status, headers, body, true);
        }

        /** The same answer with its own content type. */
        Answer raw() {
            return new Answer(status, headers, body, false);
        }
    }

    private static Answer answer(int status, String body) {
        return new Answer(status, Map.of(), body);
    }

    private static Answer error(int status, String code, String message) {
        ObjectNode body = JSON.createObjectNode();
        body.putObject("error").put("code", code).put("message", message);
        return answer(status, body.toString());
    }

    private synchronized Answer violation(int status, String code, String message, String violation) {
        violations.add(violation);
        return error(status, code, message);
    }

    private synchronized Answer token(HttpExchange exchange, String path) throws IOException {
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        if (!exchange.getRequestMethod().equals("POST") || !path.equals("/" + TENANT + "/oauth2/v2.0/token")) {
            violations.add(exchange.getRequestMethod() + " " + path + " is not this tenant's token endpoint");
            return entra(400, "invalid_request", "AADSTS90002: Tenant not found.");
        }
        if (!String.valueOf(exchange.getRequestHeaders().getFirst("Content-Type"))
                .startsWith("application/x-www-form-urlencoded")) {
            violations.add("token request with Content-Type " + exchange.getRequestHeaders().getFirst("Content-Type"));
            return entra(400, "invalid_request", "AADSTS900144: The request body must contain the following"
                    + " parameter: 'grant_type'.");
        }
        Map<String, String> form = form(body);
        if (!"client_credentials".equals(form.get("grant_type"))) {
            violations.add("token request with grant_type " + form.get("grant_type"));
            return entra(400, "unsupported_grant_type", "AADSTS70003: The app requested an unsupported grant type.");
        }
        if (!(environmentUrl() + "/.default").equals(form.get("scope"))) {
            violations.add("token request with scope " + form.get("scope") + ", not " + environmentUrl() + "/.default");
            return entra(400, "invalid_scope", "AADSTS70011: The provided value for the input parameter 'scope' is"
                    + " not valid.");
        }
        if (!clientId.equals(form.get("client_id"))) {
            return entra(400, "unauthorized_client", "AADSTS700016: Application with identifier '"
                    + form.get("client_id") + "' was not found in the directory.");
        }
        if (!clientSecret.equals(form.get("client_secret"))) {
            return entra(401, "invalid_client", "AADSTS7000215: Invalid client secret provided. Ensure the secret"
                    + " being sent in the request is the client secret value, not the client secret ID.");
        }
        String token = "eyJ0eXAiOiJKV1QifQ." + UUID.randomUUID();
        tokens.put(token, Instant.now().plus(tokenLifetime));
        tokensIssued++;
        ObjectNode answer = JSON.createObjectNode();
        answer.put("token_type", "Bearer");
        answer.put("expires_in", tokenLifetime.toSeconds());
        answer.put("ext_expires_in", tokenLifetime.toSeconds());
        answer.put("access_token", token);
        return new Answer(200, Map.of(), answer.toString());
    }

    private static Answer entra(int status, String error, String description) {
        ObjectNode body = JSON.createObjectNode();
        body.put("error", error);
        body.put("error_description", description + "\r\nTrace ID: " + UUID.randomUUID());
        body.putArray("error_codes").add(Integer.parseInt(description.replaceAll("AADSTS(\\d+):.*", "$1")));
        body.put("timestamp", Instant.now().toString());
        return answer(status, body.toString());
    }

    private Answer webApi(HttpExchange exchange, String address) throws IOException {
        String method = exchange.getRequestMethod();
        String authorization = exchange.getRequestHeaders().getFirst("Authorization");
        synchronized (this) {
            if (authorization == null || !authorization.startsWith("Bearer ")) {
                violations.add(method + " " + address + " without a bearer token");
                return new Answer(401, Map.of("WWW-Authenticate", "Bearer authorization_uri=" + authority() + "/"
                        + TENANT + "/oauth2/authorize"), null);
            }
            Instant expires = tokens.get(authorization.substring("Bearer ".length()));
            if (expires == null || !Instant.now().isBefore(expires)) {
                return new Answer(401, Map.of("WWW-Authenticate", "Bearer error=\"invalid_token\""), null);
            }
            Instant now = Instant.now();
            while (!recent.isEmpty() && recent.peekFirst().isBefore(now.minus(window))) {
                recent.removeFirst();
            }
            if (recent.size() >= maxRequests) {
                throttled++;
                ObjectNode body = JSON.createObjectNode();
                body.putObject("error").put("code", "0x80072322").put("message", "Number of requests exceeded the"
                        + " limit of " + maxRequests + " over time window of " + window.toSeconds() + " seconds.");
                return new Answer(429, Map.of("Retry-After", Integer.toString(retryAfterSeconds)), body.toString());
            }
            recent.addLast(now);
        }
        if (address.equals("$batch")) {
            if (!method.equals("POST")) {
                return violation(405, "0x80060888", "$batch takes POST.", method + " $batch");
            }
            return batch(exchange.getRequestHeaders().getFirst("Content-Type"),
                    new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
        }
        Matcher parts = ADDRESS.matcher(address);
        if (!parts.matches()) {
            return violation(400, "0x8006088a", "Bad Request - Error in query syntax.", "cannot parse " + address);
        }
        Optional<DataverseTable> table = DataverseTable.bySet(parts.group(1));
        if (table.isEmpty()) {
            return violation(404, "0x8006088a", "Resource not found for the segment '" + parts.group(1) + "'.",
                    "unknown entity set " + parts.group(1));
        }
        Map<String, String> query = form(Optional.ofNullable(exchange.getRequestURI().getRawQuery()).orElse(""));
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        if (parts.group(2) == null) {
            if (!method.equals("GET")) {
                return violation(405, "0x80060888", "The requested resource does not support http method '" + method
                        + "'.", method + " on the entity set " + parts.group(1) + " (Steward upserts with PATCH)");
            }
            return list(table.get(), query, exchange.getRequestHeaders().getFirst("Prefer"));
        }
        Key key;
        try {
            key = key(table.get(), parts.group(2));
        } catch (IllegalArgumentException e) {
            return violation(400, "0x80060888", e.getMessage(), "bad key in " + address + ": " + e.getMessage());
        }
        return switch (method) {
            case "GET" -> get(table.get(), key, query);
            case "PATCH" -> patch(table.get(), key, body, exchange.getRequestHeaders().getFirst("Content-Type"),
                    exchange.getRequestHeaders().getFirst("If-Match"),
                    exchange.getRequestHeaders().getFirst("If-None-Match"));
            default -> violation(405, "0x80060888", "The requested resource does not support http method '"
                    + method + "'.", method + " on " + address);
        };
    }

    /** A row's address: its GUID, or its alternate key's value. */
    private record Key(String id, String alternate) {
    }

    private static Key key(DataverseTable table, String spec) {
        if (GUID.matcher(spec).matches()) {
            return new Key(spec.toLowerCase(Locale.ROOT), null);
        }
        int equals = spec.indexOf('=');
        if (equals < 0) {
            throw new IllegalArgumentException("Bad Request - Error in query syntax: '" + spec + "' is neither a GUID"
                    + " nor key=value.");
        }
        String attribute = spec.substring(0, equals);
        if (!attribute.equals(table.alternateKey())) {
            throw new IllegalArgumentException("The key attribute '" + attribute + "' is not defined for any key on"
                    + " the entity '" + table.logicalName() + "'.");
        }
        String literal = spec.substring(equals + 1);
        if (literal.length() < 2 || !literal.startsWith("'") || !literal.endsWith("'")) {
            throw new IllegalArgumentException("Bad Request - Error in query syntax: the value of " + attribute
                    + " must be a string literal in single quotes.");
        }
        String inner = literal.substring(1, literal.length() - 1);
        if (inner.replace("''", "").contains("'")) {
            throw new IllegalArgumentException("Bad Request - Error in query syntax: a single quote in a string"
                    + " literal must be doubled.");
        }
        return new Key(null, inner.replace("''", "'"));
    }

    private synchronized Answer get(DataverseTable table, Key key, Map<String, String> query) {
        for (String option : query.keySet()) {
            if (!option.equals("$select")) {
                return violation(400, "0x80060888", "The query parameter " + option + " is not supported here.",
                        "query option " + option + " on a single row");
            }
        }
        Optional<List<String>> select = select(table, query.get("$select"));
        if (select.isEmpty()) {
            return error(400, "0x80060888", "Could not find a property named '" + unknown(table, query.get("$select"))
                    + "' on type 'Microsoft.Dynamics.CRM." + table.logicalName() + "'.");
        }
        Optional<ObjectNode> row = find(table, key);
        if (row.isEmpty()) {
            return error(404, "0x80040217", table.logicalName() + " With Id = " + (key.id == null ? key.alternate
                    : key.id) + " Does Not Exist");
        }
        ObjectNode shown = shown(table, row.get(), select.get());
        shown.put("@odata.context", environmentUrl() + API + "$metadata#" + table.entitySet() + "/$entity");
        String alternate = row.get().path(table.alternateKey()).asText(null);
        Map<String, Object> meanwhile = afterRead.remove(table.entitySet() + "|" + alternate);
        if (meanwhile != null) {
            apply(table, row.get(), null, alternate, JSON.valueToTree(meanwhile), false);
        }
        return new Answer(200, Map.of("ETag", shown.get("@odata.etag").asText()), shown.toString());
    }

    private synchronized Answer list(DataverseTable table, Map<String, String> query, String prefer) {
        for (String option : query.keySet()) {
            if (!List.of("$select", "$skiptoken", "$top").contains(option)) {
                return violation(400, "0x80060888", "The query parameter " + option + " is not supported.",
                        "query option " + option + " on a list (Dataverse pages with $skiptoken, not $skip)");
            }
        }
        Optional<List<String>> select = select(table, query.get("$select"));
        if (select.isEmpty()) {
            return violation(400, "0x80060888", "Could not find a property named '"
                    + unknown(table, query.get("$select")) + "' on type 'Microsoft.Dynamics.CRM."
                    + table.logicalName() + "'.", "$select of an unknown attribute " + query.get("$select"));
        }
        int size = 5000;
        if (prefer != null) {
            Matcher max = Pattern.compile("odata\\.maxpagesize=(\\d+)").matcher(prefer);
            if (max.find()) {
                size = Math.min(5000, Integer.parseInt(max.group(1)));
            }
        }
        String after = null;
        int pageNumber = 1;
        if (query.containsKey("$skiptoken")) {
            Matcher cookie = Pattern.compile("pagenumber=\"(\\d+)\" lastid=\"([^\"]+)\"").matcher(query.get("$skiptoken"));
            if (!cookie.find()) {
                return violation(400, "0x80060888", "The $skiptoken is not valid.", "a $skiptoken the fake did not give");
            }
            pageNumber = Integer.parseInt(cookie.group(1));
            after = cookie.group(2);
        }
        var candidates = after == null ? rows.get(table.entitySet()) : rows.get(table.entitySet()).tailMap(after, false);
        ObjectNode page = JSON.createObjectNode();
        page.put("@odata.context", environmentUrl() + API + "$metadata#" + table.entitySet());
        var values = page.putArray("value");
        String last = null;
        for (Map.Entry<String, ObjectNode> row : candidates.entrySet()) {
            if (values.size() == size) {
                String cookie = "<cookie pagenumber=\"" + (pageNumber + 1) + "\" lastid=\"" + last + "\" />";
                page.put("@odata.nextLink", environmentUrl() + API + table.entitySet() + "?"
                        + (query.containsKey("$select") ? "$select=" + encode(query.get("$select")) + "&" : "")
                        + "$skiptoken=" + encode(cookie));
                break;
            }
            values.add(shown(table, row.getValue(), select.get()));
            last = row.getKey();
        }
        return answer(200, page.toString());
    }

    private synchronized Answer patch(DataverseTable table, Key key, String text, String contentType, String ifMatch,
                                      String ifNoneMatch) {
        if (contentType == null || !contentType.startsWith("application/json")) {
            return violation(415, "0x80060888", "The content type '" + contentType + "' is not supported.",
                    "PATCH with Content-Type " + contentType);
        }
        JsonNode body;
        try {
            body = JSON.readTree(text);
        } catch (IOException e) {
            return violation(400, "0x80060888", "Invalid JSON. " + e.getMessage(), "PATCH body is not JSON");
        }
        if (body == null || !body.isObject()) {
            return violation(400, "0x80060888", "Invalid JSON. An object was expected.", "PATCH body is not an object");
        }
        Optional<Answer> refused = check(table, key, (ObjectNode) body);
        if (refused.isPresent()) {
            return refused.get();
        }
        Optional<ObjectNode> existing = find(table, key);
        String shownKey = key.id == null ? table.alternateKey() + "=" + key.alternate : key.id;
        if (ifNoneMatch != null) {
            if (!ifNoneMatch.equals("*")) {
                return violation(400, "0x80060888", "If-None-Match must be *.", "If-None-Match " + ifNoneMatch);
            }
            if (existing.isPresent()) {
                return error(412, "0x80060892", "A record with matching key values already exists.");
            }
        }
        if (ifMatch != null) {
            if (existing.isEmpty()) {
                return error(404, "0x80040217", table.logicalName() + " With Id = " + shownKey + " Does Not Exist");
            }
            String current = etag(versions.get(existing.get().get(table.idAttribute()).asText()));
            if (!ifMatch.equals("*") && !ifMatch.equals(current)) {
                return error(412, "0x80060882", "The version of the existing record doesn't match the RowVersion"
                        + " property provided.");
            }
        }
        String id = apply(table, existing.orElse(null), key.id, key.alternate, (ObjectNode) body, true);
        writes.merge(table.entitySet(), 1, Integer::sum);
        return new Answer(204, Map.of("OData-EntityId", environmentUrl() + API + table.entitySet() + "(" + id + ")",
                "ETag", etag(versions.get(id))), null);
    }

    /** The contract and business checks of a write's body; empty when it may be applied. */
    private Optional<Answer> check(DataverseTable table, Key key, ObjectNode body) {
        for (Map.Entry<String, JsonNode> field : body.properties()) {
            String name = field.getKey();
            JsonNode value = field.getValue();
            if (name.endsWith("@odata.bind")) {
                String navigation = name.substring(0, name.length() - "@odata.bind".length());
                String set = table.lookups().get(navigation);
                Matcher bind = BIND.matcher(value.asText(""));
                if (set == null) {
                    return Optional.of(violation(400, "0x80060888", "An undeclared property '" + navigation
                            + "' which only has property annotations in the payload but no property value was found"
                            + " in the payload.", "bind of an unknown navigation property " + name));
                }
                if (!value.isTextual() || !bind.matches() || !bind.group(1).equals(set)) {
                    return Optional.of(violation(400, "0x80060888", "The value of " + name + " must be a reference"
                            + " like /" + set + "(<guid>).", "bad binding " + name + "=" + value));
                }
                if (!rows.get(set).containsKey(bind.group(2).toLowerCase(Locale.ROOT))) {
                    return Optional.of(error(404, "0x80040217", set.substring(0, set.length() - 1) + " With Id = "
                            + bind.group(2) + " Does Not Exist"));
                }
                continue;
            }
            if (name.startsWith("@odata.")) {
                continue;
            }
            DataverseTable.Kind kind = table.attributes().get(name);
            if (kind == null) {
                return Optional.of(violation(400, "0x80060888", "Invalid property '" + name + "' was found in entity"
                        + " 'Microsoft.Dynamics.CRM." + table.logicalName() + "'.", "unknown attribute " + name
                        + " of " + table.logicalName()));
            }
            if (!value.isNull() && !fits(kind, value)) {
                return Optional.of(violation(400, "0x80060888", "Cannot convert the literal '" + value.asText()
                        + "' to the expected type 'Edm." + edm(kind) + "'.", "attribute " + name + " given "
                        + value + " for a " + kind));
            }
            if (name.equals(table.idAttribute()) && key.id != null && !key.id.equalsIgnoreCase(value.asText())) {
                return Optional.of(violation(400, "0x80060888", "The key in the body does not match the key in the"
                        + " URL.", "body's " + name + " differs from the URL's"));
            }
            if (name.equals(table.alternateKey()) && key.alternate != null && !key.alternate.equals(value.asText())) {
                return Optional.of(violation(400, "0x80060888", "The key in the body does not match the key in the"
                        + " URL.", "body's " + name + " differs from the URL's"));
            }
            if (kind == DataverseTable.Kind.MONEY && value.isNumber() && value.decimalValue().signum() < 0) {
                return Optional.of(error(400, "0x80044331", "A validation error occurred. The value " + value
                        + " of '" + name + "' on record of type '" + table.logicalName() + "' is outside the valid"
                        + " range. Accepted range: 0 to 922337203685477"));
            }
        }
        return Optional.empty();
    }

    private static boolean fits(DataverseTable.Kind kind, JsonNode value) {
        return switch (kind) {
            case STRING -> value.isTextual();
            case INTEGER, OPTION -> value.isIntegralNumber();
            case DECIMAL, MONEY -> value.isNumber();
            case BOOLEAN -> value.isBoolean();
            case GUID -> value.isTextual() && GUID.matcher(value.asText()).matches();
            case DATETIME -> {
                try {
                    Instant.parse(value.asText());
                    yield value.isTextual();
                } catch (RuntimeException notADate) {
                    yield false;
                }
            }
        };
    }

    private static String edm(DataverseTable.Kind kind) {
        return switch (kind) {
            case STRING -> "String";
            case INTEGER, OPTION -> "Int32";
            case DECIMAL, MONEY -> "Decimal";
            case BOOLEAN -> "Boolean";
            case GUID -> "Guid";
            case DATETIME -> "DateTimeOffset";
        };
    }

    /**
     * Creates or updates a row, gives it a new version and sends the webhook; the row's id.
     *
     * @param addressedByKey whether the request addressed the row by its alternate key (a Web API upsert),
     *              which the context's Target then names in its KeyAttributes; a user's edit
     *              in Dynamics addresses the row by its id
     */
    private synchronized String apply(DataverseTable table, ObjectNode existing, String id, String alternate,
                                      ObjectNode body, boolean addressedByKey) {
        boolean create = existing == null;
        ObjectNode row = create ? JSON.createObjectNode() : existing;
        String rowId = create ? (id != null ? id : UUID.randomUUID().toString()) : row.get(table.idAttribute()).asText();
        if (create) {
            row.put(table.idAttribute(), rowId);
            if (alternate != null) {
                row.put(table.alternateKey(), alternate);
            }
            rows.get(table.entitySet()).put(rowId, row);
        }
        Map<String, Object> changed = new LinkedHashMap<>();
        if (create && alternate != null) {
            changed.put(table.alternateKey(), alternate);
        }
        for (Map.Entry<String, JsonNode> field : body.properties()) {
            String name = field.getKey();
            if (name.endsWith("@odata.bind")) {
                String navigation = name.substring(0, name.length() - "@odata.bind".length());
                String attribute = navigation.replaceAll("_(account|contact)$", "");
                Matcher bind = BIND.matcher(field.getValue().asText());
                bind.matches();
                row.put("_" + attribute + "_value", bind.group(2));
                changed.put(attribute, reference(bind.group(1), bind.group(2)));
            } else if (!name.startsWith("@odata.")) {
                row.set(name, field.getValue());
                changed.put(name, encoded(table.attributes().get(name), field.getValue()));
            }
        }
        long next = version.incrementAndGet();
        versions.put(rowId, next);
        if (webhooks != null) {
            Map<String, Object> image = new LinkedHashMap<>();
            for (Map.Entry<String, JsonNode> field : row.properties()) {
                String name = field.getKey();
                if (name.startsWith("_") && name.endsWith("_value")) {
                    image.put(name.substring(1, name.length() - "_value".length()), field.getValue().asText());
                } else {
                    image.put(name, encoded(table.attributes().get(name), field.getValue()));
                }
            }
            ObjectNode context = webhooks.context(table, create ? "Create" : "Update", rowId, changed,
                    addressedByKey ? alternate : null, image, next);
            if (uncommitted != null) {
                uncommitted.add(context);
            } else {
                webhooks.send(context);
            }
        }
        return rowId;
    }

    /** A value as a RemoteExecutionContext carries it: money and option sets wrapped, dates as /Date(ms)/. */
    private static Object encoded(DataverseTable.Kind kind, JsonNode value) {
        if (value == null || value.isNull()) {
            return null;
        }
        if (kind == DataverseTable.Kind.MONEY) {
            return Map.of("__type", "Money:http://schemas.microsoft.com/xrm/2011/Contracts", "Value", value.decimalValue());
        }
        if (kind == DataverseTable.Kind.OPTION) {
            return Map.of("__type", "OptionSetValue:http://schemas.microsoft.com/xrm/2011/Contracts", "Value",
                    value.asInt());
        }
        if (kind == DataverseTable.Kind.DATETIME) {
            return "/Date(" + Instant.parse(value.asText()).toEpochMilli() + ")/";
        }
        return JSON.convertValue(value, Object.class);
    }

    private static Map<String, Object> reference(String set, String id) {
        Map<String, Object> reference = new LinkedHashMap<>();
        reference.put("__type", "EntityReference:http://schemas.microsoft.com/xrm/2011/Contracts");
        reference.put("Id", id);
        reference.put("KeyAttributes", List.of());
        reference.put("LogicalName", set.substring(0, set.length() - 1));
        reference.put("Name", null);
        reference.put("RowVersion", null);
        return reference;
    }

    private Answer userChange(HttpExchange exchange, String rest) throws IOException {
        int slash = rest.indexOf('/');
        Optional<DataverseTable> table = DataverseTable.bySet(slash < 0 ? rest : rest.substring(0, slash));
        if (slash < 0 || table.isEmpty()) {
            return error(404, "0x8006088a", "POST /_fake/{accounts|contacts}/{alternate key} with a JSON object");
        }
        JsonNode body = JSON.readTree(exchange.getRequestBody());
        if (body == null || !body.isObject()) {
            return error(400, "0x80060888", "the body must be a JSON object of attributes");
        }
        Key key = new Key(null, rest.substring(slash + 1));
        synchronized (this) {
            Optional<Answer> refused = check(table.get(), key, (ObjectNode) body);
            if (refused.isPresent()) {
                return refused.get();
            }
            String id = apply(table.get(), find(table.get(), key).orElse(null), null, key.alternate, (ObjectNode) body,
                    false);
            return answer(200, JSON.createObjectNode().put("id", id).put("etag", etag(versions.get(id))).toString());
        }
    }

    // ---- $batch ----

    private static final Pattern BOUNDARY = Pattern.compile("boundary=\"?([^\";]+)\"?");
    private static final Pattern REQUEST_LINE = Pattern.compile("([A-Z]+) (\\S+) HTTP/1\\.1");

    /** One request of a batch, as written. */
    private record Part(String contentId, String method, String url, Map<String, String> headers, String body) {
    }

    /**
     * A {@code $batch}: each change set applied in one transaction (all or none, the failing
     * request's answer alone when one fails), requests outside a change set one by one. Only
     * {@code PATCH} is served inside a batch.
     */
    private synchronized Answer batch(String contentType, String body) {
        Matcher boundary = BOUNDARY.matcher(String.valueOf(contentType));
        if (contentType == null || !contentType.startsWith("multipart/mixed") || !boundary.find()) {
            return violation(400, "0x80060888", "The $batch request must be multipart/mixed with a boundary.",
                    "$batch with Content-Type " + contentType);
        }
        batches++;
        String responseBoundary = "batchresponse_" + UUID.randomUUID();
        StringBuilder response = new StringBuilder();
        try {
            for (Map.Entry<Map<String, String>, String> outer : multipart(body, boundary.group(1))) {
                String type = outer.getKey().getOrDefault("content-type", "");
                Matcher inner = BOUNDARY.matcher(type);
                if (type.startsWith("multipart/mixed") && inner.find()) {
                    List<Part> requests = new ArrayList<>();
                    for (Map.Entry<Map<String, String>, String> part : multipart(outer.getValue(), inner.group(1))) {
                        requests.add(part(part.getKey(), part.getValue()));
                    }
                    if (requests.size() > 1000) {
                        return violation(400, "0x80060888", "The number of requests in a batch exceeds 1000.",
                                "a $batch of " + requests.size() + " requests");
                    }
                    response.append(changeSet(requests, responseBoundary));
                } else {
                    Part part = part(outer.getKey(), outer.getValue());
                    response.append("--").append(responseBoundary).append("\r\n")
                            .append(answered(part, execute(part)));
                }
            }
        } catch (IllegalArgumentException e) {
            return violation(400, "0x80060888", "The $batch request is malformed: " + e.getMessage(),
                    "malformed $batch: " + e.getMessage());
        }
        response.append("--").append(responseBoundary).append("--\r\n");
        return new Answer(200, Map.of("Content-Type", "multipart/mixed; boundary=" + responseBoundary),
                response.toString()).raw();
    }

    private String changeSet(List<Part> requests, String responseBoundary) {
        Map<String, TreeMap<String, ObjectNode>> rowsBefore = new HashMap<>();
        rows.forEach((set, table) -> {
            TreeMap<String, ObjectNode> copy = new TreeMap<>();
            table.forEach((id, row) -> copy.put(id, row.deepCopy()));
            rowsBefore.put(set, copy);
        });
        Map<String, Long> versionsBefore = new HashMap<>(versions);
        Map<String, Integer> writesBefore = new HashMap<>(writes);
        uncommitted = new ArrayList<>();
        try {
            String changeBoundary = "changesetresponse_" + UUID.randomUUID();
            StringBuilder answers = new StringBuilder();
            for (Part request : requests) {
                Answer answer = execute(request);
                if (answer.status() >= 300) {
                    rows.clear();
                    rows.putAll(rowsBefore);
                    versions.clear();
                    versions.putAll(versionsBefore);
                    writes.clear();
                    writes.putAll(writesBefore);
                    return "--" + responseBoundary + "\r\n" + answered(request, answer);
                }
                answers.append("--").append(changeBoundary).append("\r\n").append(answered(request, answer));
            }
            List<ObjectNode> committed = uncommitted;
            uncommitted = null;
            if (webhooks != null) {
                committed.forEach(webhooks::send);
            }
            return "--" + responseBoundary + "\r\nContent-Type: multipart/mixed; boundary=" + changeBoundary
                    + "\r\n\r\n" + answers + "--" + changeBoundary + "--\r\n";
        } finally {
            uncommitted = null;
        }
    }

    private Answer execute(Part part) {
        String prefix = environmentUrl() + API;
        String url = part.url().startsWith(prefix) ? part.url().substring(prefix.length()) : part.url();
        if (!part.method().equals("PATCH")) {
            return violation(400, "0x80060888", "Only PATCH is served in a $batch by this fake.",
                    part.method() + " in a $batch");
        }
        String decoded = URLDecoder.decode(url.replace("+", "%2B"), StandardCharsets.UTF_8);
        Matcher parts = ADDRESS.matcher(decoded);
        if (!parts.matches() || parts.group(2) == null || DataverseTable.bySet(parts.group(1)).isEmpty()) {
            return violation(404, "0x8006088a", "Resource not found for the segment '" + url + "'.",
                    "unknown address in a $batch: " + part.url());
        }
        DataverseTable table = DataverseTable.bySet(parts.group(1)).orElseThrow();
        Key key;
        try {
            key = key(table, parts.group(2));
        } catch (IllegalArgumentException e) {
            return violation(400, "0x80060888", e.getMessage(), "bad key in a $batch: " + e.getMessage());
        }
        return patch(table, key, part.body(), part.headers().get("content-type"), part.headers().get("if-match"),
                part.headers().get("if-none-match"));
    }

    private static String answered(Part request, Answer answer) {
        StringBuilder text = new StringBuilder("Content-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n");
        if (request.contentId() != null) {
            text.append("Content-ID: ").append(request.contentId()).append("\r\n");
        }
        text.append("\r\nHTTP/1.1 ").append(answer.status()).append(answer.status() < 300 ? " OK" : " Error")
                .append("\r\nOData-Version: 4.0\r\n");
        answer.headers().forEach((name, value) -> text.append(name).append(": ").append(value).append("\r\n"));
        if (answer.body() != null) {
            text.append("Content-Type: application/json; odata.metadata=minimal\r\n\r\n").append(answer.body());
        }
        return text.append("\r\n\r\n").toString();
    }

    private static Part part(Map<String, String> headers, String content) {
        if (!headers.getOrDefault("content-type", "").startsWith("application/http")) {
            throw new IllegalArgumentException("a part is " + headers.get("content-type") + ", not application/http");
        }
        String[] lines = content.split("\r\n", -1);
        Matcher line = REQUEST_LINE.matcher(lines[0]);
        if (!line.matches()) {
            throw new IllegalArgumentException("'" + lines[0] + "' is not a request line");
        }
        Map<String, String> requestHeaders = new HashMap<>();
        int i = 1;
        for (; i < lines.length && !lines[i].isEmpty(); i++) {
            int colon = lines[i].indexOf(':');
            if (colon < 0) {
                throw new IllegalArgumentException("'" + lines[i] + "' is not a header");
            }
            requestHeaders.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
                    lines[i].substring(colon + 1).trim());
        }
        String body = String.join("\r\n", java.util.Arrays.copyOfRange(lines, Math.min(i + 1, lines.length),
                lines.length)).trim();
        return new Part(headers.get("content-id"), line.group(1), line.group(2), requestHeaders, body);
    }

    /** The parts between {@code --boundary} lines: each part's headers (lower case) and content. */
    private static List<Map.Entry<Map<String, String>, String>> multipart(String body, String boundary) {
        List<Map.Entry<Map<String, String>, String>> parts = new ArrayList<>();
        String[] pieces = body.split(Pattern.quote("--" + boundary), -1);
        if (pieces.length < 2) {
            throw new IllegalArgumentException("no part starts with --" + boundary);
        }
        boolean closed = false;
        for (int i = 1; i < pieces.length; i++) {
            String piece = pieces[i];
            if (piece.startsWith("--")) {
                closed = true;
                break;
            }
            if (!piece.startsWith("\r\n")) {
                throw new IllegalArgumentException("lines must end with CRLF");
            }
            piece = piece.substring(2);
            int blank = piece.indexOf("\r\n\r\n");
            if (blank < 0) {
                throw new IllegalArgumentException("a part has no blank line after its headers");
            }
            Map<String, String> headers = new HashMap<>();
            for (String header : piece.substring(0, blank).split("\r\n")) {
                int colon = header.indexOf(':');
                if (colon > 0) {
                    headers.put(header.substring(0, colon).trim().toLowerCase(Locale.ROOT),
                            header.substring(colon + 1).trim());
                }
            }
            String content = piece.substring(blank + 4);
            parts.add(Map.entry(headers, content.endsWith("\r\n") ? content.substring(0, content.length() - 2) : content));
        }
        if (!closed) {
            throw new IllegalArgumentException("the closing --" + boundary + "-- is missing");
        }
        return parts;
    }

    // ---- rows ----

    private Optional<ObjectNode> find(DataverseTable table, Key key) {
        if (key.id != null) {
            return Optional.ofNullable(rows.get(table.entitySet()).get(key.id));
        }
        return byKey(table, key.alternate);
    }

    private Optional<ObjectNode> byKey(DataverseTable table, String alternate) {
        return rows.get(table.entitySet()).values().stream()
                .filter(row -> alternate.equals(row.path(table.alternateKey()).asText(null)))
                .findFirst();
    }

    private ObjectNode shown(DataverseTable table, ObjectNode row, List<String> select) {
        ObjectNode shown = JSON.createObjectNode();
        String id = row.get(table.idAttribute()).asText();
        shown.put("@odata.etag", etag(versions.get(id)));
        if (select.isEmpty()) {
            shown.setAll(row);
            return shown;
        }
        for (String attribute : select) {
            shown.set(attribute, row.has(attribute) ? row.get(attribute) : JSON.nullNode());
        }
        shown.put(table.idAttribute(), id);
        return shown;
    }

    /** The attributes of a $select, empty when one is unknown; an empty list for none. */
    private static Optional<List<String>> select(DataverseTable table, String select) {
        if (select == null) {
            return Optional.of(List.of());
        }
        List<String> attributes = List.of(select.split(","));
        return unknown(table, select) == null ? Optional.of(attributes) : Optional.empty();
    }

    private static String unknown(DataverseTable table, String select) {
        for (String attribute : select.split(",")) {
            boolean lookup = table.lookups().keySet().stream()
                    .anyMatch(nav -> attribute.equals("_" + nav.replaceAll("_(account|contact)$", "") + "_value"));
            if (!table.attributes().containsKey(attribute) && !lookup) {
                return attribute;
            }
        }
        return null;
    }

    private DataverseTable table(String entitySet) {
        return DataverseTable.bySet(entitySet).orElseThrow(() -> new IllegalArgumentException(
                "the fake has no entity set " + entitySet));
    }

    private static String etag(long version) {
        return "W/\"" + version + "\"";
    }

    private static Map<String, String> form(String text) {
        Map<String, String> values = new LinkedHashMap<>();
        for (String pair : text.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int equals = pair.indexOf('=');
            String name = URLDecoder.decode(equals < 0 ? pair : pair.substring(0, equals), StandardCharsets.UTF_8);
            values.put(name, equals < 0 ? "" : URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8));
        }
        return values;
    }

    private static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
    }

    @Override
    public void close() {
        server.stop(0);
        synchronized (this) {
            if (webhooks != null) {
                webhooks.close();
            }
        }
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }

    /**
     * Runs a fake until stopped: {@code DataverseFake [port] [webhookUrl] [key]}; the key goes in
     * the header {@code x-steward-key}, the post image is registered.
     */
    public static void main(String[] args) throws InterruptedException {
        DataverseFake fake = start(args.length > 0 ? Integer.parseInt(args[0]) : 0);
        if (args.length > 2) {
            fake.webhook(URI.create(args[1]), DataverseWebhooks.Auth.HTTP_HEADER, "x-steward-key", args[2], true);
        }
        System.out.println("Dataverse fake at " + fake.environmentUrl() + " (tenant " + TENANT + ", client "
                + CLIENT_ID + ", secret " + CLIENT_SECRET + ")");
        if (args.length > 2) {
            System.out.println("webhooks to " + args[1]);
        }
        System.out.println("change a row as a user: curl -X POST " + fake.environmentUrl()
                + "/_fake/accounts/A-1 -d '{\"name\":\"Contoso\",\"creditlimit\":5000}'");
        Runtime.getRuntime().addShutdownHook(new Thread(fake::close));
        Thread.currentThread().join();
    }
}
