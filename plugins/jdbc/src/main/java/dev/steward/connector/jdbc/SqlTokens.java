package dev.steward.connector.jdbc;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Splits SQL text into tokens the way H2, PostgreSQL and SQLite read it: comments are dropped,
 * string literals become one token each, quoted identifiers become words. Where those databases
 * disagree on what is a comment or a string (nested block comments, backslash escapes in
 * {@code E'...'}), the text is refused rather than guessed at, so that a script cannot hide a
 * statement from the check behind a spelling one database reads differently. Stateless.
 */
final class SqlTokens {

    /** DOLLAR is {@code $$...$$} or {@code $tag$...$tag$} text: a string to PostgreSQL, code to others. */
    enum Kind { WORD, QUOTED_WORD, STRING, DOLLAR, SYMBOL }

    /** One token; {@code text} of a word is upper-cased, of a string its contents. */
    record Token(Kind kind, String text, int line, int column) {

        boolean isWord(String upper) {
            return (kind == Kind.WORD || kind == Kind.QUOTED_WORD) && text.equals(upper);
        }

        boolean isSymbol(char c) {
            return kind == Kind.SYMBOL && text.length() == 1 && text.charAt(0) == c;
        }
    }

    /** Text that cannot be split safely, at its line and column. */
    static final class Unreadable extends Exception {
        final int line;
        final int column;

        Unreadable(String message, int line, int column) {
            super(message, null, false, false);
            this.line = line;
            this.column = column;
        }
    }

    private final String sql;
    private int pos;
    private int line = 1;
    private int lineStart;

    private SqlTokens(String sql) {
        this.sql = sql;
    }

    static List<Token> of(String sql) throws Unreadable {
        return new SqlTokens(sql).all();
    }

    private List<Token> all() throws Unreadable {
        List<Token> tokens = new ArrayList<>();
        while (pos < sql.length()) {
            char c = sql.charAt(pos);
            int startLine = line;
            int startColumn = pos - lineStart + 1;
            if (c == '\n') {
                newline(pos);
                pos++;
            } else if (Character.isWhitespace(c)) {
                pos++;
            } else if (c == '-' && next(1) == '-') {
                while (pos < sql.length() && sql.charAt(pos) != '\n') {
                    pos++;
                }
            } else if (c == '/' && next(1) == '/') {
                // H2 reads // as a comment, PostgreSQL and SQLite do not: refused rather than guessed
                throw new Unreadable("// is a comment to H2 only: use -- for comments", startLine, startColumn);
            } else if (c == '/' && next(1) == '*') {
                blockComment(startLine, startColumn);
            } else if (c == '\'') {
                tokens.add(new Token(Kind.STRING, quoted('\'', startLine, startColumn, false), startLine, startColumn));
            } else if ((c == 'E' || c == 'e') && next(1) == '\'') {
                pos++;
                tokens.add(new Token(Kind.STRING, quoted('\'', startLine, startColumn, true), startLine, startColumn));
            } else if (c == '"' || c == '`') {
                tokens.add(new Token(Kind.QUOTED_WORD, quoted(c, startLine, startColumn, false).toUpperCase(Locale.ROOT),
                        startLine, startColumn));
            } else if (c == '[') {
                bracket(startLine, startColumn);
                tokens.add(new Token(Kind.SYMBOL, "[", startLine, startColumn));
                pos++;
            } else if (c == '$' && dollarTag() != null) {
                tokens.add(new Token(Kind.DOLLAR, dollarQuoted(startLine, startColumn), startLine, startColumn));
            } else if (Character.isLetter(c) || c == '_') {
                int start = pos;
                while (pos < sql.length() && (Character.isLetterOrDigit(sql.charAt(pos)) || sql.charAt(pos) == '_'
                        || sql.charAt(pos) == '$')) {
                    pos++;
                }
                tokens.add(new Token(Kind.WORD, sql.substring(start, pos).toUpperCase(Locale.ROOT), startLine, startColumn));
            } else {
                tokens.add(new Token(Kind.SYMBOL, String.valueOf(c), startLine, startColumn));
                pos++;
            }
        }
        return tokens;
    }

    private char next(int ahead) {
        return pos + ahead < sql.length() ? sql.charAt(pos + ahead) : '\0';
    }

    private void newline(int at) {
        line++;
        lineStart = at + 1;
    }

    private void blockComment(int startLine, int startColumn) throws Unreadable {
        pos += 2;
        while (pos < sql.length()) {
            char c = sql.charAt(pos);
            if (c == '*' && next(1) == '/') {
                pos += 2;
                return;
            }
            if (c == '/' && next(1) == '*') {
                // PostgreSQL nests block comments, H2 and SQLite do not: refused rather than guessed
                throw new Unreadable("a block comment inside a block comment: databases disagree where it ends",
                        line, pos - lineStart + 1);
            }
            if (c == '\n') {
                newline(pos);
            }
            pos++;
        }
        throw new Unreadable("a /* comment that is never closed", startLine, startColumn);
    }

    private String quoted(char close, int startLine, int startColumn, boolean escapes) throws Unreadable {
        pos++;
        StringBuilder text = new StringBuilder();
        while (pos < sql.length()) {
            char c = sql.charAt(pos);
            if (c == '\\' && escapes) {
                // PostgreSQL reads E'\'' as a quote, H2 as the end of the string: refused rather than guessed
                throw new Unreadable("a backslash in an E'...' string: databases disagree on where it ends",
                        line, pos - lineStart + 1);
            }
            if (c == close) {
                if (next(1) == close && close != ']') {
                    text.append(c);
                    pos += 2;
                    continue;
                }
                pos++;
                return text.toString();
            }
            if (c == '\n') {
                newline(pos);
            }
            text.append(c);
            pos++;
        }
        throw new Unreadable((close == '\'' ? "a string" : "a quoted name") + " that is never closed",
                startLine, startColumn);
    }

    /**
     * SQLite reads {@code [name]} as a quoted name, PostgreSQL as a subscript holding code: its
     * contents are read as code, and refused where the two readings could end in different places.
     */
    private void bracket(int startLine, int startColumn) throws Unreadable {
        int close = sql.indexOf(']', pos);
        String inside = close < 0 ? sql.substring(pos + 1) : sql.substring(pos + 1, close);
        if (close < 0 || inside.chars().anyMatch(ch -> "'\"`$-/;\n[".indexOf(ch) >= 0)) {
            throw new Unreadable("a [...] that holds quotes, comment marks or line breaks: databases read it differently",
                    startLine, startColumn);
        }
    }

    /** The tag of a dollar quote starting here ({@code $$} or {@code $name$}), or null. */
    private String dollarTag() {
        int end = pos + 1;
        while (end < sql.length() && (Character.isLetterOrDigit(sql.charAt(end)) || sql.charAt(end) == '_')) {
            end++;
        }
        if (end < sql.length() && sql.charAt(end) == '$' && (end == pos + 1 || !Character.isDigit(sql.charAt(pos + 1)))) {
            return sql.substring(pos, end + 1);
        }
        return null;
    }

    private String dollarQuoted(int startLine, int startColumn) throws Unreadable {
        String tag = dollarTag();
        int close = sql.indexOf(tag, pos + tag.length());
        if (close < 0) {
            throw new Unreadable("a " + tag + " quoted text that is never closed", startLine, startColumn);
        }
        String body = sql.substring(pos + tag.length(), close);
        for (int i = pos; i < close + tag.length(); i++) {
            if (sql.charAt(i) == '\n') {
                newline(i);
            }
        }
        pos = close + tag.length();
        return body;
    }
}
