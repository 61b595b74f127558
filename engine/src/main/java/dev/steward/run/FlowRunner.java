package dev.steward.run;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.steward.model.Flow;
import dev.steward.model.Step;
import dev.steward.plugin.Connector;
import dev.steward.plugin.ConnectorException;
import dev.steward.plugin.EntityConfig;
import dev.steward.plugin.SystemConfig;
import dev.steward.plugin.SystemRateLimitedException;
import dev.steward.plugin.WriteOptions;
import dev.steward.rules.Decision;
import dev.steward.rules.FieldChange;
import dev.steward.rules.Outcome;
import dev.steward.rules.Record;
import dev.steward.rules.RuleSet;
import dev.steward.store.EventStatus;
import dev.steward.store.Store;
import io.micrometer.core.instrument.MeterRegistry;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Runs one event through its flow: computes the changes against the values Steward last knew
 * from the source, lets the rules decide each, and writes the accepted fields to each target.
 * Thread-safe: one instance serves every worker; the store orders runs per record.
 */
public final class FlowRunner {

    private final ActiveWorkspace active;
    private final Store store;
    private final MeterRegistry metrics;

    public FlowRunner(ActiveWorkspace active, Store store, MeterRegistry metrics) {
        this.active = active;
        this.store = store;
        this.metrics = metrics;
    }

    /**
     * Runs an event. With {@code dryRun}, nothing is written and nothing remembered: the trace
     * says what would happen.
     */
    public RunResult run(Flow flow, String eventId, int attempt, JsonNode payload, boolean dryRun) {
        String key = Values.key(Values.at(payload, flow.keyPath())).orElse("");
        Map<String, JsonNode> observed = new LinkedHashMap<>();
        flow.fields().forEach((field, path) -> {
            JsonNode value = Values.at(payload, path);
            if (!value.isMissingNode()) {
                observed.put(field, value);
            }
        });
        Map<String, String> known = store.knownValues(flow.source(), flow.entity(), key);
        List<FieldChange> changes = new ArrayList<>();
        List<String> unchanged = new ArrayList<>();
        Map<String, Object> recordFields = new LinkedHashMap<>();
        observed.forEach((field, value) -> {
            recordFields.put(field, Values.plain(value));
            String before = known.get(field);
            if (before != null && before.equals(Values.canonical(value))) {
                unchanged.add(field);
            } else {
                Object oldValue = before == null ? null : Values.plain(Values.parse(before));
                changes.add(new FieldChange(flow.entity(), key, field, oldValue, Values.plain(value), flow.source(), null));
            }
        });
        Record record = new Record(flow.entity(), key, flow.source(), recordFields);

        List<RunTrace.StepTrace> steps = new ArrayList<>();
        List<RunTrace.Write> writes = new ArrayList<>();
        List<FieldChange> decided = changes;
        boolean invalid = false;
        for (Step step : flow.steps()) {
            if (step instanceof Step.Rules rules) {
                RuleSet ruleSet = active.ruleSet(flow.id());
                decided = withMasters(ruleSet, changes);
                ruleSet.decide(record, decided);
                invalid = decided.stream().anyMatch(c -> c.getDecision().outcome() == Outcome.INVALID);
                steps.add(new RunTrace.StepTrace("rules", step.location().toString(), invalid ? "invalid" : "ok",
                        String.join(", ", rules.files())));
                if (invalid) {
                    break;
                }
            } else if (step instanceof Step.Sync sync) {
                for (FieldChange change : decided) {
                    if (change.getDecision() == null) {
                        change.decide(new Decision(Outcome.ACCEPT, "the flow has no rules step", flow.file()));
                    }
                }
                Optional<RunResult> failed = sync(flow, eventId, attempt, key, sync, decided, dryRun, writes, steps);
                if (failed.isPresent()) {
                    RunTrace trace = trace(flow, key, attempt, decided, unchanged, steps, writes);
                    RunResult result = failed.get();
                    return new RunResult(result.status(), trace, result.error(), result.retry(), result.retryAfter());
                }
            }
        }
        RunTrace trace = trace(flow, key, attempt, decided, unchanged, steps, writes);
        if (invalid) {
            String message = decided.stream().filter(c -> c.getDecision().outcome() == Outcome.INVALID)
                    .map(c -> c.getField() + ": " + c.getDecision().reason()).reduce((a, b) -> a + "; " + b).orElse("invalid");
            count(flow, decided, dryRun);
            return RunResult.done(EventStatus.INVALID, trace, "quarantined, nothing written: " + message);
        }
        if (!dryRun) {
            Map<String, String> seen = new LinkedHashMap<>();
            observed.forEach((field, value) -> seen.put(field, Values.canonical(value)));
            store.remember(flow.source(), flow.entity(), key, seen, eventId);
        }
        count(flow, decided, dryRun);
        return RunResult.done(EventStatus.SUCCEEDED, trace, null);
    }

    private Optional<RunResult> sync(Flow flow, String eventId, int attempt, String key, Step.Sync sync,
                                     List<FieldChange> decided, boolean dryRun, List<RunTrace.Write> writes,
                                     List<RunTrace.StepTrace> steps) {
        for (String target : sync.to()) {
            SystemConfig system = active.workspace().systems().get(target);
            EntityConfig entity = system.entity(flow.entity()).orElseThrow();
            Map<String, Object> nativeFields = new LinkedHashMap<>();
            Map<String, String> canonical = new LinkedHashMap<>();
            for (FieldChange change : decided) {
                String nativeName = entity.fields().get(change.getField());
                if (change.getDecision().outcome() == Outcome.ACCEPT && nativeName != null) {
                    nativeFields.put(nativeName, change.getNewValue());
                    canonical.put(change.getField(), Values.canonical(Values.toNode(change.getNewValue())));
                }
            }
            if (nativeFields.isEmpty()) {
                writes.add(new RunTrace.Write(target, Map.of(), "skipped", "no accepted field to write"));
                continue;
            }
            if (dryRun) {
                writes.add(new RunTrace.Write(target, nativeFields, "dry-run", null));
                continue;
            }
            Connector connector = active.connectors().get(target).orElseThrow();
            try {
                connector.upsert(entity, key, nativeFields, new WriteOptions(eventId + ":" + target, eventId));
            } catch (ConnectorException e) {
                String error = target + ": " + e.getMessage();
                writes.add(new RunTrace.Write(target, nativeFields, "failed", e.getMessage()));
                steps.add(new RunTrace.StepTrace("sync", sync.location().toString(), "failed", error));
                metrics.counter("steward.writes", "system", target, "result", e.retryable() ? "retry" : "failed").increment();
                if (e.retryable()) {
                    Optional<Duration> after = e instanceof SystemRateLimitedException limited ? limited.retryAfter() : Optional.empty();
                    return Optional.of(RunResult.retry(null, error, after));
                }
                return Optional.of(RunResult.done(EventStatus.FAILED, null, error));
            }
            store.remember(target, flow.entity(), key, canonical, eventId);
            writes.add(new RunTrace.Write(target, nativeFields, "written", null));
            metrics.counter("steward.writes", "system", target, "result", "written").increment();
        }
        steps.add(new RunTrace.StepTrace("sync", sync.location().toString(), "ok", String.join(", ", sync.to())));
        return Optional.empty();
    }

    private static List<FieldChange> withMasters(RuleSet ruleSet, List<FieldChange> changes) {
        return changes.stream().map(c -> new FieldChange(c.getEntity(), c.getKey(), c.getField(), c.getOldValue(),
                c.getNewValue(), c.getSource(), ruleSet.masterOf(c.getEntity(), c.getField()).orElse(null))).toList();
    }

    private void count(Flow flow, List<FieldChange> decided, boolean dryRun) {
        if (dryRun) {
            return;
        }
        for (FieldChange change : decided) {
            if (change.getDecision() != null) {
                metrics.counter("steward.decisions", "flow", flow.id(), "system", flow.source(), "field",
                        change.getField(), "decision", change.getDecision().outcome().label()).increment();
            }
        }
    }

    private static RunTrace trace(Flow flow, String key, int attempt, List<FieldChange> decided, List<String> unchanged,
                                  List<RunTrace.StepTrace> steps, List<RunTrace.Write> writes) {
        List<RunTrace.FieldDecision> decisions = decided.stream().map(c -> {
            Decision d = c.getDecision();
            return new RunTrace.FieldDecision(c.getField(), c.getOldValue(), c.getNewValue(),
                    d == null ? "undecided" : d.outcome().label(), d == null ? null : d.reason(), d == null ? null : d.by());
        }).toList();
        return new RunTrace(flow.id(), flow.source(), flow.entity(), key, attempt, decisions, List.copyOf(unchanged),
                List.copyOf(steps), List.copyOf(writes));
    }

    static String json(RunTrace trace) {
        try {
            return Values.JSON.writeValueAsString(trace);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
