package dev.steward.model;

import java.util.List;

/** One step of a flow. Data only: the runner gives the steps their meaning. */
public sealed interface Step {

    SourceLocation location();

    /** {@code - rules: [mastership.yaml, customer-validation.drl]}: files under {@code rules/}. */
    record Rules(List<String> files, SourceLocation location) implements Step {
        public Rules {
            files = List.copyOf(files);
        }
    }

    /** {@code - sync: { to: [erp] }}: write the accepted fields to each target system. */
    record Sync(List<String> to, SourceLocation location) implements Step {
        public Sync {
            to = List.copyOf(to);
        }
    }
}
