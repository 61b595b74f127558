package dev.steward.run;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * Compares record versions as systems send them: numbers (a version counter, epoch millis) by
 * value, ISO-8601 timestamps by instant, anything else as text.
 */
final class Versions {

    private Versions() {
    }

    /** Negative when {@code a} is older than {@code b}; both are canonical JSON texts. */
    static int compare(String a, String b) {
        Optional<BigDecimal> na = number(a);
        Optional<BigDecimal> nb = number(b);
        if (na.isPresent() && nb.isPresent()) {
            return na.get().compareTo(nb.get());
        }
        Optional<Instant> ta = instant(a);
        Optional<Instant> tb = instant(b);
        if (ta.isPresent() && tb.isPresent()) {
            return ta.get().compareTo(tb.get());
        }
        return a.compareTo(b);
    }

    /**
     * A version as a connector reports it (an opaque string), as canonical JSON comparable with
     * the versions deliveries carry; empty when it has no order (an ETag hash is not "later").
     */
    static Optional<String> fromConnector(String version) {
        Optional<BigDecimal> number = number(version.trim());
        if (number.isPresent()) {
            return Optional.of(Values.canonical(Values.toNode(number.get())));
        }
        String quoted = Values.canonical(Values.toNode(version));
        return instant(quoted).isPresent() ? Optional.of(quoted) : Optional.empty();
    }

    private static Optional<BigDecimal> number(String json) {
        try {
            return Optional.of(new BigDecimal(json));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static Optional<Instant> instant(String json) {
        if (json.length() < 3 || !json.startsWith("\"")) {
            return Optional.empty();
        }
        String text = json.substring(1, json.length() - 1);
        try {
            return Optional.of(OffsetDateTime.parse(text).toInstant());
        } catch (DateTimeParseException e) {
            try {
                return Optional.of(Instant.parse(text));
            } catch (DateTimeParseException again) {
                return Optional.empty();
            }
        }
    }
}
