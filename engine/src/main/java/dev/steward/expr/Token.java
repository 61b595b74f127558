package dev.steward.expr;

/** One token of an expression, at its offset in the text. */
record Token(Kind kind, String text, int offset) {

    enum Kind {
        STRING, NUMBER, DATE, INSTANT, WORD, DASH, COMMA, LBRACKET, RBRACKET, LPAREN, RPAREN, DOTS,
        LT, LE, GT, GE, EQ, NE, END
    }

    boolean is(String word) {
        return kind == Kind.WORD && text.equals(word);
    }

    /** How a message names it. */
    String describe() {
        return kind == Kind.END ? "the end" : kind == Kind.STRING ? "'" + Text.quote(text) + "'" : "'" + text + "'";
    }
}
