package dev.steward.host;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/** The replay window of signed deliveries: a signed send time must be close to now. */
final class Timestamps {

    private Timestamps() {
    }

    /** Empty when {@code seconds} (epoch seconds, as text) is within {@code tolerance} of now; otherwise why not. */
    static Optional<String> check(String header, String seconds, Clock clock, Duration tolerance) {
        long sent;
        try {
            sent = Long.parseLong(seconds.trim());
        } catch (NumberFormatException e) {
            return Optional.of(header + " is not a number of seconds");
        }
        Instant now = clock.instant();
        // Decided on whole seconds first: a sent time far out (Long.MAX_VALUE) is no Instant at all.
        if (sent < now.getEpochSecond() - tolerance.toSeconds() - 1) {
            return Optional.of(header + " is more than " + tolerance.toMinutes() + " minutes old (a replay?)");
        }
        if (sent > now.getEpochSecond() + tolerance.toSeconds() + 1) {
            return Optional.of(header + " is more than " + tolerance.toMinutes() + " minutes in the future");
        }
        Duration age = Duration.between(Instant.ofEpochSecond(sent), now);
        if (age.compareTo(tolerance) > 0) {
            return Optional.of(header + " is more than " + tolerance.toMinutes() + " minutes old (a replay?)");
        }
        if (age.negated().compareTo(tolerance) > 0) {
            return Optional.of(header + " is more than " + tolerance.toMinutes() + " minutes in the future");
        }
        return Optional.empty();
    }
}
