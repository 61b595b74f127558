package dev.steward.connector.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.steward.plugin.Connector;
import dev.steward.plugin.ConnectorContext;
import dev.steward.plugin.ConnectorException;
import dev.steward.plugin.EntityConfig;
import dev.steward.plugin.SystemRateLimitedException;
import dev.steward.plugin.SystemUnavailableException;
import dev.steward.plugin.WriteOptions;
import dev.steward.plugin.WriteRefusedException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Reads a record with {@code GET {baseUrl}{path}} and writes it with {@code PATCH} and a JSON
 * object of the given fields. Thread-safe: it holds only immutable settings and the context's
 * shared client.
 */
final class HttpConnector implements Connector {

    static final int MAX_ANSWER = 2000;

    private final String system;
    private final HttpSettings settings;
    private final ConnectorContext context;

    HttpConnector(String system, HttpSettings settings, ConnectorContext context) {
        this.system = system;
        this.settings = settings;
        this.context = context;
    }

    @Override
    public Optional<Map<String, Object>> read(EntityConfig entity, String key) {
        HttpRequest request = request(entity, key)
                .header("Accept", "application/json")
                .GET()
                .build();
        HttpResponse<String> response = send(request);
        if (response.statusCode() == 404) {
            return Optional.empty();
        }
        failUnlessSuccess(request, response);
        JsonNode body;
        try {
            body = NestedFields.JSON.readTree(response.body());
        } catch (JsonProcessingException e) {
            body = null;
        }
        if (body == null || !body.isObject()) {
            throw new ConnectorException(system + " answered " + response.statusCode() + " to "
                    + describe(request) + " with something other than a JSON object: "
                    + shorten(response.body()), false);
        }
        return Optional.of(NestedFields.pick(body, entity.fields().values()));
    }

    @Override
    public void upsert(EntityConfig entity, String key, Map<String, Object> fields, WriteOptions options) {
        String json;
        try {
            json = NestedFields.JSON.writeValueAsString(NestedFields.nest(fields));
        } catch (JsonProcessingException | IllegalArgumentException e) {
            throw new WriteRefusedException("cannot write " + entity.name() + " " + key + " to " + system
                    + " as JSON: " + e.getMessage(), 0, e.getMessage(), e);
        }
        HttpRequest.Builder builder = request(entity, key)
                .header("Content-Type", "application/json")
                .header("Accept", "application/json")
                .method("PATCH", HttpRequest.BodyPublishers.ofString(json));
        if (options.idempotencyKey() != null) {
            builder.header("Idempotency-Key", options.idempotencyKey());
        }
        HttpRequest request = builder.build();
        HttpResponse<String> response = send(request);
        failUnlessSuccess(request, response);
        context.logger().log(System.Logger.Level.DEBUG, "{0} answered {1} to {2} (event {3})",
                system, response.statusCode(), describe(request), options.eventId());
    }

    private HttpRequest.Builder request(EntityConfig entity, String key) {
        if (key == null || key.isEmpty()) {
            throw new ConnectorException("cannot address a " + entity.name() + " in " + system
                    + " without a key", false);
        }
        String path = entity.setting("path").orElseThrow().replace("{key}", PathSegment.encode(key));
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(settings.baseUrl() + path))
                .timeout(settings.readTimeout());
        settings.headers().forEach(builder::header);
        return builder;
    }

    /**
     * Sends with a deadline for the whole exchange, body included: the request timeout alone
     * stops counting once the headers arrive.
     */
    private HttpResponse<String> send(HttpRequest request) {
        Duration deadline = settings.connectTimeout().plus(settings.readTimeout());
        CompletableFuture<HttpResponse<String>> pending =
                context.httpClient().sendAsync(request, HttpResponse.BodyHandlers.ofString());
        try {
            return pending.get(deadline.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            pending.cancel(true);
            throw new SystemUnavailableException(system + " did not answer " + describe(request)
                    + " within " + DurationSetting.format(deadline), e);
        } catch (InterruptedException e) {
            pending.cancel(true);
            Thread.currentThread().interrupt();
            throw new SystemUnavailableException("interrupted while waiting for " + system
                    + " to answer " + describe(request), e);
        } catch (ExecutionException e) {
            throw unreachable(request, e.getCause() == null ? e : e.getCause());
        }
    }

    private SystemUnavailableException unreachable(HttpRequest request, Throwable cause) {
        String why;
        if (cause instanceof HttpConnectTimeoutException) {
            why = "could not connect in time";
        } else if (cause instanceof HttpTimeoutException) {
            why = "did not answer within " + DurationSetting.format(settings.readTimeout());
        } else if (cause instanceof ConnectException) {
            why = "could not be reached (connection refused)";
        } else if (cause instanceof UnresolvedAddressException
                || cause.getCause() instanceof UnresolvedAddressException) {
            why = "could not be reached (unknown host)";
        } else if (cause instanceof IOException) {
            why = "lost the connection (" + cause.getClass().getSimpleName()
                    + (cause.getMessage() == null ? "" : ": " + cause.getMessage()) + ")";
        } else {
            why = "failed (" + cause + ")";
        }
        return new SystemUnavailableException(system + " " + why + " on " + describe(request), cause);
    }

    private void failUnlessSuccess(HttpRequest request, HttpResponse<String> response) {
        int status = response.statusCode();
        if (status >= 200 && status < 300) {
            return;
        }
        String answer = shorten(response.body());
        String message = system + " answered " + status + " to " + describe(request)
                + (answer.isEmpty() ? "" : ": " + answer);
        Optional<String> retryAfterHeader = response.headers().firstValue("Retry-After");
        if (status == 429 || (status == 503 && retryAfterHeader.isPresent())) {
            throw new SystemRateLimitedException(message,
                    RetryAfter.parse(retryAfterHeader, context.clock()).orElse(null));
        }
        if (status >= 500 || status == 408) {
            throw new SystemUnavailableException(message);
        }
        throw new WriteRefusedException(message, status, answer);
    }

    private static String describe(HttpRequest request) {
        return request.method() + " " + request.uri().getRawPath();
    }

    private static String shorten(String body) {
        if (body == null) {
            return "";
        }
        String trimmed = body.strip();
        return trimmed.length() <= MAX_ANSWER ? trimmed : trimmed.substring(0, MAX_ANSWER) + "...";
    }
}
