package dev.steward.expr;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Splits an expression into tokens; a character that starts none is an error at its position. */
final class Lexer {

    private static final Pattern DATE = Pattern.compile(
            "\\d{4}-\\d{2}-\\d{2}(T\\d{2}:\\d{2}(:\\d{2}(\\.\\d{1,9})?)?(Z|[+-]\\d{2}:\\d{2}))?");
    private static final Pattern NUMBER = Pattern.compile("-?\\d+(\\.\\d+)?([eE][+-]?\\d+)?");
    private static final Pattern WORD = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)*");

    private final String text;
    private final Positions positions;

    Lexer(String text, Positions positions) {
        this.text = text;
        this.positions = positions;
    }

    List<Token> tokens() {
        List<Token> tokens = new ArrayList<>();
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
                continue;
            }
            Token token = next(i, c);
            tokens.add(token);
            i += token.kind() == Token.Kind.STRING ? stringLength(i) : token.text().length();
        }
        tokens.add(new Token(Token.Kind.END, "", text.length()));
        return tokens;
    }

    private Token next(int i, char c) {
        Matcher date = DATE.matcher(text).region(i, text.length());
        if (Character.isDigit(c) && date.lookingAt() && !continuesWord(date.end())) {
            return new Token(date.group(1) == null ? Token.Kind.DATE : Token.Kind.INSTANT, date.group(), i);
        }
        Matcher number = NUMBER.matcher(text).region(i, text.length());
        if ((Character.isDigit(c) || c == '-' && i + 1 < text.length() && Character.isDigit(text.charAt(i + 1)))
                && number.lookingAt()) {
            if (continuesWord(number.end())) {
                throw positions.error(i, "'" + word(i) + "' is not a number; write text in double quotes");
            }
            return new Token(Token.Kind.NUMBER, number.group(), i);
        }
        Matcher word = WORD.matcher(text).region(i, text.length());
        if (word.lookingAt()) {
            return new Token(Token.Kind.WORD, word.group(), i);
        }
        if (c == '"') {
            return new Token(Token.Kind.STRING, string(i), i);
        }
        if (c == '\'') {
            throw positions.error(i, "text goes in double quotes (\"…\"), not single quotes");
        }
        String two = text.substring(i, Math.min(i + 2, text.length()));
        return switch (two) {
            case "..", "<=", ">=", "!=" -> new Token(switch (two) {
                case ".." -> Token.Kind.DOTS;
                case "<=" -> Token.Kind.LE;
                case ">=" -> Token.Kind.GE;
                default -> Token.Kind.NE;
            }, two, i);
            default -> switch (c) {
                case '-' -> new Token(Token.Kind.DASH, "-", i);
                case ',' -> new Token(Token.Kind.COMMA, ",", i);
                case '[' -> new Token(Token.Kind.LBRACKET, "[", i);
                case ']' -> new Token(Token.Kind.RBRACKET, "]", i);
                case '(' -> new Token(Token.Kind.LPAREN, "(", i);
                case ')' -> new Token(Token.Kind.RPAREN, ")", i);
                case '<' -> new Token(Token.Kind.LT, "<", i);
                case '>' -> new Token(Token.Kind.GT, ">", i);
                case '=' -> new Token(Token.Kind.EQ, two.equals("==") ? "==" : "=", i);
                default -> throw positions.error(i, "unexpected character '" + c + "'");
            };
        };
    }

    private boolean continuesWord(int end) {
        return end < text.length() && (Character.isLetterOrDigit(text.charAt(end)) || text.charAt(end) == '_');
    }

    private String word(int i) {
        int end = i + 1;
        while (end < text.length() && (Character.isLetterOrDigit(text.charAt(end)) || text.charAt(end) == '_'
                || text.charAt(end) == '.')) {
            end++;
        }
        return text.substring(i, end);
    }

    /** The decoded text of the string literal opening at {@code start}. */
    private String string(int start) {
        StringBuilder out = new StringBuilder();
        int i = start + 1;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c == '"') {
                return out.toString();
            }
            if (c == '\\') {
                if (i + 1 >= text.length()) {
                    break;
                }
                char e = text.charAt(i + 1);
                switch (e) {
                    case '"', '\\' -> out.append(e);
                    case 'n' -> out.append('\n');
                    case 't' -> out.append('\t');
                    // A regex's own escapes (\s, \d, \.) pass through as written.
                    default -> out.append('\\').append(e);
                }
                i += 2;
                continue;
            }
            out.append(c);
            i++;
        }
        throw positions.error(start, "this text has no closing double quote");
    }

    private int stringLength(int start) {
        int i = start + 1;
        while (text.charAt(i) != '"') {
            i += text.charAt(i) == '\\' ? 2 : 1;
        }
        return i + 1 - start;
    }
}
