package dev.steward.expr;

import java.util.regex.Pattern;

/**
 * One test of a value, as written in a table cell or after a name in a condition: a comparison,
 * a range, {@code is empty}, {@code matches "regex"} or {@code changed}. Immutable; thread-safe.
 */
public sealed interface UnaryTest {

    /**
     * @param value   the value tested (null when the record does not have it)
     * @param changed whether the value tested changed in this event
     */
    boolean test(Object value, boolean changed);

    /** The operator of a comparison; a bare literal is {@code EQ}. */
    enum Operator {
        EQ("="), NE("!="), LT("<"), LE("<="), GT(">"), GE(">=");

        final String symbol;

        Operator(String symbol) {
            this.symbol = symbol;
        }
    }

    /** {@code "EMEA"}, {@code = 5}, {@code != "x"}, {@code > 1000}, {@code <= 2024-12-31}. */
    record Comparison(Operator operator, Literal literal) implements UnaryTest {
        @Override
        public boolean test(Object value, boolean changed) {
            if (operator == Operator.EQ && value instanceof String text && literal.type() == Literal.Type.STRING) {
                return text.equals(literal.value());
            }
            Comparable<?> read = literal.coerce(value);
            if (read == null) {
                return operator == Operator.NE;
            }
            int order = literal.compareTo(read);
            return switch (operator) {
                case EQ -> order == 0;
                case NE -> order != 0;
                case LT -> order < 0;
                case LE -> order <= 0;
                case GT -> order > 0;
                case GE -> order >= 0;
            };
        }

        @Override
        public String toString() {
            return operator == Operator.EQ ? literal.text() : operator.symbol + " " + literal.text();
        }
    }

    /** {@code [1000..5000]} includes both ends; {@code (} or {@code ]} before, {@code )} or {@code [} after, excludes one. */
    record Range(Literal low, boolean lowIncluded, Literal high, boolean highIncluded) implements UnaryTest {
        @Override
        public boolean test(Object value, boolean changed) {
            Comparable<?> read = low.coerce(value);
            if (read == null) {
                return false;
            }
            int fromLow = low.compareTo(read);
            int fromHigh = high.compareTo(read);
            return (lowIncluded ? fromLow >= 0 : fromLow > 0) && (highIncluded ? fromHigh <= 0 : fromHigh < 0);
        }

        @Override
        public String toString() {
            return (lowIncluded ? "[" : "(") + low.text() + ".." + high.text() + (highIncluded ? "]" : ")");
        }
    }

    /** {@code is empty}: null, blank text, an empty list; {@code is not empty}: anything else. */
    record Empty(boolean negated) implements UnaryTest {
        @Override
        public boolean test(Object value, boolean changed) {
            return Coercion.empty(value) != negated;
        }

        @Override
        public String toString() {
            return negated ? "is not empty" : "is empty";
        }
    }

    /**
     * {@code matches "regex"}: the whole value's text matches (Java regex syntax). A match that
     * takes too long (a regex that backtracks without end) fails the evaluation.
     */
    record Matches(String regex, Pattern pattern) implements UnaryTest {
        @Override
        public boolean test(Object value, boolean changed) {
            if (value instanceof Sample sample) {
                return sample.matching().contains(regex);
            }
            String text = Coercion.text(value);
            return text != null && pattern.matcher(new BoundedText(text)).matches();
        }

        @Override
        public String toString() {
            return "matches " + Text.quote(regex);
        }
    }

    /** {@code changed}: the value tested changed in this event. */
    record Changed() implements UnaryTest {
        @Override
        public boolean test(Object value, boolean changed) {
            return changed;
        }

        @Override
        public String toString() {
            return "changed";
        }
    }
}
