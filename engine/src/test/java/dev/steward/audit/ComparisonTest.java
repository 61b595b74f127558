package dev.steward.audit;

import dev.steward.run.Values;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The audit's fast comparison says what comparing canonical JSON says, for every pair of values. */
class ComparisonTest {

    private static final List<Object> VALUES = Arrays.asList(null, "", "5000", "a@b.example", "A@B.example", "true",
            5000, 5000L, new BigDecimal("5000.00"), new BigDecimal("5E+3"), new BigDecimal("5000.5"), 5000.5d, 5000.0d,
            BigInteger.valueOf(5000), (short) 17, 17, new BigDecimal("17.000"), "17.000", true, false, 0, 0L,
            new BigDecimal("0.00"), Map.of("a", 1), List.of(1, 2), List.of(1, 2));

    @Test
    void equalValuesAreThoseWithTheSameCanonicalJson() {
        List<String> wrong = new ArrayList<>();
        for (Object a : VALUES) {
            for (Object b : VALUES) {
                boolean canonical = Values.canonical(Values.toNode(a)).equals(Values.canonical(Values.toNode(b)));
                if (Comparison.same(a, b) != canonical) {
                    wrong.add(a + " (" + type(a) + ") vs " + b + " (" + type(b) + "): canonical says " + canonical);
                }
            }
        }
        assertThat(wrong).isEmpty();
        assertThat(Comparison.same(5000L, new BigDecimal("5000.00"))).isTrue();
        assertThat(Comparison.same("5000", 5000L)).isFalse();
        assertThat(Comparison.same(null, "")).isFalse();
    }

    private static String type(Object value) {
        return value == null ? "null" : value.getClass().getSimpleName();
    }
}
