package dev.steward.connector.http;

import dev.steward.plugin.DurationSetting;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
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
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.hc.client5.http.ConnectTimeoutException;

/**
 * Reads a record with {@code GET {baseUrl}{path}}, writes it with {@code PATCH} and a JSON
 * object of the given fields, and lists an entity's records page by page with {@code GET} on
 * its {@code list.path}; a flow's {@code call} sends {@code METHOD /path} with a JSON body
 * ({@link #call(String, Map, WriteOptions)}). A record's {@code ETag} (or its {@code versionField}) is its version;
 * a write with an expected version sends it as {@code If-Match}, and a 412 answer is a
 * {@link VersionConflictException}. With OAuth2, a 401 answer drops the token and the request
 * is sent once more with a new one. Thread-safe: immutable settings, a thread-safe transport
 * and token cache.
 */
final class HttpConnector implements Connector {

    static final int MAX_ANSWER = 2000;
    /** A call's action: a method and a path under the base URL, with {@code {name}} for input values. */
    private static final java.util.regex.Pattern ACTION =
            java.util.regex.Pattern.compile("(GET|POST|PUT|PATCH|DELETE) (/[A-Za-z0-9._~!$&'()*+,;=:@%/{}-]*)");
    private static final java.util.regex.Pattern PATH_PARAM = java.util.regex.Pattern.compile("\\{([A-Za-z_][A-Za-z0-9_]*)}");

    private final String system;
    private final HttpSettings settings;
    private final ConnectorContext context;
    private final HttpTransport transport;
    private final OAuth2Tokens tokens;

    HttpConnector(String system, HttpSettings settings, ConnectorContext context, HostResolver resolver) {
        this.system = system;
        this.settings = settings;
        this.context = context;
        this.transport = new HttpTransport(system, resolver, settings.policy(), settings.connectTimeout(),
                settings.readTimeout(), settings.maxResponse());
        this.tokens = settings.oauth2() == null ? null
                : new OAuth2Tokens(system, settings.oauth2(), transport, context.clock());
    }

    @Override
    public Optional<Map<String, Object>> read(EntityConfig entity, String key) {
        return readRecord(entity, key).map(SystemRecord::fields);
    }

    @Override
    public Optional<SystemRecord> readRecord(EntityConfig entity, String key) {
        HttpTransport.Call call = call("GET", recordUri(entity, key), null);
        HttpTransport.Answer answer = send(call);
        if (answer.status() == 404) {
            return Optional.empty();
        }
        failUnlessSuccess(call, answer, key);
        JsonNode body = object(call, answer);
        Optional<String> version = Optional.ofNullable(settings.versionFields().get(entity.name()))
                .map(field -> NestedFields.pick(body, List.of(field)).get(field))
                .map(String::valueOf)
                .or(() -> answer.header("ETag"));
        return Optional.of(new SystemRecord(key, NestedFields.pick(body, entity.fields().values()), version));
    }

    @Override
    public void upsert(EntityConfig entity, String key, Map<String, Object> fields, WriteOptions options) {
        upsert(entity, RecordWrite.of(key, fields, options));
    }

    @Override
    public void upsert(EntityConfig entity, RecordWrite write) {
        String json;
        try {
            json = NestedFields.JSON.writeValueAsString(NestedFields.nest(write.fields()));
        } catch (JsonProcessingException | IllegalArgumentException e) {
            throw new WriteRefusedException("cannot write " + entity.name() + " " + write.key() + " to " + system
                    + " as JSON: " + e.getMessage(), 0, e.getMessage(), e);
        }
        Map<String, String> headers = new LinkedHashMap<>();
        if (write.options().idempotencyKey() != null) {
            headers.put("Idempotency-Key", write.options().idempotencyKey());
        }
        write.expectedVersion().ifPresent(version -> headers.put("If-Match", version));
        HttpTransport.Call call = new HttpTransport.Call("PATCH", recordUri(entity, write.key()),
                withDefaults(headers), json, "application/json");
        HttpTransport.Answer answer = send(call);
        if (answer.status() == 412 && write.expectedVersion().isPresent()) {
            throw new VersionConflictException(system + " answered 412 to " + call.describe() + ": "
                    + entity.name() + " " + write.key() + " changed since version "
                    + write.expectedVersion().get() + " was read", write.key());
        }
        failUnlessSuccess(call, answer, write.key());
        context.logger().log(System.Logger.Level.DEBUG, "{0} answered {1} to {2} (event {3})",
                system, answer.status(), call.describe(), write.options().eventId());
    }

    @Override
    public Page list(EntityConfig entity, Optional<String> cursor, int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1, not " + limit);
        }
        ListSettings list = settings.lists().get(entity.name());
        if (list == null) {
            throw new ActionNotSupportedException(system + " cannot list " + entity.name()
                    + " records: give the entity a list block in steward.yaml", "list");
        }
        Map<String, String> query = new LinkedHashMap<>();
        int page = list.firstPage();
        if (list.pageStyle()) {
            if (cursor.isPresent()) {
                try {
                    page = Integer.parseInt(cursor.get());
                } catch (NumberFormatException e) {
                    throw new ConnectorException(system + " cannot list " + entity.name() + " records from page '"
                            + cursor.get() + "': not a page number", false);
                }
            }
            query.put(list.pageParam().orElseThrow(), Integer.toString(page));
        } else {
            cursor.ifPresent(c -> query.put(list.cursorParam().orElseThrow(), c));
        }
        list.sizeParam().ifPresent(size -> query.put(size, Integer.toString(limit)));
        HttpTransport.Call call = call("GET", listUri(list, query), null);
        HttpTransport.Answer answer = send(call);
        failUnlessSuccess(call, answer, null);
        JsonNode items = items(call, answer, list);
        List<SystemRecord> records = new ArrayList<>();
        for (JsonNode item : items) {
            Object key = item.isObject() ? NestedFields.pick(item, List.of(list.key())).get(list.key()) : null;
            if (key == null || key instanceof Map<?, ?> || key instanceof List<?>) {
                throw new ConnectorException(system + " answered " + call.describe() + " with an item that has no "
                        + list.key() + " to use as its key: " + shorten(item.toString()), false);
            }
            records.add(SystemRecord.unversioned(String.valueOf(key), NestedFields.pick(item, entity.fields().values())));
        }
        Optional<String> next;
        if (list.pageStyle()) {
            // a short page is the last; a full one may be followed by an empty one
            next = records.size() < limit || records.isEmpty() ? Optional.empty() : Optional.of(Integer.toString(page + 1));
        } else {
            String field = list.cursorNext().orElseThrow();
            Object value = NestedFields.pick(object(call, answer), List.of(field)).get(field);
            next = value == null || String.valueOf(value).isEmpty() || records.isEmpty()
                    ? Optional.empty() : Optional.of(String.valueOf(value));
        }
        return new Page(records, next);
    }

    /**
     * {@code call} step of a flow: the action is {@code METHOD /path} under the base URL
     * ({@code POST /orders}); a {@code {name}} in the path takes the input's value of that name,
     * encoded as one path segment, and the rest of the input is the JSON body (none for GET and
     * DELETE). The answer's JSON object is the result; an answer without one gives
     * {@code {status, location}}. The idempotency key goes as {@code Idempotency-Key}, as for
     * writes.
     */
    @Override
    public Map<String, Object> call(String action, Map<String, Object> input, WriteOptions options) {
        java.util.regex.Matcher m = ACTION.matcher(action.strip());
        if (!m.matches() || m.group(2).contains("..")) {
            throw new ActionNotSupportedException(system + " cannot call '" + action + "': an http action is a method"
                    + " and a path under the base URL, like 'POST /orders'", "call:" + action);
        }
        String method = m.group(1);
        Map<String, Object> body = new LinkedHashMap<>(input);
        StringBuilder path = new StringBuilder();
        java.util.regex.Matcher param = PATH_PARAM.matcher(m.group(2));
        while (param.find()) {
            Object value = body.remove(param.group(1));
            if (value == null || value instanceof Map<?, ?> || value instanceof List<?>) {
                throw new ActionNotSupportedException(system + " cannot call '" + action + "': the input has no single value"
                        + " named " + param.group(1) + " for the path", "call:" + action);
            }
            param.appendReplacement(path, java.util.regex.Matcher.quoteReplacement(PathSegment.encode(String.valueOf(value))));
        }
        param.appendTail(path);
        String json = null;
        if (!method.equals("GET") && !method.equals("DELETE")) {
            try {
                json = NestedFields.JSON.writeValueAsString(body);
            } catch (JsonProcessingException e) {
                throw new WriteRefusedException(system + " cannot send " + action + " as JSON: " + e.getMessage(), 0,
                        e.getMessage(), e);
            }
        }
        Map<String, String> headers = new LinkedHashMap<>();
        if (options != null && options.idempotencyKey() != null) {
            headers.put("Idempotency-Key", options.idempotencyKey());
        }
        HttpTransport.Call call = new HttpTransport.Call(method, URI.create(settings.baseUrl() + path),
                withDefaults(headers), json, "application/json");
        HttpTransport.Answer answer = send(call);
        failUnlessSuccess(call, answer, null);
        context.logger().log(System.Logger.Level.DEBUG, "{0} answered {1} to {2} (event {3})",
                system, answer.status(), call.describe(), options == null ? "-" : options.eventId());
        JsonNode result = json(answer);
        if (result != null && result.isObject()) {
            @SuppressWarnings("unchecked")
            Map<String, Object> fields = NestedFields.JSON.convertValue(result, Map.class);
            return fields;
        }
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("status", answer.status());
        answer.header("Location").ifPresent(location -> status.put("location", location));
        return status;
    }

    @Override
    public Map<String, Object> call(String action, Map<String, Object> input) {
        return call(action, input, null);
    }

    @Override
    public void close() {
        transport.close();
    }

    private JsonNode items(HttpTransport.Call call, HttpTransport.Answer answer, ListSettings list) {
        JsonNode node = json(answer);
        if (list.items().isPresent() && node != null) {
            for (String part : list.items().get().split("\\.")) {
                node = node != null && node.isObject() ? node.get(part) : null;
            }
        }
        if (node == null || !node.isArray()) {
            throw new ConnectorException(system + " answered " + answer.status() + " to " + call.describe()
                    + " without a JSON array" + list.items().map(i -> " at " + i).orElse("") + ": "
                    + shorten(answer.body()), false);
        }
        return node;
    }

    private JsonNode object(HttpTransport.Call call, HttpTransport.Answer answer) {
        JsonNode body = json(answer);
        if (body == null || !body.isObject()) {
            throw new ConnectorException(system + " answered " + answer.status() + " to " + call.describe()
                    + " with something other than a JSON object: " + shorten(answer.body()), false);
        }
        return body;
    }

    private static JsonNode json(HttpTransport.Answer answer) {
        try {
            return NestedFields.JSON.readTree(answer.body());
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    private URI recordUri(EntityConfig entity, String key) {
        if (key == null || key.isEmpty()) {
            throw new ConnectorException("cannot address a " + entity.name() + " in " + system
                    + " without a key", false);
        }
        String path = entity.setting("path").orElseThrow().replace("{key}", PathSegment.encode(key));
        return URI.create(settings.baseUrl() + path);
    }

    private URI listUri(ListSettings list, Map<String, String> query) {
        StringBuilder uri = new StringBuilder(settings.baseUrl()).append(list.path());
        char separator = '?';
        for (Map.Entry<String, String> param : query.entrySet()) {
            uri.append(separator).append(URLEncoder.encode(param.getKey(), StandardCharsets.UTF_8))
                    .append('=').append(URLEncoder.encode(param.getValue(), StandardCharsets.UTF_8));
            separator = '&';
        }
        return URI.create(uri.toString());
    }

    private HttpTransport.Call call(String method, URI uri, String body) {
        return new HttpTransport.Call(method, uri, withDefaults(Map.of()), body, "application/json");
    }

    private Map<String, String> withDefaults(Map<String, String> own) {
        Map<String, String> headers = new LinkedHashMap<>(settings.headers());
        headers.put("Accept", "application/json");
        headers.putAll(own);
        return headers;
    }

    /** Sends with the current OAuth2 token, and once more with a new one if the system answers 401. */
    private HttpTransport.Answer send(HttpTransport.Call call) {
        if (tokens == null) {
            return exchange(call);
        }
        String token = tokens.token();
        HttpTransport.Answer answer = exchange(authorized(call, token));
        if (answer.status() != 401) {
            return answer;
        }
        tokens.invalidate(token);
        return exchange(authorized(call, tokens.token()));
    }

    private static HttpTransport.Call authorized(HttpTransport.Call call, String token) {
        Map<String, String> headers = new LinkedHashMap<>(call.headers());
        headers.put("Authorization", "Bearer " + token);
        return new HttpTransport.Call(call.method(), call.uri(), headers, call.body(), call.contentType());
    }

    private HttpTransport.Answer exchange(HttpTransport.Call call) {
        try {
            return transport.send(call);
        } catch (CheckedDnsResolver.RefusedAddressException e) {
            throw new ConnectorException(system + " " + e.getMessage() + " (" + call.describe() + ")", false, e);
        } catch (HttpTransport.TooLargeException e) {
            // the same request gets the same answer: permanent
            throw new ConnectorException(system + " answered " + call.describe() + " with too much: "
                    + e.getMessage(), false, e);
        } catch (IOException e) {
            throw unreachable(call, e);
        }
    }

    private SystemUnavailableException unreachable(HttpTransport.Call call, IOException cause) {
        String why;
        if (cause instanceof HttpTransport.DeadlineException) {
            why = "did not answer " + call.describe() + " within "
                    + DurationSetting.format(settings.connectTimeout().plus(settings.readTimeout()));
            return new SystemUnavailableException(system + " " + why, cause);
        } else if (cause instanceof ConnectTimeoutException) {
            why = "could not connect in time";
        } else if (cause instanceof SocketTimeoutException) {
            why = "did not answer within " + DurationSetting.format(settings.readTimeout());
        } else if (cause instanceof ConnectException) {
            why = "could not be reached (connection refused)";
        } else if (cause instanceof UnknownHostException) {
            why = "could not be reached (unknown host)";
        } else {
            why = "lost the connection (" + cause.getClass().getSimpleName()
                    + (cause.getMessage() == null ? "" : ": " + cause.getMessage()) + ")";
        }
        return new SystemUnavailableException(system + " " + why + " on " + call.describe(), cause);
    }

    private void failUnlessSuccess(HttpTransport.Call call, HttpTransport.Answer answer, String key) {
        int status = answer.status();
        if (status >= 200 && status < 300) {
            return;
        }
        String body = shorten(answer.body());
        String message = system + " answered " + status + " to " + call.describe()
                + (body.isEmpty() ? "" : ": " + body);
        Optional<String> retryAfterHeader = answer.header("Retry-After");
        if (status == 429 || (status == 503 && retryAfterHeader.isPresent())) {
            throw new SystemRateLimitedException(message,
                    RetryAfter.parse(retryAfterHeader, context.clock()).orElse(null));
        }
        if (status >= 500 || status == 408) {
            throw new SystemUnavailableException(message);
        }
        throw new WriteRefusedException(message, status, body);
    }

    static String shorten(String body) {
        if (body == null) {
            return "";
        }
        String trimmed = body.strip();
        return trimmed.length() <= MAX_ANSWER ? trimmed : trimmed.substring(0, MAX_ANSWER) + "...";
    }
}
