package dev.steward.expr;

import java.util.List;
import java.util.stream.Collectors;

/**
 * A table cell: {@code -} (anything), or one or more tests separated by commas, any of which may
 * hold ({@code "EMEA", "APAC"}); {@code not} before them all negates the whole cell
 * ({@code not "EMEA", "APAC"}: neither). Immutable; thread-safe.
 *
 * @param text the cell as written
 */
public record UnaryTests(boolean any, boolean negated, List<UnaryTest> tests, String text) {

    public static final UnaryTests ANY = new UnaryTests(true, false, List.of(), "-");

    public UnaryTests {
        tests = List.copyOf(tests);
    }

    /**
     * @param value   the value tested (null when absent)
     * @param changed whether it changed in this event (for {@code changed})
     */
    public boolean test(Object value, boolean changed) {
        if (any) {
            return true;
        }
        boolean hit = false;
        for (int i = 0, n = tests.size(); i < n; i++) { // no iterator: a table's cells are tested per change
            if (tests.get(i).test(value, changed)) {
                hit = true;
                break;
            }
        }
        return hit != negated;
    }

    /** Whether any test is {@code changed}, which needs to know what changed. */
    public boolean usesChanged() {
        return tests.stream().anyMatch(t -> t instanceof UnaryTest.Changed);
    }

    @Override
    public String toString() {
        return any ? "-" : (negated ? "not " : "") + tests.stream().map(Object::toString).collect(Collectors.joining(", "));
    }
}
