package dev.steward.connector.netsuite;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.steward.connector.http.SystemHttp;
import dev.steward.plugin.ConnectorException;
import dev.steward.plugin.SystemRateLimitedException;
import dev.steward.plugin.SystemUnavailableException;
import dev.steward.plugin.WriteRefusedException;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Turns a NetSuite error answer into the connector exception Steward acts on. NetSuite's REST
 * error body is {@code {"type","title","status","o:errorDetails":[{"detail","o:errorCode",
 * "o:errorPath"}]}}; the account's concurrency limit shows as {@code 429} (REST) or as
 * {@code SSS_REQUEST_LIMIT_EXCEEDED} (RESTlets, with 400), both a
 * {@link SystemRateLimitedException}; 5xx and 408 are {@link SystemUnavailableException}; any other
 * 4xx is a {@link WriteRefusedException} naming the field ({@code o:errorPath}) and NetSuite's
 * words. Stateless.
 */
final class NetSuiteErrors {

    static final int MAX_ANSWER = 2000;
    /** Error codes that mean "too many requests in flight", whatever the status. */
    static final Set<String> LIMIT_CODES = Set.of("SSS_REQUEST_LIMIT_EXCEEDED", "CONCURRENCY_LIMIT_EXCEEDED",
            "WS_REQUEST_BLOCKED", "WS_CONCUR_SESSION_DISALLWD");

    private static final ObjectMapper JSON = new ObjectMapper();

    private NetSuiteErrors() {
    }

    /** One entry of {@code o:errorDetails}. */
    record Detail(String detail, String code, String path) {

        String describe() {
            return (path == null || path.isEmpty() ? "" : path + ": ") + (detail == null ? "" : detail)
                    + (code == null ? "" : " (" + code + ")");
        }
    }

    /** The exception for an answer that is not a success. */
    static ConnectorException of(String system, String call, SystemHttp.Answer answer, Clock clock) {
        int status = answer.status();
        List<Detail> details = details(answer.body());
        String body = shorten(answer.body());
        String said = details.isEmpty() ? body : String.join("; ", details.stream().map(Detail::describe).toList());
        String message = system + " (NetSuite) answered " + status + " to " + call + (said.isEmpty() ? "" : ": " + said);
        boolean limit = details.stream().anyMatch(d -> d.code() != null && LIMIT_CODES.contains(d.code()));
        if (status == 429 || limit) {
            return new SystemRateLimitedException(message + " (the account's concurrency limit: lower this system's"
                    + " concurrency, or split the limit between hosts)", retryAfter(answer, clock).orElse(null));
        }
        if (status >= 500 || status == 408) {
            return new SystemUnavailableException(message);
        }
        if (status == 401 || status == 403) {
            return new WriteRefusedException(message + " (check the system's auth settings and the role's"
                    + " permissions in NetSuite)", status, body);
        }
        return new WriteRefusedException(message, status, body);
    }

    /** The entries of {@code o:errorDetails}, or none when the body is not NetSuite's error. */
    static List<Detail> details(String body) {
        List<Detail> out = new ArrayList<>();
        JsonNode json;
        try {
            json = body == null || body.isBlank() ? null : JSON.readTree(body);
        } catch (IOException e) {
            return out;
        }
        JsonNode list = json == null ? null : json.get("o:errorDetails");
        if (list == null || !list.isArray()) {
            return out;
        }
        for (JsonNode d : list) {
            String path = text(d, "o:errorPath");
            if (path == null) {
                path = text(d, "o:errorQueryParam");
            }
            if (path == null) {
                path = text(d, "o:errorHeader");
            }
            out.add(new Detail(text(d, "detail"), text(d, "o:errorCode"), path));
        }
        return out;
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    /** {@code Retry-After} as seconds or an HTTP date, if the answer has one. */
    static Optional<Duration> retryAfter(SystemHttp.Answer answer, Clock clock) {
        Optional<String> header = answer.header("Retry-After").map(String::strip).filter(s -> !s.isEmpty());
        if (header.isEmpty()) {
            return Optional.empty();
        }
        String value = header.get();
        if (value.chars().allMatch(Character::isDigit) && value.length() < 10) {
            return Optional.of(Duration.ofSeconds(Long.parseLong(value)));
        }
        try {
            Duration wait = Duration.between(clock.instant(),
                    ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
            return Optional.of(wait.isNegative() ? Duration.ZERO : wait);
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    static String shorten(String body) {
        if (body == null) {
            return "";
        }
        String trimmed = body.strip();
        return trimmed.length() <= MAX_ANSWER ? trimmed : trimmed.substring(0, MAX_ANSWER) + "...";
    }
}
