package dev.steward.expr;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Every construct of the expression language, how it evaluates, and where its errors point. */
class ExpressionsTest {

    private static boolean test(String cell, Object value) {
        return Expressions.cell(cell).test(value, false);
    }

    @Test
    void aDashIsAnyValueEvenEmpty() {
        UnaryTests any = Expressions.cell(" - ");
        assertThat(any.any()).isTrue();
        assertThat(any.test(null, false)).isTrue();
        assertThat(any.test("x", false)).isTrue();
    }

    @Test
    void literalsCompareByTheirKind() {
        assertThat(test("\"EMEA\"", "EMEA")).isTrue();
        assertThat(test("\"EMEA\"", "emea")).isFalse();
        assertThat(test("5000", 5000L)).isTrue();
        assertThat(test("5000", new BigDecimal("5000.00"))).isTrue();
        assertThat(test("5000", "5000")).as("text that is a number").isTrue();
        assertThat(test("-2.5", -2.5d)).isTrue();
        assertThat(test("2024-01-31", "2024-01-31")).isTrue();
        assertThat(test("2024-01-31", "2024-01-31T23:00:00Z")).as("a timestamp's date").isTrue();
        assertThat(test("2024-01-31T09:00:00Z", "2024-01-31T10:00:00+01:00")).as("the same instant").isTrue();
        assertThat(test("true", true)).isTrue();
        assertThat(test("true", "true")).isTrue();
        assertThat(test("false", true)).isFalse();
        assertThat(test("5000", "lots")).as("text that is no number").isFalse();
        assertThat(test("5000", null)).isFalse();
    }

    @ParameterizedTest
    @CsvSource({
            "'> 1000', 1001, true", "'> 1000', 1000, false", "'>= 1000', 1000, true", "'< 0', -1, true",
            "'<= 0', 0, true", "'= 7', 7, true", "'== 7', 7, true", "'!= 7', 8, true", "'!= 7', 7, false",
            "'> 2024-01-01', 2024-06-30, true", "'< \"M\"', Ann, true", "'< \"M\"', Zoe, false"})
    void comparisons(String cell, String value, boolean expected) {
        assertThat(test(cell, value)).isEqualTo(expected);
    }

    @Test
    void notEqualHoldsForAnEmptyValueAndTheOtherComparisonsDoNot() {
        assertThat(test("!= 7", null)).isTrue();
        assertThat(test("> 7", null)).isFalse();
        assertThat(test("< 7", "")).isFalse();
    }

    @ParameterizedTest
    @CsvSource({
            "'[1000..5000]', 1000, true", "'[1000..5000]', 5000, true", "'[1000..5000]', 999.99, false",
            "'(1000..5000)', 1000, false", "'(1000..5000)', 4999, true", "']1000..5000[', 5000, false",
            "'[1000..5000)', 5000, false", "'[2024-01-01..2024-12-31]', 2024-07-01, true",
            "'[2024-01-01..2024-12-31]', 2025-01-01, false", "'[\"a\"..\"c\"]', b, true"})
    void ranges(String cell, String value, boolean expected) {
        assertThat(test(cell, value)).isEqualTo(expected);
    }

    @Test
    void aListHoldsWhenAnyOfItsTestsDoes() {
        UnaryTests regions = Expressions.cell("\"EMEA\", \"APAC\"");
        assertThat(regions.test("APAC", false)).isTrue();
        assertThat(regions.test("AMER", false)).isFalse();
        assertThat(test("< 0, > 100", 101)).isTrue();
        assertThat(test("< 0, > 100", 50)).isFalse();
    }

    @Test
    void notNegatesTheWholeCell() {
        assertThat(test("not \"EMEA\", \"APAC\"", "AMER")).isTrue();
        assertThat(test("not \"EMEA\", \"APAC\"", "APAC")).isFalse();
        assertThat(test("not (\"EMEA\", \"APAC\")", "APAC")).isFalse();
        assertThat(test("not (1..5)", 3)).as("parentheses that open a range").isFalse();
        assertThat(test("not (1..5)", 5)).isTrue();
        assertThat(test("not [0..100]", null)).as("empty is outside every range").isTrue();
        assertThat(test("not (is empty, [0..100])", null)).isFalse();
    }

    @Test
    void emptinessAndRegexes() {
        assertThat(test("is empty", null)).isTrue();
        assertThat(test("is empty", "  ")).isTrue();
        assertThat(test("is empty", List.of())).isTrue();
        assertThat(test("is empty", Map.of())).isTrue();
        assertThat(test("is empty", 0)).isFalse();
        assertThat(test("is not empty", "x")).isTrue();
        assertThat(test("matches \"[^@\\s]+@[^@\\s]+\"", "ann@example.com")).isTrue();
        assertThat(test("matches \"[^@\\s]+@[^@\\s]+\"", "ann at example.com")).isFalse();
        assertThat(test("matches \"\\d+\"", 42L)).as("a number's text").isTrue();
        assertThat(test("matches \"a\"", "banana")).as("the whole value must match").isFalse();
        assertThat(test("matches \"a\"", null)).isFalse();
        assertThat(test("not matches \"a.*\"", "banana")).isTrue();
    }

    @Test
    void changedAsksTheCaller() {
        UnaryTests changed = Expressions.cell("changed");
        assertThat(changed.usesChanged()).isTrue();
        assertThat(changed.test("x", true)).isTrue();
        assertThat(changed.test("x", false)).isFalse();
        assertThat(Expressions.cell("not changed").test("x", false)).isTrue();
    }

    @Test
    void aRegexThatBacktracksWithoutEndFailsInsteadOfHoldingTheThread() {
        UnaryTests evil = Expressions.cell("matches \"(.*a){12}\"");
        assertThatThrownBy(() -> evil.test("a".repeat(40) + "b", false)).isInstanceOf(RegexTooCostlyException.class)
                .hasMessageContaining("backtracks");
    }

    @Test
    void namesAreTextOnlyWhereTheCallerAllows() {
        assertThat(Expressions.cell("email, phone", 1, 1, true).test("phone", true)).isTrue();
        assertThatThrownBy(() -> Expressions.cell("EMEA")).isInstanceOf(UnparsableExpressionException.class)
                .hasMessage("1:1: 'EMEA' is not a value; write text in double quotes: \"EMEA\"");
    }

    @Test
    void conditionsJoinNamedTestsWithAndOrNot() {
        Condition condition = Expressions.condition("region \"EMEA\", \"APAC\" and (creditLimit > 1000 or vip true)"
                + " and not (email is empty)");
        Lookup emea = Map.<String, Object>of("region", "EMEA", "creditLimit", 5000, "email", "a@b.c")::get;
        Lookup small = Map.<String, Object>of("region", "EMEA", "creditLimit", 10, "email", "a@b.c")::get;
        Lookup vip = Map.<String, Object>of("region", "APAC", "creditLimit", 10, "vip", true, "email", "a@b.c")::get;
        Lookup noEmail = Map.<String, Object>of("region", "EMEA", "creditLimit", 5000)::get;

        assertThat(condition.evaluate(emea)).isTrue();
        assertThat(condition.evaluate(small)).isFalse();
        assertThat(condition.evaluate(vip)).isTrue();
        assertThat(condition.evaluate(noEmail)).isFalse();
        assertThat(Expressions.condition("status changed").evaluate(new Lookup() {
            public Object value(String name) {
                return "Won";
            }

            public boolean changed(String name) {
                return name.equals("status");
            }
        })).isTrue();
        assertThat(Expressions.condition("amount [1..5]").evaluate(name -> null)).isFalse();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "''| 1:1: an empty cell; write - for any value",
            "> | 1:2: expected a value after '>', not the end",
            "[1..| 1:5: expected the range's upper end, not the end",
            "[5000..1000]| 1:1: the range [5000..1000] contains no value: its lower end is not below its upper end",
            "(5..5)| 1:1: the range (5..5) contains no value: its lower end is not below its upper end",
            "[1..\"z\"]| 1:5: the range's ends must be of one kind: 1 and \"z\"",
            "[1..5}| 1:6: unexpected character '}'",
            "\"EMEA\" \"APAC\"| 1:8: unexpected '\"APAC\"' (separate alternatives with commas)",
            "\"open| 1:1: this text has no closing double quote",
            "matches \"[a-\"| 1:9: bad regex: Illegal character range at character 4 of the regex",
            "matches x| 1:9: expected a regex in double quotes after 'matches', not 'x'",
            "is full| 1:4: expected 'empty' after 'is', not 'full'",
            "> true| 1:1: true and false cannot be compared with '>'",
            "2024-13-01| 1:1: '2024-13-01' is not a date: Text '2024-13-01' could not be parsed: Invalid value for MonthOfYear (valid values 1 - 12): 13",
            "12abc| 1:1: '12abc' is not a number; write text in double quotes",
            "> 5 and < 9| 1:5: unexpected 'and' (a cell lists alternatives with commas; 'and' and 'or' belong in conditions)",
            "not (1, 2| 1:10: expected ')' to close the '(' at column 5, not the end"})
    void errorsSayWhereTheCellGoesWrong(String cell, String message) {
        assertThatThrownBy(() -> Expressions.cell(cell)).isInstanceOf(UnparsableExpressionException.class)
                .hasMessage(message);
    }

    @Test
    void singleQuotesAreNotText() {
        assertThatThrownBy(() -> Expressions.cell("x, 'single'", 1, 1, true))
                .hasMessage("1:4: text goes in double quotes (\"…\"), not single quotes");
    }

    @Test
    void errorPositionsAreTheFilesLineAndColumn() {
        assertThatThrownBy(() -> Expressions.cell("[1..x]", 12, 10, false))
                .isInstanceOfSatisfying(UnparsableExpressionException.class, e -> {
                    assertThat(e.line()).isEqualTo(12);
                    assertThat(e.column()).isEqualTo(14);
                    assertThat(e.problem()).isEqualTo("'x' is not a value; write text in double quotes: \"x\"");
                });
        assertThatThrownBy(() -> Expressions.condition("a > 1 and\n  b ?", 3, 5))
                .hasMessage("4:5: unexpected character '?'");
        assertThatThrownBy(() -> Expressions.condition("a > 1 b"))
                .hasMessage("1:7: unexpected 'b' (separate alternatives with commas)");
        assertThatThrownBy(() -> Expressions.condition("(a > 1"))
                .hasMessage("1:7: expected ')' to close the '(' at column 1, not the end");
        assertThatThrownBy(() -> Expressions.condition("> 1"))
                .hasMessage("1:1: expected a field name, 'not' or '(', not '>'");
    }

    @Test
    void cellsAndConditionsPrintAsTheyRead() {
        assertThat(Expressions.cell("not (\"EMEA\",  [1..5), >= 2024-01-01, is not empty, matches \"a\\\"b\", changed)"))
                .hasToString("not \"EMEA\", [1..5), >= 2024-01-01, is not empty, matches \"a\\\"b\", changed");
        assertThat(Expressions.condition("a 1 and (b 2 or c 3)")).hasToString("a 1 and (b 2 or c 3)");
    }
}
