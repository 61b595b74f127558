package dev.steward.api;

import java.util.List;

/**
 * What {@code steward test} reports: a line per scenario (pass or fail, then the differences) and
 * per problem in a scenario file, the counts, and the same results as JUnit XML.
 */
public record ScenarioRun(List<String> lines, int scenarios, int failed, int problems, String junitXml) {

    public ScenarioRun {
        lines = List.copyOf(lines);
    }

    public boolean passed() {
        return failed == 0 && problems == 0;
    }
}
