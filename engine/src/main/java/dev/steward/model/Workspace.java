package dev.steward.model;

import dev.steward.plugin.SystemConfig;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Everything loaded from one workspace folder: the valid parts, and the diagnostics of the
 * parts that were not. Immutable; a new one is loaded on every change.
 *
 * @param flows       the valid flows by id
 * @param brokenFlows flow files that failed to load, by file, with their diagnostics
 * @param mastership  the mastership tables by file name ({@code mastership.yaml})
 * @param drl         the DRL sources by file name ({@code customer-validation.drl})
 * @param diagnostics every problem found, in every file
 * @param decisionTables the decision tables that loaded without errors, by file name
 *                    ({@code customer-validation.table.yaml})
 */
public record Workspace(Path home, HostSettings host, Map<String, SystemConfig> systems,
                        Map<String, Flow> flows, Map<String, List<Diagnostic>> brokenFlows,
                        Map<String, MastershipTable> mastership, Map<String, DrlSource> drl,
                        List<Diagnostic> diagnostics, Map<String, DecisionTable> decisionTables) {

    /** A workspace without decision tables. */
    public Workspace(Path home, HostSettings host, Map<String, SystemConfig> systems,
                     Map<String, Flow> flows, Map<String, List<Diagnostic>> brokenFlows,
                     Map<String, MastershipTable> mastership, Map<String, DrlSource> drl,
                     List<Diagnostic> diagnostics) {
        this(home, host, systems, flows, brokenFlows, mastership, drl, diagnostics, Map.of());
    }

    public Optional<Flow> flowByHookPath(String path) {
        return flows.values().stream().filter(f -> f.webhook().filter(hook -> hook.path().equals(path)).isPresent()).findFirst();
    }

    public boolean hasErrors() {
        return diagnostics.stream().anyMatch(Diagnostic::isError);
    }
}
