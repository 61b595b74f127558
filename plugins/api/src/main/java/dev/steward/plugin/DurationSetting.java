package dev.steward.plugin;

import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a duration setting as users write it in {@code steward.yaml}: {@code 500ms}, {@code 5s},
 * {@code 2m}, {@code 1h}, {@code 3d}, or a plain number of milliseconds. Shared by connectors so
 * that every setting reads durations the same way. Stateless and thread-safe.
 */
public final class DurationSetting {

    private static final Pattern TEXT = Pattern.compile("(\\d{1,9})\\s*(ms|s|m|h|d)?");

    private DurationSetting() {
    }

    /** The duration, or empty when the value is not one (zero and negative values are not). */
    public static Optional<Duration> parse(Object value) {
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
            case "h" -> Duration.ofHours(amount);
            default -> Duration.ofDays(amount);
        });
    }

    /** How a duration reads in messages: {@code 500ms}, {@code 30s}. */
    public static String format(Duration duration) {
        long millis = duration.toMillis();
        return millis % 1000 == 0 ? millis / 1000 + "s" : millis + "ms";
    }
}
