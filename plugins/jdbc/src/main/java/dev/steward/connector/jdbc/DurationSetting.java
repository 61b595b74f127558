package dev.steward.connector.jdbc;

import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a duration setting as users write it: {@code 5s}, {@code 500ms}, {@code 2m}, or plain
 * milliseconds. A copy of the http connector's, since plugins share only the SPI.
 */
final class DurationSetting {

    private static final Pattern TEXT = Pattern.compile("(\\d{1,9})\\s*(ms|s|m|h)?");

    private DurationSetting() {
    }

    /** The duration, or empty when the value is not one (zero and negative values are not). */
    static Optional<Duration> parse(Object value) {
        if (value instanceof Number number) {
            long millis = number.longValue();
            return millis > 0 && number.doubleValue() == millis
                    ? Optional.of(Duration.ofMillis(millis)) : Optional.empty();
        }
        Matcher m = TEXT.matcher(String.valueOf(value).trim());
        if (!m.matches()) {
            return Optional.empty();
        }
        long amount = Long.parseLong(m.group(1));
        if (amount == 0) {
            return Optional.empty();
        }
        String unit = m.group(2) == null ? "ms" : m.group(2);
        return Optional.of(switch (unit) {
            case "ms" -> Duration.ofMillis(amount);
            case "s" -> Duration.ofSeconds(amount);
            case "m" -> Duration.ofMinutes(amount);
            default -> Duration.ofHours(amount);
        });
    }

    /** How a duration reads in messages: {@code 500ms}, {@code 30s}. */
    static String format(Duration duration) {
        long millis = duration.toMillis();
        return millis % 1000 == 0 ? millis / 1000 + "s" : millis + "ms";
    }
}
