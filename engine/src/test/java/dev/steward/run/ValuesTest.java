package dev.steward.run;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;

import static org.assertj.core.api.Assertions.assertThat;

class ValuesTest {

    @Test
    void numbersFromTwoSystemsCompareByValueNotByHowTheyAreWritten() {
        assertThat(Values.canonical(Values.toNode(new BigDecimal("5000.00")))).isEqualTo("5000");
        assertThat(Values.canonical(Values.toNode(5000L))).isEqualTo("5000");
        assertThat(Values.canonical(Values.toNode(5000.0d))).isEqualTo("5000");
        assertThat(Values.canonical(Values.toNode(new BigDecimal("1E+3")))).isEqualTo("1000");
        assertThat(Values.canonical(Values.toNode(new BigDecimal("12.50")))).isEqualTo("12.5");
    }

    @Test
    void stringsNullsAndContainersHaveOneCanonicalText() {
        assertThat(Values.canonical(Values.toNode("5000"))).isEqualTo("\"5000\"").isNotEqualTo(Values.canonical(Values.toNode(5000)));
        assertThat(Values.canonical(Values.toNode(null))).isEqualTo("null");
        assertThat(Values.canonical(Values.toNode(java.util.Map.of("a", 1)))).isEqualTo("{\"a\":1}");
        assertThat(Values.normalized(new BigDecimal("5000.00"))).isEqualTo(5000L);
    }

    @Test
    void dottedPathsReachIntoNestedObjects() throws Exception {
        var payload = Values.JSON.readTree("{\"item\":{\"sku\":\"SKU-1\",\"n\":{\"deep\":3}},\"id\":42}");

        assertThat(Values.at(payload, "item.sku").asText()).isEqualTo("SKU-1");
        assertThat(Values.at(payload, "item.n.deep").asInt()).isEqualTo(3);
        assertThat(Values.at(payload, "item.missing").isMissingNode()).isTrue();
        assertThat(Values.at(payload, "id.x").isMissingNode()).isTrue();
        assertThat(Values.key(Values.at(payload, "id"))).contains("42");
        assertThat(Values.key(Values.at(payload, "item"))).isEmpty();
    }

    @Test
    void textIsWrittenAsJacksonWritesItAndScalarsBecomeTheNodesJacksonMakes() throws Exception {
        for (String text : new String[]{"", "plain", "quote \" and \\ backslash", "tab\tnew\nline\r\b\f",
                "\u0000\u0001\u001f\u007f", "del \u007f", "a/b", "caf\u00e9 \u4e2d \uD83D\uDE00", "</script>", "\u2028\u2029"}) {
            var node = com.fasterxml.jackson.databind.node.TextNode.valueOf(text);
            assertThat(Values.canonical(node)).as(text).isEqualTo(node.toString());
            assertThat(Values.JSON.readTree(Values.canonical(node)).textValue()).isEqualTo(text);
        }
        for (Object value : new Object[]{null, "x", 7L, 7, new BigDecimal("7.50"), true, 2.5d, java.util.List.of(1, "a")}) {
            assertThat(Values.toNode(value)).as(String.valueOf(value)).isEqualTo(Values.JSON.valueToTree(value));
        }
    }

    @Test
    void plainOfACanonicalTextIsWhatParsingItGives() {
        for (String canonical : new String[]{"\"\"", "\"plain\"", "\"caf\u00e9 \u4e2d\"", "\"a\\\"b\"", "\"tab\\t\"",
                "\"\\u0001\"", "\"5000\"", "null", "true", "false", "0", "-0", "7", "-7", "5000", "123456789012345678",
                "-123456789012345678", "1234567890123456789", "99999999999999999999", "12.5", "-0.25", "1E+3",
                "{\"a\":1}", "[1,\"a\"]"}) {
            Object expected = Values.plain(Values.parse(canonical));
            Object actual = Values.plainOf(canonical);
            assertThat(actual).as(canonical).isEqualTo(expected);
            assertThat(actual == null ? null : actual.getClass()).as(canonical)
                    .isEqualTo(expected == null ? null : expected.getClass());
        }
    }

    @Test
    void wholeNumbersHaveTheCanonicalTextOfTheirDecimal() throws Exception {
        for (String number : new String[]{"0", "-0", "7", "-7", "5000", "100", "-100", "9223372036854775807",
                "-9223372036854775808", "92233720368547758070"}) {
            var node = Values.JSON.readTree(number);
            java.math.BigDecimal stripped = node.decimalValue().stripTrailingZeros();
            String viaDecimal = stripped.scale() < 0 ? stripped.setScale(0).toPlainString() : stripped.toPlainString();
            assertThat(Values.canonical(node)).as(number).isEqualTo(viaDecimal);
            var decimal = com.fasterxml.jackson.databind.node.DecimalNode.valueOf(new java.math.BigDecimal(number));
            assertThat(Values.canonical(decimal)).as("decimal " + number).isEqualTo(viaDecimal);
        }
    }

    @Test
    void aPathWithoutDotsIsAFieldOfAnObjectOnly() throws Exception {
        assertThat(Values.at(Values.JSON.readTree("{\"id\":1}"), "id").asInt()).isEqualTo(1);
        assertThat(Values.at(Values.JSON.readTree("{\"id\":1}"), "nope").isMissingNode()).isTrue();
        assertThat(Values.at(Values.JSON.readTree("[1]"), "id").isMissingNode()).isTrue();
        assertThat(Values.at(null, "id").isMissingNode()).isTrue();
    }
}
