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
}
