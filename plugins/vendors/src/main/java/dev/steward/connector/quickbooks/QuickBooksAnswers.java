package dev.steward.connector.quickbooks;

import com.fasterxml.jackson.databind.JsonNode;
import dev.steward.connector.http.SystemHttp;
import dev.steward.plugin.ConnectorException;
import dev.steward.plugin.SystemRateLimitedException;
import dev.steward.plugin.SystemUnavailableException;
import dev.steward.plugin.VersionConflictException;
import dev.steward.plugin.WriteRefusedException;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;

/**
 * Turns QuickBooks' answers into results or {@link ConnectorException}s: {@code 429} (throttled:
 * 500 requests a minute or 10 at once per company) into {@link SystemRateLimitedException},
 * {@code 5xx} into {@link SystemUnavailableException}, a {@code Fault} with code 5010
 * ({@code Stale Object Error}) into {@link VersionConflictException}, and any other {@code Fault}
 * (which QuickBooks may send with a 200 too) into {@link WriteRefusedException} naming the field
 * ({@code element}) and QuickBooks' message and detail. Stateless.
 */
final class QuickBooksAnswers {

    private static final int MAX_ANSWER = 2000;

    private final String system;
    private final Duration throttleWait;

    QuickBooksAnswers(String system, Duration throttleWait) {
        this.system = system;
        this.throttleWait = throttleWait;
    }

    Optional<JsonNode> read(String method, URI uri, SystemHttp.Answer answer, String what, boolean notFoundIsEmpty) {
        int status = answer.status();
        String where = system + ": QuickBooks answered " + status + " to " + method + " " + uri.getPath();
        if (status == 429) {
            Duration wait = answer.header("Retry-After").filter(v -> v.trim().matches("\\d{1,6}"))
                    .map(v -> Duration.ofSeconds(Long.parseLong(v.trim()))).orElse(throttleWait);
            throw new SystemRateLimitedException(where + " (throttled: at most 500 requests a minute and 10 at once"
                    + " per company)", wait);
        }
        if (status >= 500 || status == 408) {
            throw new SystemUnavailableException(where);
        }
        JsonNode json;
        try {
            json = QuickBooksConnector.JSON.readTree(answer.body());
        } catch (IOException e) {
            json = null;
        }
        JsonNode fault = json == null ? null : json.has("Fault") ? json.get("Fault") : json.get("fault");
        if (fault != null && !fault.isNull()) {
            JsonNode error = fault.has("Error") ? fault.path("Error").path(0) : fault.path("error").path(0);
            String code = error.path("code").asText("");
            String message = text(error, "Message");
            String detail = text(error, "Detail");
            String element = text(error, "element");
            if (code.equals("610") && notFoundIsEmpty) {
                return Optional.empty();
            }
            if (code.equals("5010")) {
                throw new VersionConflictException(system + ": " + what + " changed since it was read (Stale Object"
                        + " Error, code 5010)", what);
            }
            if (code.equals("3001") || code.equals("003001")) {
                throw new SystemRateLimitedException(where + " (throttled)", throttleWait);
            }
            String field = element.isEmpty() ? "" : " field " + element + ":";
            String reason = system + ": QuickBooks refused " + method + " " + what + ":" + field + " " + message
                    + (detail.isEmpty() || detail.equals(message) ? "" : " (" + detail + ")")
                    + (code.isEmpty() ? "" : " [code " + code + ", " + fault.path("type").asText("") + "]");
            throw new WriteRefusedException(reason, status, shorten(answer.body()));
        }
        if (status != 200 || json == null) {
            if (status >= 400) {
                throw new WriteRefusedException(where + ": " + shorten(answer.body()), status, shorten(answer.body()));
            }
            throw new SystemUnavailableException(where + " with no JSON");
        }
        return Optional.of(json);
    }

    private static String text(JsonNode error, String name) {
        JsonNode node = error.has(name) ? error.get(name)
                : error.get(Character.toLowerCase(name.charAt(0)) + name.substring(1));
        return node == null || node.isNull() ? "" : node.asText();
    }

    private static String shorten(String body) {
        String trimmed = body == null ? "" : body.strip();
        return trimmed.length() <= MAX_ANSWER ? trimmed : trimmed.substring(0, MAX_ANSWER) + "...";
    }
}
