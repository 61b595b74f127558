package dev.steward.model;

import dev.steward.expr.Condition;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

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
    record Sync(List<String> to, boolean enforce, SourceLocation location, RetrySettings retry,
                Map<String, Object> set) implements Step {
        public Sync {
            to = List.copyOf(to);
            set = Collections.unmodifiableMap(new LinkedHashMap<>(set));
        }

        public Sync(List<String> to, boolean enforce, SourceLocation location, RetrySettings retry) {
            this(to, enforce, location, retry, Map.of());
        }

        public Sync(List<String> to, boolean enforce, SourceLocation location) {
            this(to, enforce, location, RetrySettings.NONE);
        }

        /**
         * Whether the step writes its own {@code fields:} (canonical field to a {@link Template}
         * value) instead of the accepted changes.
         */
        public boolean setsFields() {
            return !set.isEmpty();
        }
    }

    /**
     * {@code - filter: { when: stage "closed-won" }}: the rest of the flow runs only when the
     * condition holds; otherwise the event ends {@code filtered}.
     *
     * @param text the condition as written, for traces
     */
    record Filter(Condition when, String text, SourceLocation location) implements Step {
    }

    /**
     * {@code - branch: [ { when: ..., steps: [...] }, { otherwise: [...] } ]}: runs the steps of
     * the first case whose condition holds (or the {@code otherwise} case), then the steps after
     * the branch.
     */
    record Branch(List<Case> cases, SourceLocation location) implements Step {
        public Branch {
            cases = List.copyOf(cases);
        }
    }

    /**
     * One case of a {@link Branch}.
     *
     * @param when the condition, empty for {@code otherwise}
     * @param text the condition as written, or {@code otherwise}
     */
    record Case(Optional<Condition> when, String text, List<Step> steps, SourceLocation location) {
        public Case {
            steps = List.copyOf(steps);
        }
    }

    /**
     * {@code - call: { system: erp, action: createOrder, input: {...}, as: order }}: one action
     * through a system's connector ({@link dev.steward.plugin.Connector#call}), with an input made
     * from {@link Template} values; its result is named for later steps
     * ({@code ${steps.order.id}}).
     *
     * @param name  the result's name ({@code as}), or {@code line<N>} when the step names none;
     *              part of the call's idempotency key, so stable across attempts
     * @param input the input, whose strings may hold {@code ${...}} references
     * @param retry the step's own {@code retry:} for failures of this call
     */
    record Call(String system, String action, Map<String, Object> input, String name, SourceLocation location,
                RetrySettings retry) implements Step {
        public Call {
            input = Collections.unmodifiableMap(new LinkedHashMap<>(input));
        }
    }
}
