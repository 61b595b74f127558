package dev.steward.expr;

import java.math.BigDecimal;
import java.time.DateTimeException;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * A recursive-descent parser for table cells ({@link UnaryTests}) and conditions
 * ({@link Condition}); every error names the line and column where the text goes wrong.
 */
final class Parser {

    static final Set<String> KEYWORDS = Set.of("not", "is", "empty", "matches", "changed", "true", "false", "and", "or");

    private final String text;
    private final Positions positions;
    private final List<Token> tokens;
    private final boolean bareWords;
    private int at;

    /** @param bareWords a word that is no keyword is text ({@code email} for {@code "email"}): for columns of names */
    Parser(String text, Positions positions, boolean bareWords) {
        this.text = text;
        this.positions = positions;
        this.tokens = new Lexer(text, positions).tokens();
        this.bareWords = bareWords;
    }

    UnaryTests cell() {
        if (peek().kind() == Token.Kind.END) {
            throw positions.error(0, "an empty cell; write - for any value");
        }
        UnaryTests tests;
        if (peek().kind() == Token.Kind.DASH && tokens.get(at + 1).kind() == Token.Kind.END) {
            next();
            tests = UnaryTests.ANY;
        } else {
            tests = tests(0);
        }
        expectEnd();
        return tests;
    }

    Condition condition() {
        if (peek().kind() == Token.Kind.END) {
            throw positions.error(0, "an empty condition");
        }
        Condition condition = or();
        expectEnd();
        return condition;
    }

    private Condition or() {
        List<Condition> any = new ArrayList<>(List.of(and()));
        while (peek().is("or")) {
            next();
            any.add(and());
        }
        return any.size() == 1 ? any.getFirst() : new Condition.Or(any);
    }

    private Condition and() {
        List<Condition> all = new ArrayList<>(List.of(unary()));
        while (peek().is("and")) {
            next();
            all.add(unary());
        }
        return all.size() == 1 ? all.getFirst() : new Condition.And(all);
    }

    private Condition unary() {
        Token token = peek();
        if (token.is("not")) {
            next();
            return new Condition.Not(unary());
        }
        if (token.kind() == Token.Kind.LPAREN) {
            next();
            Condition inner = or();
            expect(Token.Kind.RPAREN, "')' to close the '(' at column " + column(token));
            return inner;
        }
        if (token.kind() != Token.Kind.WORD || KEYWORDS.contains(token.text())) {
            throw positions.error(token.offset(), "expected a field name, 'not' or '(', not " + token.describe());
        }
        next();
        int start = peek().offset();
        UnaryTests tests = tests(start);
        return new Condition.Test(token.text(), tests);
    }

    /** {@code [not] test (, test)*}, ending before {@code and}, {@code or}, {@code )} or the end. */
    private UnaryTests tests(int start) {
        boolean negated = false;
        if (peek().is("not") && !tokens.get(at + 1).is("empty")) {
            next();
            negated = true;
        }
        // not ("EMEA", "APAC"): parentheses may group what 'not' negates, unless they open a range (1..5)
        Token open = peek();
        boolean grouped = negated && open.kind() == Token.Kind.LPAREN
                && (at + 2 >= tokens.size() || tokens.get(at + 2).kind() != Token.Kind.DOTS);
        if (grouped) {
            next();
        }
        List<UnaryTest> tests = new ArrayList<>(List.of(test()));
        while (peek().kind() == Token.Kind.COMMA) {
            next();
            tests.add(test());
        }
        if (grouped) {
            expect(Token.Kind.RPAREN, "')' to close the '(' at column " + column(open));
        }
        int end = at < tokens.size() ? peek().offset() : text.length();
        return new UnaryTests(false, negated, tests, text.substring(start, end).strip());
    }

    private UnaryTest test() {
        Token token = next();
        switch (token.kind()) {
            case LT, LE, GT, GE, EQ, NE -> {
                Literal literal = literal(next(), "a value after '" + token.text() + "'");
                UnaryTest.Operator operator = switch (token.kind()) {
                    case LT -> UnaryTest.Operator.LT;
                    case LE -> UnaryTest.Operator.LE;
                    case GT -> UnaryTest.Operator.GT;
                    case GE -> UnaryTest.Operator.GE;
                    case EQ -> UnaryTest.Operator.EQ;
                    default -> UnaryTest.Operator.NE;
                };
                if (operator != UnaryTest.Operator.EQ && operator != UnaryTest.Operator.NE
                        && literal.type() == Literal.Type.BOOLEAN) {
                    throw positions.error(token.offset(), "true and false cannot be compared with '" + token.text() + "'");
                }
                return new UnaryTest.Comparison(operator, literal);
            }
            case LBRACKET, LPAREN, RBRACKET -> {
                return range(token);
            }
            default -> {
            }
        }
        if (token.is("is")) {
            boolean negated = peek().is("not");
            if (negated) {
                next();
            }
            Token empty = next();
            if (!empty.is("empty")) {
                throw positions.error(empty.offset(), "expected 'empty' after '" + (negated ? "is not" : "is")
                        + "', not " + empty.describe());
            }
            return new UnaryTest.Empty(negated);
        }
        if (token.is("not") && peek().is("empty")) {
            throw positions.error(token.offset(), "write 'is not empty'");
        }
        if (token.is("matches")) {
            Token regex = next();
            if (regex.kind() != Token.Kind.STRING) {
                throw positions.error(regex.offset(), "expected a regex in double quotes after 'matches', not " + regex.describe());
            }
            try {
                return new UnaryTest.Matches(regex.text(), Pattern.compile(regex.text()));
            } catch (PatternSyntaxException e) {
                throw positions.error(regex.offset(), "bad regex: " + e.getDescription()
                        + (e.getIndex() >= 0 ? " at character " + (e.getIndex() + 1) + " of the regex" : ""));
            }
        }
        if (token.is("changed")) {
            return new UnaryTest.Changed();
        }
        return new UnaryTest.Comparison(UnaryTest.Operator.EQ, literal(token,
                "a value, a comparison (> 5), a range ([1..5]), 'is empty', 'matches \"regex\"' or 'changed'"));
    }

    private UnaryTest range(Token open) {
        Literal low = literal(next(), "the range's lower end");
        if (low.type() == Literal.Type.BOOLEAN) {
            throw positions.error(open.offset(), "a range needs numbers, dates or text, not true or false");
        }
        expect(Token.Kind.DOTS, "'..' between the range's ends");
        Token highToken = next();
        Literal high = literal(highToken, "the range's upper end");
        if (high.type() != low.type()) {
            throw positions.error(highToken.offset(), "the range's ends must be of one kind: " + low.text() + " and " + high.text());
        }
        Token close = next();
        if (close.kind() != Token.Kind.RBRACKET && close.kind() != Token.Kind.RPAREN && close.kind() != Token.Kind.LBRACKET) {
            throw positions.error(close.offset(), "expected ']' or ')' to close the range, not " + close.describe());
        }
        boolean lowIncluded = open.kind() == Token.Kind.LBRACKET;
        boolean highIncluded = close.kind() == Token.Kind.RBRACKET;
        int order = low.compareTo(high.value());
        if (order < 0 || order == 0 && !(lowIncluded && highIncluded)) {
            throw positions.error(open.offset(), "the range " + text.substring(open.offset(), close.offset() + 1)
                    + " contains no value: its lower end is not below its upper end");
        }
        return new UnaryTest.Range(low, lowIncluded, high, highIncluded);
    }

    private Literal literal(Token token, String expected) {
        try {
            return switch (token.kind()) {
                case STRING -> new Literal(Literal.Type.STRING, token.text(), Text.quote(token.text()));
                case NUMBER -> new Literal(Literal.Type.NUMBER, new BigDecimal(token.text()), token.text());
                case DATE -> new Literal(Literal.Type.DATE, LocalDate.parse(token.text()), token.text());
                case INSTANT -> new Literal(Literal.Type.INSTANT, OffsetDateTime.parse(token.text()).toInstant(), token.text());
                case WORD -> word(token, expected);
                default -> throw positions.error(token.offset(), "expected " + expected + ", not " + token.describe());
            };
        } catch (DateTimeException e) {
            throw positions.error(token.offset(), "'" + token.text() + "' is not a date: " + e.getMessage());
        }
    }

    private Literal word(Token token, String expected) {
        if (token.is("true") || token.is("false")) {
            return new Literal(Literal.Type.BOOLEAN, Boolean.valueOf(token.text()), token.text());
        }
        if (bareWords && !KEYWORDS.contains(token.text())) {
            return new Literal(Literal.Type.STRING, token.text(), token.text());
        }
        if (KEYWORDS.contains(token.text())) {
            throw positions.error(token.offset(), "expected " + expected + ", not " + token.describe());
        }
        throw positions.error(token.offset(), "'" + token.text() + "' is not a value; write text in double quotes: \""
                + token.text() + "\"");
    }

    private Token peek() {
        return tokens.get(at);
    }

    private Token next() {
        Token token = tokens.get(at);
        if (token.kind() != Token.Kind.END) {
            at++;
        }
        return token;
    }

    private void expect(Token.Kind kind, String what) {
        Token token = next();
        if (token.kind() != kind) {
            throw positions.error(token.offset(), "expected " + what + ", not " + token.describe());
        }
    }

    private void expectEnd() {
        Token token = peek();
        if (token.kind() != Token.Kind.END) {
            String hint = token.kind() == Token.Kind.WORD && (token.is("and") || token.is("or"))
                    ? " (a cell lists alternatives with commas; 'and' and 'or' belong in conditions)"
                    : token.kind() == Token.Kind.DASH ? " ('-' alone means any value)" : " (separate alternatives with commas)";
            throw positions.error(token.offset(), "unexpected " + token.describe() + hint);
        }
    }

    private int column(Token token) {
        return positions.error(token.offset(), "").column();
    }
}
