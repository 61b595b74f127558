package dev.steward.model;

/** Where something was declared: a workspace-relative file and a 1-based line (0 if unknown). */
public record SourceLocation(String file, int line) {

    @Override
    public String toString() {
        return line > 0 ? file + ":" + line : file;
    }
}
