package dev.steward.expr;

import java.util.Set;

/**
 * A stand-in for "some text" when a table is verified: text equal to no literal, read as no
 * number or date, that matches exactly the regexes listed. Lets the verifier ask whether a row
 * can match text that matches one regex and not another without producing such text.
 *
 * @param label how a message shows it ({@code text matching "…"})
 */
public record Sample(String label, Set<String> matching) {

    public Sample {
        matching = Set.copyOf(matching);
    }

    @Override
    public String toString() {
        return label;
    }
}
