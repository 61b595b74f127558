package dev.steward.connector.hubspot;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.steward.connector.http.SystemHttp;
import dev.steward.plugin.SystemRateLimitedException;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.Optional;

/**
 * What a hubspot system's answers say about its API limits, so Steward stops before HubSpot
 * refuses: each answer's {@code X-HubSpot-RateLimit-Remaining} (calls left in the current
 * window of {@code X-HubSpot-RateLimit-Interval-Milliseconds}, ten seconds) and
 * {@code X-HubSpot-RateLimit-Daily-Remaining}. When none are left, calls fail here, without
 * reaching HubSpot, with {@link SystemRateLimitedException} carrying the time until the window
 * (or the day, at midnight in the account's time zone) ends; Steward retries them then.
 *
 * <p>HubSpot does not say when a window began: it is taken to begin when an answer showing more
 * calls left than the one before (or coming after the last window is over) is received, which
 * errs late (HubSpot counted the call before it answered), never early. Thread-safe.
 */
final class HubSpotRateLimit {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(10);

    private final String system;
    private final ZoneId timeZone;
    private final Clock clock;
    private Long lastRemaining;
    private Instant windowStart = Instant.MIN;
    private Duration interval = DEFAULT_INTERVAL;
    private Instant blockedUntil = Instant.MIN;
    private String blockedBy = "";

    HubSpotRateLimit(String system, ZoneId timeZone, Clock clock) {
        this.system = system;
        this.timeZone = timeZone;
        this.clock = clock;
    }

    /** Throws when the last answers said no call is left until later. */
    synchronized void before() {
        Instant now = clock.instant();
        if (now.isBefore(blockedUntil)) {
            throw new SystemRateLimitedException(system + ": no HubSpot API call left " + blockedBy + " (waiting "
                    + Duration.between(now, blockedUntil).toMillis() + " ms, X-HubSpot-RateLimit headers)",
                    Duration.between(now, blockedUntil));
        }
    }

    /** Reads the limit headers of an answer, as it is received. */
    synchronized void after(SystemHttp.Answer answer) {
        Instant receivedAt = clock.instant();
        number(answer, "X-HubSpot-RateLimit-Interval-Milliseconds")
                .filter(ms -> ms > 0).ifPresent(ms -> interval = Duration.ofMillis(ms));
        Optional<Long> remaining = number(answer, "X-HubSpot-RateLimit-Remaining");
        if (remaining.isPresent()) {
            boolean windowOver = !receivedAt.isBefore(windowStart.plus(interval));
            if (lastRemaining == null || windowOver || remaining.get() > lastRemaining) {
                windowStart = receivedAt;
            }
            lastRemaining = remaining.get();
            if (remaining.get() <= 0) {
                block(windowStart.plus(interval), "in this " + interval.toSeconds() + "-second window");
            }
        }
        if (number(answer, "X-HubSpot-RateLimit-Daily-Remaining").filter(n -> n <= 0).isPresent()) {
            block(nextMidnight(), "today (the daily limit resets at midnight " + timeZone + ")");
        }
    }

    /** The exception for a 429: HubSpot's {@code policyName} says whether to wait seconds or a day. */
    synchronized SystemRateLimitedException refused(SystemHttp.Answer answer, String call) {
        String policy = "";
        String message = "";
        try {
            JsonNode body = JSON.readTree(answer.body());
            policy = body.path("policyName").asText("");
            message = body.path("message").asText("");
        } catch (IOException | RuntimeException notJson) {
            // a 429 without HubSpot's body is a secondly limit
        }
        Instant now = clock.instant();
        Instant until;
        if (policy.equalsIgnoreCase("DAILY")) {
            until = nextMidnight();
            block(until, "today (the daily limit resets at midnight " + timeZone + ")");
        } else {
            Optional<Long> retryAfter = answer.header("Retry-After").flatMap(HubSpotRateLimit::parse);
            Instant windowEnd = windowStart.plus(interval);
            // without Retry-After, the window's end as far as it is known, else a whole window
            until = retryAfter.map(s -> now.plusSeconds(Math.max(s, 1)))
                    .orElse(windowEnd.isAfter(now) ? windowEnd : now.plus(interval));
            block(until, "in this window");
        }
        return new SystemRateLimitedException(system + ": HubSpot answered 429 (" + (policy.isEmpty() ? "rate limit"
                : policy) + ") to " + call + (message.isEmpty() ? "" : ": " + message), Duration.between(now, until));
    }

    private void block(Instant until, String why) {
        if (until.isAfter(blockedUntil)) {
            blockedUntil = until;
            blockedBy = why;
        }
    }

    private Instant nextMidnight() {
        LocalDate today = LocalDate.ofInstant(clock.instant(), timeZone);
        return today.plusDays(1).atStartOfDay(timeZone).toInstant();
    }

    private static Optional<Long> number(SystemHttp.Answer answer, String header) {
        return answer.header(header).flatMap(HubSpotRateLimit::parse);
    }

    private static Optional<Long> parse(String text) {
        try {
            return Optional.of(Long.parseLong(text.trim()));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}
