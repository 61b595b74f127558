package dev.steward.connector.jdbc;

import java.util.ArrayList;
import java.util.List;

/**
 * A SQL script split into statements: a statement ends with {@code ;} at the end of a line,
 * so a statement may span lines and a {@code ;} inside a line (a string literal) is left alone.
 */
final class InitScript {

    /** One statement and the line it starts on, for error messages. */
    record Statement(String sql, int line) {
    }

    private InitScript() {
    }

    static List<Statement> split(String script) {
        List<Statement> statements = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        int start = 0;
        String[] lines = script.split("\\R", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            String trimmed = line.strip();
            if (current.isEmpty() && (trimmed.isEmpty() || trimmed.startsWith("--"))) {
                continue;
            }
            if (current.isEmpty()) {
                start = i + 1;
            }
            if (trimmed.endsWith(";")) {
                current.append(line, 0, line.lastIndexOf(';'));
                if (!current.toString().isBlank()) {
                    statements.add(new Statement(current.toString().strip(), start));
                }
                current.setLength(0);
            } else {
                current.append(line).append('\n');
            }
        }
        if (!current.toString().isBlank()) {
            statements.add(new Statement(current.toString().strip(), start));
        }
        return statements;
    }
}
