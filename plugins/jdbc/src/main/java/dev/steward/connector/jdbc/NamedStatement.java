package dev.steward.connector.jdbc;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A statement a jdbc system declares under {@code statements:} for flows' {@code call} steps,
 * with {@code :name} parameters: the SQL sent with {@code ?} in their place, and the names in
 * order. Text in quotes and comments is left alone, and a PostgreSQL cast ({@code ::int}) is no
 * parameter. Immutable.
 *
 * @param name the statement's name, the call's action
 * @param sql  the SQL with {@code ?} placeholders
 * @param parameters the parameter names, one per placeholder, in order
 */
record NamedStatement(String name, String sql, List<String> parameters) {

    NamedStatement {
        parameters = List.copyOf(parameters);
    }

    /** The statement, or why it cannot be used: empty, several statements, or an unclosed quote or comment. */
    static NamedStatement parse(String name, String text) throws IllegalArgumentException {
        String sql = text.strip();
        if (sql.endsWith(";")) {
            sql = sql.substring(0, sql.length() - 1).strip();
        }
        if (sql.isEmpty()) {
            throw new IllegalArgumentException("the statement is empty");
        }
        StringBuilder out = new StringBuilder(sql.length());
        List<String> parameters = new ArrayList<>();
        int i = 0;
        while (i < sql.length()) {
            char c = sql.charAt(i);
            if (c == '\'' || c == '"') {
                int end = sql.indexOf(c, i + 1);
                while (end > 0 && end + 1 < sql.length() && sql.charAt(end + 1) == c) {
                    end = sql.indexOf(c, end + 2);
                }
                if (end < 0) {
                    throw new IllegalArgumentException("a " + (c == '\'' ? "string" : "quoted name") + " is not closed");
                }
                out.append(sql, i, end + 1);
                i = end + 1;
            } else if (c == '-' && sql.startsWith("--", i)) {
                int end = sql.indexOf('\n', i);
                i = end < 0 ? sql.length() : end;
            } else if (c == '/' && sql.startsWith("/*", i)) {
                int end = sql.indexOf("*/", i + 2);
                if (end < 0) {
                    throw new IllegalArgumentException("a /* comment is not closed");
                }
                out.append(' ');
                i = end + 2;
            } else if (c == ';') {
                throw new IllegalArgumentException("a named statement is one statement; it has a ';' in the middle");
            } else if (c == ':' && i + 1 < sql.length() && sql.charAt(i + 1) == ':') {
                out.append("::");
                i += 2;
            } else if (c == ':' && i + 1 < sql.length() && (Character.isLetter(sql.charAt(i + 1)) || sql.charAt(i + 1) == '_')) {
                int end = i + 1;
                while (end < sql.length() && (Character.isLetterOrDigit(sql.charAt(end)) || sql.charAt(end) == '_')) {
                    end++;
                }
                parameters.add(sql.substring(i + 1, end));
                out.append('?');
                i = end;
            } else {
                out.append(c);
                i++;
            }
        }
        return new NamedStatement(name, out.toString(), parameters);
    }

    /** The first parameter that is neither in the input nor {@code idempotencyKey}, if any. */
    Optional<String> missing(java.util.Map<String, Object> input) {
        return parameters.stream().filter(p -> !input.containsKey(p) && !p.equals(IDEMPOTENCY_KEY)).findFirst();
    }

    /** The parameter bound to the call's idempotency key unless the input gives it. */
    static final String IDEMPOTENCY_KEY = "idempotencyKey";
}
