package dev.steward.model;

import java.util.List;

/** One step of a flow. Data only: the runner gives the steps their meaning. */
public sealed interface Step {

    SourceLocation location();

    /**
     * {@code - transform: { js: transforms/normalize.js }}, or the script inline: a user function
     * that gets the record's canonical fields before changes are computed and returns the fields
     * to use. Only the text is kept here; the runner compiles it.
     *
     * @param language the language, as a flow names it ({@code js})
     * @param script   the script's name in messages: its workspace file, or the flow file for an
     *                 inline script
     * @param source   the script's text; an inline one is preceded by blank lines so that its line
     *                 numbers are the flow file's
     */
    record Transform(String language, String script, String source, SourceLocation location) implements Step {
    }

    /** {@code - rules: [mastership.yaml, customer-validation.drl]}: files under {@code rules/}. */
    record Rules(List<String> files, SourceLocation location) implements Step {
        public Rules {
            files = List.copyOf(files);
        }
    }

    /**
     * {@code - sync: { to: [erp], enforce: true }}: write the accepted fields to each target
     * system that subscribes to them; with {@code enforce}, a subscriber's rejected change to a
     * mastered field is healed by writing the master's value back to it. Its own {@code retry}
     * overrides the flow's for failures of its writes.
     */
    record Sync(List<String> to, boolean enforce, SourceLocation location, RetrySettings retry) implements Step {
        public Sync {
            to = List.copyOf(to);
        }

        public Sync(List<String> to, boolean enforce, SourceLocation location) {
            this(to, enforce, location, RetrySettings.NONE);
        }
    }
}
