package dev.steward.expr;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The values of a flow's {@code call} input and {@code sync} fields: text in which
 * {@code ${payload.path}}, {@code ${fields.name}}, {@code ${steps.name.path}} and {@code ${key}}
 * are replaced by the event's values. No code: a reference only names a value. A string that is
 * one reference and nothing else takes the value with its type (a number stays a number, an
 * object an object); a reference inside other text is written as text. Maps and lists are
 * rendered value by value. Stateless.
 */
public final class Template {

    /** Where a reference may point: the payload, the canonical fields, earlier steps' results, the key. */
    public static final List<String> ROOTS = List.of("payload", "fields", "steps", "key");

    private static final Pattern REFERENCE = Pattern.compile("\\$\\{([^}]*)}");
    private static final Pattern PATH = Pattern.compile("[A-Za-z_][A-Za-z0-9_-]*(\\.[A-Za-z0-9_-]+)*");

    /**
     * A {@code ${...}} reference: its root ({@code payload}, {@code fields}, {@code steps},
     * {@code key}) and the dotted parts after it.
     */
    public record Reference(String root, List<String> path, String text) {
        public Reference {
            path = List.copyOf(path);
        }
    }

    private Template() {
    }

    /**
     * The references in a text, checked: each names a known root and a dotted path.
     *
     * @throws UnparsableExpressionException at the reference's column (1-based, within the text)
     */
    public static List<Reference> references(String text) {
        List<Reference> out = new ArrayList<>();
        Matcher m = REFERENCE.matcher(text);
        while (m.find()) {
            out.add(reference(m.group(1).strip(), m.start() + 1));
        }
        int open = text.indexOf("${");
        while (open >= 0) {
            if (text.indexOf('}', open) < 0) {
                throw new UnparsableExpressionException(1, open + 1, "'${' without its closing '}'");
            }
            open = text.indexOf("${", open + 2);
        }
        return out;
    }

    private static Reference reference(String inner, int column) {
        if (inner.startsWith("env:")) {
            throw new UnparsableExpressionException(1, column, "${" + inner + "}: environment variables are read when"
                    + " the file loads; this one is not set");
        }
        if (!PATH.matcher(inner).matches()) {
            throw new UnparsableExpressionException(1, column, "'${" + inner + "}' is not a reference: write"
                    + " ${payload.path}, ${fields.name}, ${steps.name.path} or ${key}");
        }
        List<String> parts = List.of(inner.split("\\."));
        String root = parts.getFirst();
        if (!ROOTS.contains(root)) {
            throw new UnparsableExpressionException(1, column, "'${" + inner + "}' starts with '" + root
                    + "'; a reference starts with payload, fields, steps or key");
        }
        List<String> path = parts.subList(1, parts.size());
        if (root.equals("key") && !path.isEmpty()) {
            throw new UnparsableExpressionException(1, column, "${key} is the record's key and has no parts");
        }
        if (!root.equals("key") && path.isEmpty()) {
            throw new UnparsableExpressionException(1, column, "${" + root + "} needs a name after it, like ${"
                    + root + (root.equals("steps") ? ".order.id" : ".email") + "}");
        }
        if (root.equals("fields") && path.size() != 1) {
            throw new UnparsableExpressionException(1, column, "${" + inner + "}: a canonical field is one name, like ${fields.email}");
        }
        return new Reference(root, path, "${" + inner + "}");
    }

    /**
     * Every reference in a value (a string, or maps and lists of them), in order.
     *
     * @throws UnparsableExpressionException for the first that does not parse
     */
    public static List<Reference> referencesIn(Object value) {
        List<Reference> out = new ArrayList<>();
        collect(value, out);
        return out;
    }

    private static void collect(Object value, List<Reference> out) {
        if (value instanceof String text) {
            out.addAll(references(text));
        } else if (value instanceof Map<?, ?> map) {
            map.values().forEach(v -> collect(v, out));
        } else if (value instanceof List<?> list) {
            list.forEach(v -> collect(v, out));
        }
    }

    /**
     * The value with every reference replaced by what {@code resolve} gives for it (plain Java
     * values: strings, numbers, booleans, maps, lists, null).
     */
    public static Object render(Object value, Function<Reference, Object> resolve) {
        if (value instanceof String text) {
            return renderText(text, resolve);
        }
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> out = new LinkedHashMap<>();
            map.forEach((k, v) -> out.put(String.valueOf(k), render(v, resolve)));
            return out;
        }
        if (value instanceof List<?> list) {
            List<Object> out = new ArrayList<>();
            list.forEach(v -> out.add(render(v, resolve)));
            return out;
        }
        return value;
    }

    private static Object renderText(String text, Function<Reference, Object> resolve) {
        if (!text.contains("${")) {
            return text;
        }
        Matcher m = REFERENCE.matcher(text);
        if (m.matches()) {
            return resolve.apply(reference(m.group(1).strip(), 1));
        }
        StringBuilder out = new StringBuilder();
        m.reset();
        while (m.find()) {
            Object resolved = resolve.apply(reference(m.group(1).strip(), m.start() + 1));
            m.appendReplacement(out, Matcher.quoteReplacement(asText(resolved)));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static String asText(Object value) {
        if (value == null) {
            return "";
        }
        if (value instanceof BigDecimal decimal) {
            return decimal.stripTrailingZeros().toPlainString();
        }
        return String.valueOf(value);
    }
}
