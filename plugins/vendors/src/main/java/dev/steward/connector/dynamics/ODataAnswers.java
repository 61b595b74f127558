package dev.steward.connector.dynamics;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.steward.connector.http.SystemHttp;
import dev.steward.plugin.SystemRateLimitedException;
import dev.steward.plugin.SystemUnavailableException;
import dev.steward.plugin.WriteRefusedException;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.Set;

/**
 * How the Dataverse Web API's error answers map to Steward's connector exceptions. Its errors
 * are OData JSON, {@code {"error":{"code":"0x80040237","message":"..."}}}; the service
 * protection limits answer {@code 429} with {@code Retry-After} (seconds) and one of three
 * codes: requests per window, execution time, concurrent requests.
 */
final class ODataAnswers {

    /** Service protection error codes: number of requests, execution time, concurrent requests. */
    static final Set<String> SERVICE_PROTECTION = Set.of("0x80072322", "0x80072321", "0x80072326",
            "-2147015902", "-2147015903", "-2147015898");

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int SHOWN = 2000;

    private ODataAnswers() {
    }

    /** The OData error of an answer: code and message, empty strings when the body has none. */
    record ODataError(String code, String message) {
    }

    static ODataError error(SystemHttp.Answer answer) {
        try {
            JsonNode error = JSON.readTree(answer.body()).path("error");
            return new ODataError(error.path("code").asText(""), error.path("message").asText(""));
        } catch (IOException | RuntimeException notJson) {
            return new ODataError("", "");
        }
    }

    /**
     * Throws the exception an answer that is not a success means: a service protection limit
     * ({@link SystemRateLimitedException} with the {@code Retry-After}), a server error or
     * timeout ({@link SystemUnavailableException}), or a refusal ({@link WriteRefusedException}
     * with Dataverse's message, which names the attribute it refused).
     *
     * @param what what was asked, for the message ({@code PATCH accounts(accountnumber='A-1')})
     */
    static void check(String system, String what, SystemHttp.Answer answer, Clock clock) {
        int status = answer.status();
        if (status >= 200 && status < 300) {
            return;
        }
        ODataError error = error(answer);
        String said = error.message().isEmpty() ? "" : ": " + error.message()
                + (error.code().isEmpty() ? "" : " (" + error.code() + ")");
        if (said.isEmpty() && status == 401) {
            said = ": the token was refused twice (is the app registration an application user of this environment?)";
        }
        String message = system + " answered " + status + " to " + what + said;
        Optional<Duration> retryAfter = retryAfter(answer, clock);
        if (status == 429 || SERVICE_PROTECTION.contains(error.code())
                || (status == 503 && retryAfter.isPresent())) {
            throw new SystemRateLimitedException(message, retryAfter.orElse(null));
        }
        if (status >= 500 || status == 408) {
            throw new SystemUnavailableException(message);
        }
        throw new WriteRefusedException(message, status, shorten(answer.body()));
    }

    /** The wait a {@code Retry-After} header asks for: seconds or an HTTP date. */
    static Optional<Duration> retryAfter(SystemHttp.Answer answer, Clock clock) {
        Optional<String> header = answer.header("Retry-After").map(String::trim).filter(v -> !v.isEmpty());
        if (header.isEmpty()) {
            return Optional.empty();
        }
        String value = header.get();
        try {
            if (value.chars().allMatch(Character::isDigit)) {
                return Optional.of(Duration.ofSeconds(Long.parseLong(value)));
            }
            // Dataverse sends whole seconds; a fraction ("0.5") is read as such
            if (value.matches("\\d+\\.\\d+")) {
                return Optional.of(Duration.ofMillis(Math.round(Double.parseDouble(value) * 1000)));
            }
            ZonedDateTime at = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME);
            Duration wait = Duration.between(clock.instant(), at.toInstant());
            return Optional.of(wait.isNegative() ? Duration.ZERO : wait);
        } catch (NumberFormatException | DateTimeParseException unreadable) {
            return Optional.empty();
        }
    }

    static String shorten(String body) {
        return body.length() <= SHOWN ? body : body.substring(0, SHOWN) + "...";
    }
}
