package dev.steward.expr;

import dev.steward.StewardException;

/**
 * An expression that does not parse, with where: a 1-based line and column in the file the text
 * came from (the origin given to {@link Expressions}).
 */
public final class UnparsableExpressionException extends StewardException {

    private final int line;
    private final int column;
    private final String problem;

    public UnparsableExpressionException(int line, int column, String problem) {
        super(line + ":" + column + ": " + problem);
        this.line = line;
        this.column = column;
        this.problem = problem;
    }

    public int line() {
        return line;
    }

    public int column() {
        return column;
    }

    /** The message without its position. */
    public String problem() {
        return problem;
    }
}
