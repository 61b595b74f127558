package dev.steward.connector.salesforce;

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
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What Salesforce's REST answers mean: its error bodies (a JSON array of
 * {@code {"message","errorCode","fields"}}), its limit signals ({@code 403 REQUEST_LIMIT_EXCEEDED},
 * the {@code Sforce-Limit-Info} header) and the 300 of an ambiguous external id. Stateless.
 */
final class SalesforceAnswers {

    /** One error of an error body. */
    record Error(String errorCode, String message, List<String> fields) {

        /** {@code REQUIRED_FIELD_MISSING on Name: Required fields are missing: [Name]}. */
        String describe() {
            return errorCode + (fields.isEmpty() ? "" : " on " + String.join(", ", fields)) + ": " + message;
        }
    }

    /** The API usage of the last 24 hours, from {@code Sforce-Limit-Info: api-usage=n/max}. */
    record ApiUsage(long used, long max) {
    }

    static final int MAX_ANSWER = 500;
    /** How long to wait after a concurrency refusal when Salesforce names no time. */
    static final Duration CONCURRENCY_RETRY = Duration.ofSeconds(10);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern USAGE = Pattern.compile("api-usage=(\\d+)/(\\d+)");

    private SalesforceAnswers() {
    }

    /** The errors of an error body; empty when the body is not Salesforce's error array. */
    static List<Error> errors(String body) {
        List<Error> errors = new ArrayList<>();
        JsonNode json;
        try {
            json = JSON.readTree(body == null ? "" : body);
        } catch (IOException e) {
            return errors;
        }
        if (json == null || !json.isArray()) {
            return errors;
        }
        for (JsonNode e : json) {
            errors.add(error(e));
        }
        return errors;
    }

    /**
     * One error object; REST answers name the code {@code errorCode}, sObject Collections
     * results name it {@code statusCode}.
     */
    static Error error(JsonNode e) {
        List<String> fields = new ArrayList<>();
        e.path("fields").forEach(f -> fields.add(f.asText()));
        String code = e.hasNonNull("errorCode") ? e.path("errorCode").asText() : e.path("statusCode").asText("ERROR");
        return new Error(code, e.path("message").asText(""), List.copyOf(fields));
    }

    /** The usage the answer reports, if it does. */
    static Optional<ApiUsage> usage(SystemHttp.Answer answer) {
        return answer.header("Sforce-Limit-Info").map(USAGE::matcher).filter(Matcher::find)
                .map(m -> new ApiUsage(Long.parseLong(m.group(1)), Long.parseLong(m.group(2))));
    }

    /**
     * The exception for an answer that is not a success, for {@code what} ({@code PATCH Account
     * Customer_Number__c/C-1}): rate limits and transient errors are retryable, the rest are
     * refusals naming Salesforce's error codes, fields and messages.
     */
    static ConnectorException failure(String system, String what, SystemHttp.Answer answer, Duration dailyRetry,
                                      Clock clock) {
        int status = answer.status();
        List<Error> errors = errors(answer.body());
        String where = system + ": Salesforce answered " + status + " to " + what;
        boolean limited = errors.stream().anyMatch(e -> e.errorCode().equals("REQUEST_LIMIT_EXCEEDED"));
        if (limited || status == 429) {
            // TotalRequests is the rolling 24-hour allocation; the others are concurrency limits
            boolean daily = errors.stream().anyMatch(e -> e.message().contains("TotalRequests"));
            Duration wait = retryAfter(answer.header("Retry-After"), clock)
                    .orElse(daily ? dailyRetry : CONCURRENCY_RETRY);
            return new SystemRateLimitedException(where + " (" + describe(errors, answer.body()) + ")", wait);
        }
        if (status >= 500 || status == 408) {
            return new SystemUnavailableException(where + " (" + describe(errors, answer.body()) + ")");
        }
        return new WriteRefusedException(where + ": " + describe(errors, answer.body()), status, shorten(answer.body()));
    }

    /** The ids of the records a {@code 300 Multiple Choices} lists (an array of record URLs). */
    static List<String> choices(String body) {
        List<String> ids = new ArrayList<>();
        try {
            JsonNode json = JSON.readTree(body);
            if (json != null && json.isArray()) {
                for (JsonNode url : json) {
                    String text = url.asText();
                    ids.add(text.substring(text.lastIndexOf('/') + 1));
                }
            }
        } catch (IOException unreadable) {
            // the caller names no ids then
        }
        return ids;
    }

    static String describe(List<Error> errors, String body) {
        if (errors.isEmpty()) {
            String text = shorten(body);
            return text.isEmpty() ? "no details" : text;
        }
        return String.join("; ", errors.stream().map(Error::describe).toList());
    }

    static String shorten(String body) {
        if (body == null) {
            return "";
        }
        String trimmed = body.strip();
        return trimmed.length() <= MAX_ANSWER ? trimmed : trimmed.substring(0, MAX_ANSWER) + "...";
    }

    private static Optional<Duration> retryAfter(Optional<String> header, Clock clock) {
        if (header.isEmpty() || header.get().isBlank()) {
            return Optional.empty();
        }
        String value = header.get().trim();
        if (value.chars().allMatch(Character::isDigit) && value.length() < 10) {
            return Optional.of(Duration.ofSeconds(Long.parseLong(value)));
        }
        try {
            Duration wait = Duration.between(clock.instant(),
                    ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
            return Optional.of(wait.isNegative() ? Duration.ZERO : wait);
        } catch (DateTimeParseException unreadable) {
            return Optional.empty();
        }
    }
}
