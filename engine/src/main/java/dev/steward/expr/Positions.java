package dev.steward.expr;

/**
 * Turns an offset in an expression's text into a line and column of the file it came from.
 *
 * @param line   the file line of the text's first character (1-based)
 * @param column the file column of the text's first character (1-based)
 */
record Positions(String text, int line, int column) {

    UnparsableExpressionException error(int offset, String problem) {
        int l = line;
        int c = column;
        for (int i = 0; i < offset && i < text.length(); i++) {
            if (text.charAt(i) == '\n') {
                l++;
                c = 1;
            } else {
                c++;
            }
        }
        return new UnparsableExpressionException(l, c, problem);
    }
}
