package dev.steward.connector.sap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.steward.connector.http.RetryAfter;
import dev.steward.connector.http.SystemHttp;
import dev.steward.plugin.ConnectorException;
import dev.steward.plugin.SystemRateLimitedException;
import dev.steward.plugin.SystemUnavailableException;
import dev.steward.plugin.WriteRefusedException;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Turns an S/4HANA answer that is not a success into the connector exception Steward acts on,
 * with the OData v2 error body ({@code {"error":{"code","message":{"value"},"innererror":
 * {"errordetails":[{"code","message","propertyref","severity"}]}}}}) as the reason: the
 * message, and each detail's property and message, so a dead letter names the field SAP
 * refused. Stateless.
 */
final class SapErrors {

    static final int MAX_ANSWER = 2000;
    private static final ObjectMapper JSON = new ObjectMapper();

    private SapErrors() {
    }

    /**
     * The exception for a failed call: 429 (and 503 with {@code Retry-After}) is a rate limit,
     * 5xx and 408 are unavailability, other 4xx are refusals ({@link WriteRefusedException} for
     * writes, a non-retryable {@link ConnectorException} for reads).
     */
    static ConnectorException forAnswer(String system, String call, SystemHttp.Answer answer, Clock clock,
                                        boolean write) {
        int status = answer.status();
        String reason = reason(answer.body());
        String message = system + " answered " + status + " to " + call + (reason.isEmpty() ? "" : ": " + reason);
        Optional<Duration> retryAfter = RetryAfter.parse(answer.header("retry-after"), clock);
        if (status == 429 || (status == 503 && retryAfter.isPresent())) {
            return new SystemRateLimitedException(message, retryAfter.orElse(null));
        }
        if (status >= 500 || status == 408) {
            return new SystemUnavailableException(message);
        }
        if (status == 401) {
            message += " (check the communication user's credentials or the OAuth client of the communication"
                    + " arrangement)";
        } else if (status == 403) {
            message += " (the communication arrangement may not include this service, or the user lacks the"
                    + " authorization)";
        }
        if (write) {
            return new WriteRefusedException(message, status, shorten(answer.body()));
        }
        return new ConnectorException(message, false);
    }

    /**
     * The OData v2 error body in words: {@code code: message [property: detail message; ...]},
     * or the body shortened when it is not one.
     */
    static String reason(String body) {
        if (body == null || body.isBlank()) {
            return "";
        }
        JsonNode error;
        try {
            error = JSON.readTree(body).path("error");
        } catch (IOException e) {
            return shorten(body);
        }
        if (!error.isObject()) {
            return shorten(body);
        }
        StringBuilder text = new StringBuilder();
        String code = error.path("code").asText("");
        JsonNode message = error.path("message");
        String value = message.isObject() ? message.path("value").asText("") : message.asText("");
        text.append(code.isEmpty() ? "" : code + ": ").append(value);
        List<String> details = new ArrayList<>();
        for (JsonNode detail : error.path("innererror").path("errordetails")) {
            String property = detail.path("propertyref").asText("");
            String detailMessage = detail.path("message").asText("");
            if (detailMessage.isEmpty() || (detailMessage.equals(value) && property.isEmpty())) {
                continue;
            }
            details.add((property.isEmpty() ? "" : "property " + lastSegment(property) + ": ") + detailMessage);
        }
        if (!details.isEmpty()) {
            text.append(" [").append(String.join("; ", details)).append(']');
        }
        return shorten(text.toString());
    }

    /** SAP gives propertyref as a path ({@code A_BusinessPartner/OrganizationBPName1}); the field is its end. */
    private static String lastSegment(String property) {
        int slash = property.lastIndexOf('/');
        return slash < 0 ? property : property.substring(slash + 1);
    }

    static String shorten(String text) {
        if (text == null) {
            return "";
        }
        return text.length() <= MAX_ANSWER ? text : text.substring(0, MAX_ANSWER) + "...";
    }
}
