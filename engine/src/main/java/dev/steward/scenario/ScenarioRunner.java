package dev.steward.scenario;

import com.fasterxml.jackson.databind.JsonNode;
import dev.steward.model.DecisionTable;
import dev.steward.model.Diagnostic;
import dev.steward.model.DrlSource;
import dev.steward.model.Flow;
import dev.steward.model.MastershipTable;
import dev.steward.model.Step;
import dev.steward.model.Workspace;
import dev.steward.rules.CompiledRules;
import dev.steward.rules.Decision;
import dev.steward.rules.FieldChange;
import dev.steward.rules.Record;
import dev.steward.rules.RuleSet;
import dev.steward.rules.RuleSetCompiler;
import dev.steward.run.Values;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Runs rule scenarios against a loaded workspace, without a store or connectors: the payload's
 * fields (through the flow's {@code fields} mapping), compared with what the scenario says
 * Steward knows, give the changes; the flow's rule files decide them, exactly as in a run. A
 * flow's transform steps are not run: a scenario's payload is what the rules see. Thread-safe if
 * the compiler is (it is).
 */
public final class ScenarioRunner {

    private static final String RULES = "rules/";

    private final Workspace workspace;
    private final RuleSetCompiler compiler;

    public ScenarioRunner(Workspace workspace, RuleSetCompiler compiler) {
        this.workspace = workspace;
        this.compiler = compiler;
    }

    public ScenarioResult run(Scenario scenario) {
        long start = System.nanoTime();
        List<String> differences = new ArrayList<>();
        decide(scenario, differences);
        return new ScenarioResult(scenario, differences, System.nanoTime() - start);
    }

    private void decide(Scenario scenario, List<String> differences) {
        String entity = scenario.entity();
        String source = scenario.source();
        List<String> files = scenario.rules();
        Map<String, String> paths = null;
        String key = "scenario";
        boolean hasRules = true;
        if (scenario.flow().isPresent()) {
            String id = scenario.flow().get();
            Flow flow = workspace.flows().get(id);
            if (flow == null) {
                differences.add("there is no flow '" + id + "'" + brokenFlow(id));
                return;
            }
            entity = flow.entity();
            source = flow.source();
            paths = flow.fields();
            files = flow.steps().stream().filter(s -> s instanceof Step.Rules).flatMap(s -> ((Step.Rules) s).files().stream()).toList();
            hasRules = flow.steps().stream().anyMatch(s -> s instanceof Step.Rules);
            key = Values.key(Values.at(scenario.payload(), flow.keyPath())).orElse(key);
        }
        Optional<RuleSet> rules = compile(files, differences);
        if (rules.isEmpty()) {
            return;
        }
        Map<String, JsonNode> observed = new LinkedHashMap<>();
        if (paths == null) {
            scenario.payload().properties().forEach(field -> observed.put(field.getKey(), field.getValue()));
        } else {
            paths.forEach((field, path) -> {
                JsonNode value = Values.at(scenario.payload(), path);
                if (!value.isMissingNode()) {
                    observed.put(field, value);
                }
            });
        }
        List<String> unchanged = new ArrayList<>();
        List<FieldChange> changes = new ArrayList<>();
        Map<String, Object> fields = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> field : observed.entrySet()) {
            Object value = Values.plain(field.getValue());
            fields.put(field.getKey(), value);
            boolean knows = scenario.known().containsKey(field.getKey());
            Object before = knows ? Values.normalized(scenario.known().get(field.getKey())) : null;
            if (knows && Values.canonical(Values.toNode(before)).equals(Values.canonical(field.getValue()))) {
                unchanged.add(field.getKey());
            } else {
                changes.add(new FieldChange(entity, key, field.getKey(), before, value, source,
                        rules.get().masterOf(entity, field.getKey()).orElse(null)));
            }
        }
        Record record = new Record(entity, key, source, fields);
        if (hasRules) {
            rules.get().decide(record, changes);
        } else {
            changes.forEach(c -> c.decide(new Decision(dev.steward.rules.Outcome.ACCEPT, "the flow has no rules step",
                    scenario.flow().orElse(""))));
        }
        Map<String, String> flowPaths = paths;
        scenario.expect().forEach((field, expected) -> {
            Optional<FieldChange> change = changes.stream().filter(c -> c.getField().equals(field)).findFirst();
            String actual = unchanged.contains(field) ? "unchanged" : change.map(c -> c.getDecision().outcome().label())
                    .orElse(null);
            if (actual == null) {
                differences.add(field + ": expected " + expected.decision() + ", but the payload has no " + field
                        + (flowPaths == null ? "" : " (the flow reads it from '" + flowPaths.getOrDefault(field, "?") + "')"));
                return;
            }
            Decision decision = change.map(FieldChange::getDecision).orElse(null);
            boolean same = actual.equals(expected.decision())
                    && (expected.reason().isEmpty() || decision != null && expected.reason().get().equals(decision.reason()))
                    && (expected.by().isEmpty() || decision != null && expected.by().get().equals(decision.by()));
            if (!same) {
                differences.add(field + ": expected " + describe(expected.decision(), expected.reason(), expected.by())
                        + ", got " + (decision == null ? actual
                        : describe(actual, Optional.of(decision.reason()), Optional.of(decision.by()))));
            }
        });
    }

    private Optional<RuleSet> compile(List<String> files, List<String> differences) {
        List<MastershipTable> tables = new ArrayList<>();
        List<DecisionTable> decisionTables = new ArrayList<>();
        List<DrlSource> drl = new ArrayList<>();
        for (String file : files) {
            String name = file.startsWith(RULES) ? file.substring(RULES.length()) : file;
            if (workspace.mastership().containsKey(name)) {
                tables.add(workspace.mastership().get(name));
            } else if (workspace.decisionTables().containsKey(name)) {
                decisionTables.add(workspace.decisionTables().get(name));
            } else if (workspace.drl().containsKey(name)) {
                drl.add(workspace.drl().get(name));
            } else {
                differences.add("there is no rule file rules/" + name + " (or it did not load; see steward validate)");
            }
        }
        if (!differences.isEmpty()) {
            return Optional.empty();
        }
        CompiledRules compiled = compiler.compile(tables, decisionTables, drl);
        if (compiled.ruleSet().isEmpty()) {
            differences.add("the rules do not compile: " + compiled.diagnostics().stream().filter(Diagnostic::isError)
                    .findFirst().map(Diagnostic::toString).orElse("see steward validate"));
        }
        return compiled.ruleSet();
    }

    private String brokenFlow(String id) {
        return workspace.brokenFlows().entrySet().stream()
                .filter(e -> e.getKey().equals("flows/" + id + ".yaml") || e.getKey().equals("flows/" + id + ".yml"))
                .findFirst().map(e -> " (" + e.getKey() + " has errors: " + e.getValue().stream().filter(Diagnostic::isError)
                        .findFirst().map(Diagnostic::toString).orElse("see steward validate") + ")").orElse("");
    }

    private static String describe(String decision, Optional<String> reason, Optional<String> by) {
        return decision + reason.map(r -> " \"" + r + "\"").orElse("") + by.filter(b -> !Objects.equals(b, ""))
                .map(b -> " by " + b).orElse("");
    }
}
