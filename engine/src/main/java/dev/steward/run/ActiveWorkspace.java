package dev.steward.run;

import dev.steward.model.DrlSource;
import dev.steward.model.Flow;
import dev.steward.model.MastershipTable;
import dev.steward.model.Step;
import dev.steward.model.Workspace;
import dev.steward.plugin.ConnectorFactory;
import dev.steward.plugin.TransformFactory;
import dev.steward.rules.RuleSet;
import dev.steward.rules.RuleSetCompiler;

import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A loaded workspace made ready to run: its connectors open, each valid flow's rules and
 * transforms compiled. Immutable apart from the connectors' own state; closing it closes the
 * connectors and the transforms.
 */
public final class ActiveWorkspace implements AutoCloseable {

    private final Workspace workspace;
    private final Connectors connectors;
    private final Map<String, RuleSet> ruleSets;
    private final Transforms transforms;

    private ActiveWorkspace(Workspace workspace, Connectors connectors, Map<String, RuleSet> ruleSets,
                            Transforms transforms) {
        this.workspace = workspace;
        this.connectors = connectors;
        this.ruleSets = ruleSets;
        this.transforms = transforms;
    }

    /** {@link #activate(Workspace, RuleSetCompiler, Map, Map, Clock)} with the transform factories on the class path. */
    public static ActiveWorkspace activate(Workspace workspace, RuleSetCompiler compiler,
                                           Map<String, ConnectorFactory> factories, Clock clock) {
        return activate(workspace, compiler, factories, Transforms.discover(ActiveWorkspace.class.getClassLoader()), clock);
    }

    /**
     * Compiles every valid flow's rules (from the compiler's cache) and transforms, and opens the
     * connectors.
     */
    public static ActiveWorkspace activate(Workspace workspace, RuleSetCompiler compiler,
                                           Map<String, ConnectorFactory> factories,
                                           Map<String, TransformFactory> transformFactories, Clock clock) {
        return activate(workspace, compiler, factories, transformFactories, clock,
                system -> dev.steward.plugin.SecretStore.inMemory());
    }

    /** As above, with each system's secret store (the connectors' {@code context.secrets()}), by system name. */
    public static ActiveWorkspace activate(Workspace workspace, RuleSetCompiler compiler,
                                           Map<String, ConnectorFactory> factories,
                                           Map<String, TransformFactory> transformFactories, Clock clock,
                                           java.util.function.Function<String, dev.steward.plugin.SecretStore> secrets) {
        return activate(workspace, compiler, factories, transformFactories, clock, secrets, null);
    }

    /**
     * As above, with the transforms that {@code pending} compiles (null: compiled now): those are
     * used as they are, not compiled again, and a run waits for its transform to be compiled.
     */
    public static ActiveWorkspace activate(Workspace workspace, RuleSetCompiler compiler,
                                           Map<String, ConnectorFactory> factories,
                                           Map<String, TransformFactory> transformFactories, Clock clock,
                                           java.util.function.Function<String, dev.steward.plugin.SecretStore> secrets,
                                           PendingTransforms pending) {
        Map<String, RuleSet> ruleSets = compileRules(workspace, compiler);
        Transforms transforms = pending == null ? Transforms.compile(workspace.flows().values(), transformFactories)
                : Transforms.of(workspace.flows().values(), transformFactories, pending);
        Connectors connectors;
        try {
            connectors = Connectors.open(workspace.systems(), factories, workspace.home(), clock, secrets);
        } catch (RuntimeException e) {
            transforms.close();
            throw e;
        }
        return new ActiveWorkspace(workspace, connectors, ruleSets, transforms);
    }

    /** Each valid flow's rules compiled (from the compiler's cache), by flow id; opens nothing. */
    static Map<String, RuleSet> compileRules(Workspace workspace, RuleSetCompiler compiler) {
        Map<String, RuleSet> ruleSets = new LinkedHashMap<>();
        for (Flow flow : workspace.flows().values()) {
            List<MastershipTable> tables = new ArrayList<>();
            List<DrlSource> drl = new ArrayList<>();
            List<dev.steward.model.DecisionTable> decisionTables = new ArrayList<>();
            for (Step step : flow.steps()) {
                if (step instanceof Step.Rules rules) {
                    for (String file : rules.files()) {
                        if (workspace.mastership().containsKey(file)) {
                            tables.add(workspace.mastership().get(file));
                        } else if (workspace.decisionTables().containsKey(file)) {
                            decisionTables.add(workspace.decisionTables().get(file));
                        } else {
                            drl.add(workspace.drl().get(file));
                        }
                    }
                }
            }
            // The loader only lets through flows whose rules compiled, so this cannot be empty.
            ruleSets.put(flow.id(), compiler.compile(tables, decisionTables, drl).ruleSet().orElseThrow());
        }
        return Map.copyOf(ruleSets);
    }

    public Workspace workspace() {
        return workspace;
    }

    public Connectors connectors() {
        return connectors;
    }

    /**
     * Whether deliveries from this system about this entity carry a version (a flow with it as
     * source names {@code version:}, or reads the record with {@code fetch: true}, whose read gives
     * the source's version): then Steward learns the version each of its writes there
     * produced, and tells echoes and later edits apart by version rather than by value.
     */
    public boolean versioned(String system, String entity) {
        return workspace.flows().values().stream().anyMatch(flow -> flow.source().equals(system)
                && flow.entity().equals(entity) && (flow.versionPath().isPresent() || flow.fetch()));
    }

    Transforms transforms() {
        return transforms;
    }

    /**
     * Runs a flow's {@code transform} steps on a record's canonical fields, in place, as a run
     * would before comparing them (an audit compares a master's values the way its flow sends
     * them). Empty when they ran, else why they failed.
     */
    public Optional<String> transform(Flow flow, String key, Map<String, com.fasterxml.jackson.databind.JsonNode> fields) {
        return TransformSteps.apply(flow, transforms, "audit", key, fields, new ArrayList<>());
    }

    public RuleSet ruleSet(String flowId) {
        return ruleSets.get(flowId);
    }

    @Override
    public void close() {
        connectors.close();
        transforms.close();
    }
}
