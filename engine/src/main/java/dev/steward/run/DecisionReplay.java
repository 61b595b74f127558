package dev.steward.run;

import com.fasterxml.jackson.databind.JsonNode;
import dev.steward.model.Flow;
import dev.steward.model.Step;
import dev.steward.model.Workspace;
import dev.steward.plugin.TransformFactory;
import dev.steward.rules.Decision;
import dev.steward.rules.FieldChange;
import dev.steward.rules.Outcome;
import dev.steward.rules.Record;
import dev.steward.rules.RuleSet;
import dev.steward.rules.RuleSetCompiler;
import dev.steward.store.KnownValue;
import dev.steward.store.LedgerEntry;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The decision half of a run, for a preview: a payload's fields through the flow's transforms,
 * sorted against what Steward knew, and decided by the flow's rules, with no connector called and
 * nothing recorded. Either borrows the rules and transforms of a running configuration
 * ({@link #of}) or compiles its own for a draft ({@link #compile}; close it then). Thread-safe
 * like the run path: rule sets open a session per call.
 */
public final class DecisionReplay implements AutoCloseable {

    /** What the rules said of one field: a {@link RunTrace.FieldDecision} label and what decided it. */
    public record Verdict(String decision, String by) {
    }

    /** A side's fields after its transforms, or why its transforms failed. */
    public record Observed(Map<String, JsonNode> fields, String error) {
    }

    /** The decision a field gets when the fields of a record are not decided at all (a transform failed). */
    public static final String FAILED = "failed";

    private final Workspace workspace;
    private final Map<String, RuleSet> ruleSets;
    private final Transforms transforms;
    private final boolean owned;

    private DecisionReplay(Workspace workspace, Map<String, RuleSet> ruleSets, Transforms transforms, boolean owned) {
        this.workspace = workspace;
        this.ruleSets = ruleSets;
        this.transforms = transforms;
        this.owned = owned;
    }

    /** The rules and transforms a running configuration uses; closing this leaves them open. */
    public static DecisionReplay of(ActiveWorkspace active) {
        Map<String, RuleSet> sets = new LinkedHashMap<>();
        active.workspace().flows().keySet().forEach(id -> sets.put(id, active.ruleSet(id)));
        return new DecisionReplay(active.workspace(), sets, active.transforms(), false);
    }

    /** A draft workspace's rules (through the compiler's cache) and transforms; opens no connector. */
    public static DecisionReplay compile(Workspace workspace, RuleSetCompiler compiler,
                                         Map<String, TransformFactory> transformFactories) {
        Map<String, RuleSet> sets = ActiveWorkspace.compileRules(workspace, compiler);
        return new DecisionReplay(workspace, sets, Transforms.compile(workspace.flows().values(), transformFactories), true);
    }

    public Workspace workspace() {
        return workspace;
    }

    /** The flow's mapped fields of a payload, after its transform steps. */
    public Observed observe(Flow flow, String eventId, String key, JsonNode payload) {
        Map<String, JsonNode> observed = new LinkedHashMap<>();
        flow.fields().forEach((field, path) -> {
            JsonNode value = Values.at(payload, path);
            if (!value.isMissingNode()) {
                observed.put(field, value);
            }
        });
        Optional<String> error = TransformSteps.apply(flow, transforms, eventId, key, observed, new ArrayList<>());
        return new Observed(observed, error.orElse(null));
    }

    /**
     * Decides the changes of observed fields against what Steward knew of the source: stale
     * values and echoes are suppressed as in a run, the rest go to the flow's rules (accepted
     * when it has no rules step). Fields equal to what was known get no verdict.
     *
     * @param version the delivery's version (canonical JSON), or null
     * @param known   what Steward knew the source holds, per field
     * @param writes  Steward's recent writes to the source per field, newest first
     */
    public Map<String, Verdict> decide(Flow flow, String key, Observed observed, String version,
                                       Map<String, KnownValue> known, Map<String, List<LedgerEntry>> writes) {
        Map<String, Verdict> verdicts = new LinkedHashMap<>();
        if (observed.error() != null) {
            flow.fields().keySet().forEach(field -> verdicts.put(field, new Verdict(FAILED, observed.error())));
            return verdicts;
        }
        RuleSet rules = ruleSets.get(flow.id());
        ChangeSet set = ChangeSet.of(flow.entity(), key, flow.source(), observed.fields(), version, known, writes, rules);
        Map<String, Object> recordFields = new LinkedHashMap<>();
        observed.fields().forEach((field, value) -> recordFields.put(field, Values.plain(value)));
        if (rules != null && flow.steps().stream().anyMatch(step -> step instanceof Step.Rules)) {
            rules.decide(new Record(flow.entity(), key, flow.source(), recordFields), set.changes);
        }
        for (FieldChange change : set.all()) {
            Decision decision = change.getDecision();
            if (decision == null) {
                decision = new Decision(Outcome.ACCEPT, "the flow has no rules step", flow.file());
            }
            verdicts.put(change.getField(), new Verdict(decision.outcome().label(), decision.by()));
        }
        return verdicts;
    }

    /**
     * What Steward knew of the source before an event ran, from the trace that run stored: a
     * decided field's old value; for the fields it found unchanged or suppressed, and for fields
     * the trace does not name, the value {@code baseline} observed (so they stay unchanged).
     *
     * @param trace the stored trace (JSON)
     */
    public static Map<String, KnownValue> knownBefore(JsonNode trace, Map<String, JsonNode> baseline) {
        Map<String, KnownValue> known = new LinkedHashMap<>();
        Instant at = Instant.EPOCH;
        baseline.forEach((field, value) -> known.put(field, new KnownValue(Values.canonical(value), null, at, null)));
        for (JsonNode decision : trace.path("decisions")) {
            String field = decision.path("field").asText();
            if (Outcome.SUPPRESS.label().equals(decision.path("decision").asText())) {
                continue;
            }
            JsonNode old = decision.get("oldValue");
            if (old == null || old.isNull()) {
                known.remove(field);
            } else {
                known.put(field, new KnownValue(Values.canonical(old), null, at, null));
            }
        }
        return known;
    }

    /** The verdicts a stored trace recorded (suppressed fields left out, as {@link #decide} with a trace's state does). */
    public static Map<String, Verdict> recorded(JsonNode trace) {
        Map<String, Verdict> verdicts = new LinkedHashMap<>();
        for (JsonNode decision : trace.path("decisions")) {
            String label = decision.path("decision").asText();
            if (!Outcome.SUPPRESS.label().equals(label)) {
                verdicts.put(decision.path("field").asText(), new Verdict(label,
                        decision.hasNonNull("by") ? decision.get("by").asText() : null));
            }
        }
        return verdicts;
    }

    /** Whether a stored trace says what the run decided (it reached the rules, or found nothing to decide). */
    public static boolean decided(JsonNode trace) {
        if (trace == null || !trace.isObject()) {
            return false;
        }
        for (JsonNode step : trace.path("steps")) {
            if (FAILED.equals(step.path("result").asText()) && "transform".equals(step.path("step").asText())) {
                return false;
            }
        }
        return trace.has("decisions") || trace.has("unchanged");
    }

    @Override
    public void close() {
        if (owned) {
            transforms.close();
        }
    }
}
