package dev.steward.scenario;

import java.util.List;

/**
 * What running one scenario found: every difference between what was expected and what the
 * rules decided, each one line ({@code creditLimit: expected reject, got accept ("…" by …)}).
 *
 * @param nanos how long the scenario took
 */
public record ScenarioResult(Scenario scenario, List<String> differences, long nanos) {

    public ScenarioResult {
        differences = List.copyOf(differences);
    }

    public boolean passed() {
        return differences.isEmpty();
    }
}
