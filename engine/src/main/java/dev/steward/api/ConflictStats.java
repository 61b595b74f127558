package dev.steward.api;

import java.time.LocalDate;
import java.util.List;

/**
 * The conflicts Steward prevented over a period of UTC days: in total, per entity and field,
 * and per day (every day of the period, zero when nothing happened).
 *
 * @param period {@code day} (today) or {@code week} (the seven days ending today)
 */
public record ConflictStats(String period, LocalDate from, LocalDate to, Counts totals, List<FieldCounts> byField,
                            List<DayCounts> days) {

    /**
     * How many of each kind: changes rejected, fields quarantined, heals written, echoes of
     * Steward's own writes suppressed, fields held by the flip-flop breaker.
     */
    public record Counts(long rejected, long quarantined, long heals, long echoes, long holds) {

        public static final Counts NONE = new Counts(0, 0, 0, 0, 0);

        /** These counts with {@code n} more of the kind labelled {@code kind}. */
        public Counts plus(String kind, long n) {
            return switch (kind) {
                case "rejected" -> new Counts(rejected + n, quarantined, heals, echoes, holds);
                case "quarantined" -> new Counts(rejected, quarantined + n, heals, echoes, holds);
                case "heals" -> new Counts(rejected, quarantined, heals + n, echoes, holds);
                case "echoes" -> new Counts(rejected, quarantined, heals, echoes + n, holds);
                case "holds" -> new Counts(rejected, quarantined, heals, echoes, holds + n);
                default -> throw new IllegalArgumentException("no conflict kind '" + kind + "'");
            };
        }
    }

    /** One field's counts. */
    public record FieldCounts(String entity, String field, Counts counts) {
    }

    /** One day's counts. */
    public record DayCounts(LocalDate day, Counts counts) {
    }
}
