package dev.steward.model;

/**
 * Where something was declared: a workspace-relative file, a 1-based line and column (0 if
 * unknown). Shown as {@code file:line}, the form rule decisions and traces name it by.
 */
public record SourceLocation(String file, int line, int column) {

    public SourceLocation(String file, int line) {
        this(file, line, 0);
    }

    @Override
    public String toString() {
        return line > 0 ? file + ":" + line : file;
    }
}
