package dev.steward.connector.js;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Collection;
import java.util.Map;

/**
 * Writes JSON-like Java values as JSON text, which a context turns into plain JavaScript values
 * with one {@code JSON.parse}: cheaper than building objects member by member across the
 * boundary, and the script never sees a host object. Values of other types are written as their
 * {@code toString()}; non-finite numbers as {@code null}, as {@code JSON.stringify} would.
 */
final class JsonText {

    private JsonText() {
    }

    static String of(Object value) {
        StringBuilder out = new StringBuilder(256);
        write(value, out, 0);
        return out.toString();
    }

    private static void write(Object value, StringBuilder out, int depth) {
        if (depth > GuestValues.MAX_DEPTH) {
            throw new IllegalArgumentException("a value nested deeper than " + GuestValues.MAX_DEPTH);
        }
        switch (value) {
            case null -> out.append("null");
            case String s -> string(s, out);
            case Boolean b -> out.append(b);
            case BigDecimal d -> out.append(d);
            case BigInteger i -> out.append(i);
            case Integer i -> out.append(i.intValue());
            case Long l -> out.append(l.longValue());
            case Number n -> {
                double d = n.doubleValue();
                out.append(Double.isFinite(d) ? n.toString() : "null");
            }
            case Map<?, ?> map -> {
                out.append('{');
                boolean first = true;
                for (Map.Entry<?, ?> e : map.entrySet()) {
                    if (!first) {
                        out.append(',');
                    }
                    first = false;
                    string(String.valueOf(e.getKey()), out);
                    out.append(':');
                    write(e.getValue(), out, depth + 1);
                }
                out.append('}');
            }
            case Collection<?> list -> {
                out.append('[');
                boolean first = true;
                for (Object each : list) {
                    if (!first) {
                        out.append(',');
                    }
                    first = false;
                    write(each, out, depth + 1);
                }
                out.append(']');
            }
            default -> string(value.toString(), out);
        }
    }

    private static void string(String s, StringBuilder out) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
