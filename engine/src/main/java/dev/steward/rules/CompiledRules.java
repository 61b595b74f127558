package dev.steward.rules;

import dev.steward.model.Diagnostic;

import java.util.List;
import java.util.Optional;

/**
 * What {@link RuleSetCompiler#compile} made of some mastership tables and DRL files: a rule set,
 * or the diagnostics that prevent one. Warnings may come with a rule set; any error means there
 * is none, and the caller keeps its last good one.
 */
public record CompiledRules(Optional<RuleSet> ruleSet, List<Diagnostic> diagnostics) {

    public CompiledRules {
        diagnostics = List.copyOf(diagnostics);
        if (ruleSet.isPresent() && diagnostics.stream().anyMatch(Diagnostic::isError)) {
            throw new IllegalArgumentException("a rule set with errors");
        }
    }

    public boolean hasErrors() {
        return diagnostics.stream().anyMatch(Diagnostic::isError);
    }
}
