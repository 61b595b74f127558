package dev.steward.rules;

import dev.steward.expr.Literal;
import dev.steward.expr.Sample;
import dev.steward.expr.UnaryTest;
import dev.steward.expr.UnaryTests;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * One value from each region of a column's values that the column's cells tell apart: every
 * literal, a value below, between and above the numbers and dates the cells compare with,
 * empty, and text that matches each combination of the cells' regexes. A cell's answer is the
 * same for every value of a region, so asking each row about these samples answers for all values.
 */
final class TableSamples {

    /** More regexes in one column than this are not combined (2^n samples); the verifier says so. */
    static final int MAX_REGEXES = 6;

    /** A value to try, whether it changed ({@code changed} cells), and how a message shows it. */
    record Value(Object value, boolean changed, String label) {
    }

    private TableSamples() {
    }

    /**
     * @param closed when not null, the column's only possible values (the table's {@code fields},
     *               the workspace's systems): no other text is sampled
     * @param canBeEmpty whether the column's value can be empty (a change always has a field and a source)
     */
    static List<Value> of(Collection<UnaryTests> cells, Set<String> closed, boolean canBeEmpty) {
        List<UnaryTest> tests = cells.stream().flatMap(c -> c.tests().stream()).toList();
        if (tests.isEmpty()) {
            return List.of(new Value(null, false, "any"));
        }
        List<Value> values = new ArrayList<>();
        if (canBeEmpty) {
            values.add(new Value(null, false, "empty"));
        }
        Set<String> texts = new LinkedHashSet<>();
        TreeSet<BigDecimal> numbers = new TreeSet<>();
        TreeSet<LocalDate> dates = new TreeSet<>();
        TreeSet<Instant> instants = new TreeSet<>();
        boolean booleans = false;
        List<String> regexes = new ArrayList<>();
        for (UnaryTest test : tests) {
            List<Literal> literals = switch (test) {
                case UnaryTest.Comparison c -> List.of(c.literal());
                case UnaryTest.Range r -> List.of(r.low(), r.high());
                case UnaryTest.Matches m -> {
                    if (!regexes.contains(m.regex())) {
                        regexes.add(m.regex());
                    }
                    yield List.of();
                }
                default -> List.of();
            };
            for (Literal literal : literals) {
                switch (literal.type()) {
                    case STRING -> {
                        texts.add((String) literal.value());
                        if (test instanceof UnaryTest.Range || test instanceof UnaryTest.Comparison c
                                && c.operator() != UnaryTest.Operator.EQ && c.operator() != UnaryTest.Operator.NE) {
                            texts.add(literal.value() + "\u0000");
                        }
                    }
                    case NUMBER -> numbers.add(((BigDecimal) literal.value()).stripTrailingZeros());
                    case DATE -> dates.add((LocalDate) literal.value());
                    case INSTANT -> instants.add((Instant) literal.value());
                    case BOOLEAN -> booleans = true;
                }
            }
        }
        if (closed != null) {
            texts = new TreeSet<>(closed);
        }
        texts.forEach(text -> values.add(new Value(text, false, label(text))));
        if (closed == null) {
            numbers(numbers, values);
            dates(dates, values);
            instants(instants, values);
            if (booleans) {
                values.add(new Value(Boolean.TRUE, false, "true"));
                values.add(new Value(Boolean.FALSE, false, "false"));
            }
            regexes(regexes, values);
        }
        if (cells.stream().anyMatch(UnaryTests::usesChanged)) {
            List<Value> both = new ArrayList<>();
            for (Value value : values) {
                both.add(new Value(value.value(), true, value.label() + " (changed)"));
                both.add(new Value(value.value(), false, value.label() + " (unchanged)"));
            }
            return both;
        }
        return values;
    }

    /** Whether a column has more regexes than are combined. */
    static boolean tooManyRegexes(Collection<UnaryTests> cells) {
        return cells.stream().flatMap(c -> c.tests().stream()).filter(t -> t instanceof UnaryTest.Matches)
                .map(t -> ((UnaryTest.Matches) t).regex()).distinct().count() > MAX_REGEXES;
    }

    private static void numbers(TreeSet<BigDecimal> points, List<Value> values) {
        BigDecimal previous = null;
        for (BigDecimal point : points) {
            BigDecimal below = previous == null ? point.subtract(BigDecimal.ONE)
                    : previous.add(point).divide(BigDecimal.TWO, 10, RoundingMode.HALF_UP).stripTrailingZeros();
            values.add(new Value(below, false, below.toPlainString()));
            values.add(new Value(point, false, point.toPlainString()));
            previous = point;
        }
        if (previous != null) {
            BigDecimal above = previous.add(BigDecimal.ONE);
            values.add(new Value(above, false, above.toPlainString()));
        }
    }

    private static void dates(TreeSet<LocalDate> points, List<Value> values) {
        LocalDate previous = null;
        for (LocalDate point : points) {
            long gap = previous == null ? 2 : ChronoUnit.DAYS.between(previous, point);
            if (gap > 1) {
                LocalDate below = previous == null ? point.minusDays(1) : previous.plusDays(gap / 2);
                values.add(new Value(below.toString(), false, below.toString()));
            }
            values.add(new Value(point.toString(), false, point.toString()));
            previous = point;
        }
        if (previous != null) {
            values.add(new Value(previous.plusDays(1).toString(), false, previous.plusDays(1).toString()));
        }
    }

    private static void instants(TreeSet<Instant> points, List<Value> values) {
        Instant previous = null;
        for (Instant point : points) {
            Instant below = previous == null ? point.minusSeconds(1)
                    : previous.plusNanos(ChronoUnit.NANOS.between(previous, point) / 2);
            if (previous == null || below.isAfter(previous)) {
                values.add(new Value(below.toString(), false, below.toString()));
            }
            values.add(new Value(point.toString(), false, point.toString()));
            previous = point;
        }
        if (previous != null) {
            values.add(new Value(previous.plusSeconds(1).toString(), false, previous.plusSeconds(1).toString()));
        }
    }

    /** Text equal to no literal that matches each subset of the regexes; just "other text" without any. */
    private static void regexes(List<String> regexes, List<Value> values) {
        List<String> combined = regexes.size() > MAX_REGEXES ? regexes.subList(0, MAX_REGEXES) : regexes;
        for (int mask = 0; mask < 1 << combined.size(); mask++) {
            Set<String> matching = new LinkedHashSet<>();
            for (int i = 0; i < combined.size(); i++) {
                if ((mask & 1 << i) != 0) {
                    matching.add(combined.get(i));
                }
            }
            String label = matching.isEmpty() ? (combined.isEmpty() ? "other text" : "text matching no regex of the column")
                    : "text matching " + String.join(" and ", matching.stream().map(TableSamples::label).toList());
            values.add(new Value(new Sample(label, matching), false, label));
        }
    }

    private static String label(String text) {
        return "\"" + text.replace("\u0000", "…") + "\"";
    }
}
