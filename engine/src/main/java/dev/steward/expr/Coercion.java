package dev.steward.expr;

import java.math.BigDecimal;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Collection;
import java.util.Map;

/**
 * How a record's value is read to compare it with a literal: a payload's {@code "5000"} is the
 * number 5000 when compared with {@code [1000..5000]}, {@code "2024-01-31T10:00:00Z"} is the date
 * 2024-01-31 when compared with {@code >= 2024-01-01}. A value that cannot be read as the
 * literal's type is null, and no comparison with it holds.
 */
final class Coercion {

    private Coercion() {
    }

    static Comparable<?> to(Literal.Type type, Object value) {
        if (value == null || value instanceof Sample) {
            return null;
        }
        return switch (type) {
            case STRING -> text(value);
            case NUMBER -> number(value);
            case DATE -> date(value);
            case INSTANT -> instant(value);
            case BOOLEAN -> bool(value);
        };
    }

    /** The value as text: numbers without exponent or trailing zeros' noise; null for a list or object. */
    static String text(Object value) {
        if (value instanceof String s) {
            return s;
        }
        if (value instanceof BigDecimal d) {
            return d.toPlainString();
        }
        if (value instanceof Number || value instanceof Boolean || value instanceof LocalDate || value instanceof Instant) {
            return value.toString();
        }
        return null;
    }

    static BigDecimal number(Object value) {
        if (value instanceof BigDecimal d) {
            return d;
        }
        if (value instanceof Long || value instanceof Integer || value instanceof Short || value instanceof Byte) {
            return BigDecimal.valueOf(((Number) value).longValue());
        }
        if (value instanceof Double || value instanceof Float) {
            double d = ((Number) value).doubleValue();
            return Double.isFinite(d) ? BigDecimal.valueOf(d) : null;
        }
        if (value instanceof Number n) {
            return parseNumber(n.toString());
        }
        if (value instanceof String s) {
            return parseNumber(s.strip());
        }
        return null;
    }

    private static BigDecimal parseNumber(String text) {
        if (text.isEmpty() || text.length() > 100) {
            return null;
        }
        try {
            return new BigDecimal(text);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    static LocalDate date(Object value) {
        if (value instanceof LocalDate d) {
            return d;
        }
        if (value instanceof Instant i) {
            return i.atOffset(ZoneOffset.UTC).toLocalDate();
        }
        if (!(value instanceof String s)) {
            return null;
        }
        String text = s.strip();
        try {
            if (text.length() == 10) {
                return LocalDate.parse(text);
            }
            if (text.length() > 10 && text.length() < 40) {
                try {
                    return OffsetDateTime.parse(text).toLocalDate();
                } catch (DateTimeException e) {
                    return LocalDateTime.parse(text).toLocalDate();
                }
            }
        } catch (DateTimeException e) {
            return null;
        }
        return null;
    }

    static Instant instant(Object value) {
        if (value instanceof Instant i) {
            return i;
        }
        if (value instanceof String s && s.length() < 40) {
            try {
                return OffsetDateTime.parse(s.strip()).toInstant();
            } catch (DateTimeException e) {
                return null;
            }
        }
        return null;
    }

    static Boolean bool(Object value) {
        if (value instanceof Boolean b) {
            return b;
        }
        if (value instanceof String s) {
            return s.equals("true") ? Boolean.TRUE : s.equals("false") ? Boolean.FALSE : null;
        }
        return null;
    }

    /** Null, blank text, or an empty list or object. */
    static boolean empty(Object value) {
        return value == null || value instanceof String s && s.isBlank()
                || value instanceof Collection<?> c && c.isEmpty() || value instanceof Map<?, ?> m && m.isEmpty();
    }
}
