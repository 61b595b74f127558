package dev.steward.expr;

/**
 * Steward's own small expression language, the one decision tables and flow conditions are
 * written in: literals, comparisons, ranges, lists, {@code -}, {@code is empty},
 * {@code matches "regex"} and {@code changed}. No calls and no free code, so whatever a user
 * writes can only compare values.
 *
 * <p>Parsing is the only entry point: give the text and where it starts in its file, and an
 * error names the file line and column where it goes wrong. The results are immutable and
 * thread-safe; evaluating them needs only the values ({@link UnaryTests#test},
 * {@link Condition#evaluate}).
 */
public final class Expressions {

    private Expressions() {
    }

    /**
     * A table cell.
     *
     * @param line      the file line of the text's first character (1-based)
     * @param column    the file column of the text's first character (1-based)
     * @param bareWords whether a word that is no keyword is text ({@code email} for {@code "email"}),
     *                  for columns whose values are names
     * @throws UnparsableExpressionException at the line and column of the problem
     */
    public static UnaryTests cell(String text, int line, int column, boolean bareWords) {
        return new Parser(text, new Positions(text, line, column), bareWords).cell();
    }

    /** A cell on its own (line 1, column 1), names as text not allowed. */
    public static UnaryTests cell(String text) {
        return cell(text, 1, 1, false);
    }

    /**
     * A condition: comparisons {@code name tests} joined by {@code and}, {@code or}, {@code not}
     * and parentheses ({@code region "EMEA", "APAC" and creditLimit > 1000}).
     *
     * @throws UnparsableExpressionException at the line and column of the problem
     */
    public static Condition condition(String text, int line, int column) {
        return new Parser(text, new Positions(text, line, column), false).condition();
    }

    public static Condition condition(String text) {
        return condition(text, 1, 1);
    }
}
