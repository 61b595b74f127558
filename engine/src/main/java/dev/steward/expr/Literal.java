package dev.steward.expr;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Objects;

/**
 * A constant in an expression: a string ({@code "EMEA"}), a number ({@code 5000}, {@code -2.5}),
 * a date ({@code 2024-01-31}), an instant ({@code 2024-01-31T09:00:00Z}) or a boolean. Immutable.
 *
 * @param value a {@link String}, {@link BigDecimal}, {@link LocalDate}, {@link Instant} or {@link Boolean}
 * @param text  the literal as written, for messages
 */
public record Literal(Type type, Comparable<?> value, String text) {

    /** What kind of constant, and so how a value is read to compare with it. */
    public enum Type { STRING, NUMBER, DATE, INSTANT, BOOLEAN }

    public Literal {
        Objects.requireNonNull(type);
        Objects.requireNonNull(value);
    }

    public static Literal of(String value) {
        return new Literal(Type.STRING, value, Text.quote(value));
    }

    public static Literal of(BigDecimal value) {
        return new Literal(Type.NUMBER, value, value.toPlainString());
    }

    /** The value compared with this literal: {@code value} read as this literal's type, or null if it cannot be. */
    Comparable<?> coerce(Object value) {
        return Coercion.to(type, value);
    }

    /** -1, 0 or 1; the other value must be of this literal's type. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    int compareTo(Comparable<?> other) {
        return Integer.signum(((Comparable) other).compareTo(value));
    }

    @Override
    public String toString() {
        return text;
    }
}
