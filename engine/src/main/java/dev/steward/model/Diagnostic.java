package dev.steward.model;

/**
 * One problem in a user's file, shown the same way in the CLI, the API and the editor.
 *
 * @param file   the file's path relative to the workspace ({@code flows/crm-customer.yaml})
 * @param line   1-based, or 0 when the problem is about the whole file
 * @param column 1-based, or 0 when unknown
 */
public record Diagnostic(String file, int line, int column, Severity severity, String message) {

    public enum Severity { ERROR, WARNING }

    public static Diagnostic error(String file, int line, int column, String message) {
        return new Diagnostic(file, line, column, Severity.ERROR, message);
    }

    public boolean isError() {
        return severity == Severity.ERROR;
    }

    /** {@code file:line:column: error: message}, the form compilers use. */
    @Override
    public String toString() {
        StringBuilder out = new StringBuilder(file);
        if (line > 0) {
            out.append(':').append(line);
            if (column > 0) {
                out.append(':').append(column);
            }
        }
        return out.append(": ").append(severity.name().toLowerCase(java.util.Locale.ROOT))
                .append(": ").append(message).toString();
    }
}
