package dev.steward.plugin;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a size setting as users write it in {@code steward.yaml}: {@code 4MiB}, {@code 512KiB},
 * {@code 1GiB}, {@code 2MB} (powers of 1000), {@code 300B}, or a plain number of bytes. Shared by
 * connectors so that every setting reads sizes the same way. Stateless and thread-safe.
 */
public final class SizeSetting {

    private static final Pattern TEXT = Pattern.compile("(\\d{1,12})\\s*(b|kib|mib|gib|kb|mb|gb)?");

    private SizeSetting() {
    }

    /** The size in bytes, or empty when the value is not one (zero and negative values are not). */
    public static Optional<Long> parse(Object value) {
        if (value instanceof Number number) {
            long bytes = number.longValue();
            return bytes > 0 && number.doubleValue() == bytes ? Optional.of(bytes) : Optional.empty();
        }
        Matcher m = TEXT.matcher(String.valueOf(value).trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            return Optional.empty();
        }
        long amount = Long.parseLong(m.group(1));
        long unit = switch (m.group(2) == null ? "b" : m.group(2)) {
            case "kib" -> 1L << 10;
            case "mib" -> 1L << 20;
            case "gib" -> 1L << 30;
            case "kb" -> 1_000L;
            case "mb" -> 1_000_000L;
            case "gb" -> 1_000_000_000L;
            default -> 1L;
        };
        return amount == 0 ? Optional.empty() : Optional.of(amount * unit);
    }

    /** How a size reads in messages: {@code 4MiB}, {@code 512KiB}, {@code 1500B}. */
    public static String format(long bytes) {
        if (bytes % (1L << 30) == 0) {
            return (bytes >> 30) + "GiB";
        }
        if (bytes % (1L << 20) == 0) {
            return (bytes >> 20) + "MiB";
        }
        if (bytes % (1L << 10) == 0) {
            return (bytes >> 10) + "KiB";
        }
        return bytes + "B";
    }
}
