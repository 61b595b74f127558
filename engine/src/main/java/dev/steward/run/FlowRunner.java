package dev.steward.run;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.steward.model.Flow;
import dev.steward.model.MastershipRow;
import dev.steward.model.Step;
import dev.steward.plugin.Connector;
import dev.steward.plugin.ConnectorException;
import dev.steward.plugin.EntityConfig;
import dev.steward.plugin.SystemRateLimitedException;
import dev.steward.plugin.WriteOptions;
import dev.steward.rules.Decision;
import dev.steward.rules.FieldChange;
import dev.steward.rules.Outcome;
import dev.steward.rules.Record;
import dev.steward.rules.RuleSet;
import dev.steward.store.Conflict;
import dev.steward.store.EventStatus;
import dev.steward.store.RecordState;
import dev.steward.store.RunEffects;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Runs one event through its flow: sorts the fields against what Steward knows (unchanged,
 * stale, echoes of its own writes), lets the rules decide each real change, writes accepted
 * fields only to the systems that subscribe to them, and, where a sync step enforces
 * mastership, heals a subscriber that changed a field it does not own. It reads the record's
 * state as the batch read it ({@link RecordState}) and records what it changes in the run's
 * {@link RunEffects}, committed with the run's outcome: no store call of its own. Thread-safe:
 * one instance serves every worker; claims let one event per record run at a time.
 */
public final class FlowRunner {

    private final ActiveWorkspace active;
    private final MeterRegistry metrics;
    private final FlipFlopBreaker breaker;
    private final SystemGuards guards;
    private final Clock clock;
    private final String rulesVersion;
    /**
     * The decision counters by flow and system, then field, then decision ({@link Outcome#ordinal}):
     * the registry's lookup per field was a batch's hot spot, and so was a key list per field.
     */
    private final java.util.concurrent.ConcurrentMap<FlowSource, java.util.concurrent.ConcurrentMap<String,
            AtomicReferenceArray<Counter>>> decisionCounters = new java.util.concurrent.ConcurrentHashMap<>();

    /** A flow and its source: where the decision counters of its runs are. */
    private record FlowSource(String flow, String source) {}

    /** The decision counters of the flow counted last, by field (any thread may replace it). */
    private volatile FlowCounters lastCounters;

    private record FlowCounters(Flow flow, java.util.concurrent.ConcurrentMap<String, AtomicReferenceArray<Counter>> byField) {}

    /** A runner whose traces name no rules version (tests). */
    public FlowRunner(ActiveWorkspace active, MeterRegistry metrics, Clock clock, SystemGuards guards) {
        this(active, metrics, clock, guards, null);
    }

    /**
     * @param rulesVersion the content hash of the configuration's rules, named in every trace
     */
    public FlowRunner(ActiveWorkspace active, MeterRegistry metrics, Clock clock, SystemGuards guards, String rulesVersion) {
        this.active = active;
        this.metrics = metrics;
        this.breaker = new FlipFlopBreaker(active.workspace().host().loops(), clock);
        this.guards = guards;
        this.clock = clock;
        this.rulesVersion = rulesVersion;
    }

    /** How far back a run's state must reach: the flip-flop breaker's window. */
    public java.time.Instant historySince() {
        return clock.instant().minus(active.workspace().host().loops().window());
    }

    /**
     * Runs an event against its record's state, recording what it changes in {@code effects}.
     * With {@code dryRun}, nothing is written and nothing recorded: the trace says what would
     * happen.
     */
    public RunResult run(Flow flow, String eventId, int attempt, JsonNode payload, RunEffects effects, boolean dryRun) {
        return run(flow, eventId, attempt, payload, effects, dryRun, Map.of(), null);
    }

    /**
     * {@link #run(Flow, String, int, JsonNode, RunEffects, boolean)} for a retry of an event
     * whose earlier attempts applied some of its {@code call} steps.
     *
     * @param earlierCalls the results of calls an earlier attempt applied, by name
     *                     ({@link #earlierCalls(String)}): reused, never called again
     */
    public RunResult run(Flow flow, String eventId, int attempt, JsonNode payload, RunEffects effects, boolean dryRun,
                         Map<String, Object> earlierCalls) {
        return run(flow, eventId, attempt, payload, effects, dryRun, earlierCalls, null);
    }

    /**
     * A run for a batch ({@code steward batch}): the same decisions, but each write goes to
     * {@code writes} instead of the connector, and is recorded in {@code effects} as made; the
     * caller writes them in bulk and commits the effects only once they are written. A batch
     * never heals its source: the file or listing is not a system to write back to. A run answers
     * no trace, however it ends, unless it is a dry run: a batch keeps none.
     */
    public RunResult runForBatch(Flow flow, String eventId, JsonNode payload, RunEffects effects, boolean dryRun,
                                 BatchWrites writes) {
        return run(flow, eventId, 1, payload, effects, dryRun, Map.of(), java.util.Objects.requireNonNull(writes, "writes"));
    }

    /** Where a batch run's writes go: written later, many records at once. */
    public interface BatchWrites {
        void add(String system, EntityConfig entity, dev.steward.plugin.RecordWrite write);
    }

    private RunResult run(Flow flow, String eventId, int attempt, JsonNode payload, RunEffects effects, boolean dryRun,
                          Map<String, Object> earlierCalls, BatchWrites batch) {
        RecordState state = effects.state();
        String key = Values.key(Values.at(payload, flow.keyPath())).orElse("");
        List<RunTrace.StepTrace> before = new ArrayList<>();
        flow.webhook().flatMap(hook -> hook.format()).ifPresent(format -> before.add(new RunTrace.StepTrace("webhook",
                flow.file(), "ok", "delivered by webhook format " + format)));
        Optional<String> fetchedVersion = Optional.empty();
        JsonNode fromSource = payload;
        if (flow.fetch()) {
            Fetch fetch = fetch(flow, eventId, key, attempt, effects, dryRun, payload, batch, before);
            if (fetch.ended != null) {
                return fetch.ended;
            }
            fromSource = fetch.record;
            fetchedVersion = fetch.version;
        }
        JsonNode read = fromSource;
        String version = fetchedVersion.orElseGet(() -> flow.versionPath().map(path -> Values.at(read, path))
                .filter(node -> !node.isMissingNode() && !node.isNull()).map(Values::canonical).orElse(null));
        Map<String, JsonNode> observed = LinkedHashMap.newLinkedHashMap(flow.fields().size());
        flow.fields().forEach((field, path) -> {
            JsonNode value = Values.at(read, path);
            if (!value.isMissingNode()) {
                observed.put(field, value);
            }
        });
        List<RunTrace.StepTrace> transformed = new ArrayList<>(before);
        Optional<String> transformError = TransformSteps.any(flow)
                ? TransformSteps.apply(flow, active.transforms(), eventId, key, observed, transformed) : Optional.empty();
        if (transformError.isPresent()) {
            Run failed = new Run(flow, eventId, key, attempt, version, ChangeSet.of(flow.entity(), key, flow.source(),
                    Map.of(), version, Map.of(), Map.of(), null), effects, dryRun, read, Map.of(), earlierCalls, batch);
            failed.steps.addAll(transformed);
            return RunResult.done(EventStatus.FAILED, failed.trace(), transformError.get());
        }
        RuleSet rules = active.ruleSet(flow.id());
        LinkedHashMap<String, Object> recordFields = LinkedHashMap.newLinkedHashMap(observed.size());
        observed.forEach((field, value) -> recordFields.put(field, Values.plain(value)));
        ChangeSet set = ChangeSet.of(flow.entity(), key, flow.source(), observed, recordFields, version,
                state.known(flow.source()), state.recentWrites(flow.source()), rules);
        Record record = Record.over(flow.entity(), key, flow.source(), recordFields);

        Run run = new Run(flow, eventId, key, attempt, version, set, effects, dryRun, read, recordFields, earlierCalls,
                batch);
        run.steps.addAll(transformed);
        if (!dryRun) {
            for (FieldChange c : set.suppressed) {
                if (set.echoes.containsKey(c.getField())) {
                    effects.count(c.getField(), Conflict.ECHOES);
                }
            }
        }
        Optional<RunResult> ended = steps(run, flow.steps(), rules, record);
        if (ended.isPresent()) {
            return ended.get();
        }
        if (!dryRun) {
            effects.remember(flow.source(), set.remember, version);
            set.echoes.forEach((field, write) -> effects.echo(flow.source(), field, write.seq()));
        }
        count(run);
        // A batch keeps no trace (only its dry run reads one): run.trace() is null there.
        return RunResult.done(EventStatus.SUCCEEDED, run.trace(), null);
    }

    /** What {@code fetch: true} read: the record as the payload, or how the run ended. */
    private record Fetch(JsonNode record, Optional<String> version, RunResult ended) {}

    /**
     * {@code fetch: true}: reads the record from the source by the event's key through the
     * source's guards (its rate limit and breaker, as any call to it), so its fields are mapped
     * from the full record instead of a thin notification. The record's version, where the
     * source gives an ordered one, orders the event as a delivered version would. A record gone
     * from the source ends the event as filtered; a failed read retries or dead-letters as a
     * failed write does. A dry run or a batch run does not read: it uses the payload.
     */
    private Fetch fetch(Flow flow, String eventId, String key, int attempt, RunEffects effects, boolean dryRun,
                        JsonNode payload, BatchWrites batch, List<RunTrace.StepTrace> steps) {
        String at = flow.file();
        String what = flow.source() + "." + flow.entity() + "[" + LogText.of(key) + "]";
        if (dryRun || batch != null) {
            steps.add(new RunTrace.StepTrace("fetch", at, "skipped", (dryRun ? "a dry run" : "a batch run")
                    + " does not read from " + flow.source() + ": the payload's fields are used"));
            return new Fetch(payload, Optional.empty(), null);
        }
        Optional<EntityConfig> entity = active.workspace().systems().get(flow.source()).entity(flow.entity());
        Optional<Connector> connector = active.connectors().get(flow.source());
        if (entity.isEmpty() || connector.isEmpty()) {
            String error = "fetch: " + flow.source() + " has no connector or no entity " + flow.entity() + " to read with";
            steps.add(new RunTrace.StepTrace("fetch", at, "failed", error));
            return new Fetch(null, Optional.empty(), RunResult.done(EventStatus.FAILED,
                    early(flow, eventId, key, attempt, effects, payload, steps).trace(), error));
        }
        try {
            SystemGuards.Result<Optional<dev.steward.plugin.SystemRecord>> read =
                    guards.call(flow.source(), () -> connector.get().readRecord(entity.get(), key));
            if (read.deferral().isPresent()) {
                return new Fetch(null, Optional.empty(), RunResult.deferred(read.deferral().get()));
            }
            if (read.value().isEmpty()) {
                String reason = "the source has no record " + key + " any more";
                steps.add(new RunTrace.StepTrace("fetch", at, "filtered", what + ": " + reason));
                metrics.counter("steward.fetches", "system", flow.source(), "result", "missing").increment();
                metrics.counter("steward.filtered", "flow", flow.id()).increment();
                return new Fetch(null, Optional.empty(), RunResult.done(EventStatus.FILTERED,
                        early(flow, eventId, key, attempt, effects, payload, steps).trace(), reason));
            }
            dev.steward.plugin.SystemRecord record = read.value().get();
            Optional<String> version = record.version().flatMap(Versions::fromConnector);
            steps.add(new RunTrace.StepTrace("fetch", at, "ok", "read " + what
                    + record.version().map(v -> " in version " + LogText.of(v)).orElse("")));
            metrics.counter("steward.fetches", "system", flow.source(), "result", "ok").increment();
            // native names may be dotted (PrimaryEmailAddr.Address): nest them, so the flow's paths find them
            com.fasterxml.jackson.databind.node.ObjectNode fetched = Values.JSON.createObjectNode();
            record.fields().forEach((name, value) -> Values.put(fetched, name, Values.toNode(value)));
            return new Fetch(fetched, version, null);
        } catch (ConnectorException e) {
            String error = "fetch " + what + ": " + e.getMessage();
            steps.add(new RunTrace.StepTrace("fetch", at, "failed", error));
            metrics.counter("steward.fetches", "system", flow.source(), "result", e.retryable() ? "retry" : "failed").increment();
            RunTrace trace = early(flow, eventId, key, attempt, effects, payload, steps).trace();
            if (e.retryable()) {
                Optional<Duration> after = e instanceof SystemRateLimitedException limited ? limited.retryAfter() : Optional.empty();
                return new Fetch(null, Optional.empty(), RunResult.retry(trace, error, after));
            }
            return new Fetch(null, Optional.empty(), RunResult.done(EventStatus.FAILED, trace, error));
        }
    }

    /** A run that ended before its fields were read, for its trace. */
    private Run early(Flow flow, String eventId, String key, int attempt, RunEffects effects, JsonNode payload,
                      List<RunTrace.StepTrace> steps) {
        Run run = new Run(flow, eventId, key, attempt, null, ChangeSet.of(flow.entity(), key, flow.source(), Map.of(),
                null, Map.of(), Map.of(), null), effects, false, payload, Map.of(), Map.of(), null);
        run.steps.addAll(steps);
        return run;
    }

    /** Runs steps in order; a result ends the run there (invalid, filtered, failed, retry, deferred). */
    private Optional<RunResult> steps(Run run, List<Step> steps, RuleSet rules, Record record) {
        Flow flow = run.flow;
        ChangeSet set = run.set;
        for (Step step : steps) {
            switch (step) {
                case Step.Transform transform -> {
                    // Applied above, before the fields were compared with what Steward knows.
                }
                case Step.Rules ruleStep -> {
                    rules.decide(record, set.changes);
                    if (!run.dryRun) {
                        countDecisions(run.effects, set.changes);
                    }
                    boolean invalid = false;
                    for (FieldChange change : set.changes) {
                        invalid |= change.getDecision().outcome() == Outcome.INVALID;
                    }
                    if (run.tracing) {
                        run.steps.add(new RunTrace.StepTrace("rules", step.location().toString(), invalid ? "invalid" : "ok",
                                String.join(", ", ruleStep.files())));
                    }
                    if (invalid) {
                        String message = set.changes.stream().filter(c -> c.getDecision().outcome() == Outcome.INVALID)
                                .map(c -> c.getField() + ": " + c.getDecision().reason()).reduce((x, y) -> x + "; " + y).orElse("");
                        count(run);
                        return Optional.of(RunResult.done(EventStatus.INVALID, run.trace(), "quarantined, nothing written: " + message));
                    }
                }
                case Step.Sync sync -> {
                    Optional<RunResult> failed;
                    if (sync.setsFields()) {
                        failed = guard(run, step, () -> set(run, sync));
                    } else {
                        for (FieldChange change : set.changes) {
                            if (change.getDecision() == null) {
                                change.decide(new Decision(Outcome.ACCEPT, "the flow has no rules step", flow.file()));
                            }
                        }
                        failed = sync(run, sync, rules);
                    }
                    if (failed.isPresent()) {
                        return Optional.of(failed.get().withTrace(run.trace()).withStepRetry(sync.retry()));
                    }
                }
                case Step.Filter filter -> {
                    if (!filter.when().evaluate(run.values)) {
                        run.steps.add(new RunTrace.StepTrace("filter", step.location().toString(), "filtered",
                                "not (" + filter.text() + ")"));
                        return Optional.of(filtered(run));
                    }
                    run.steps.add(new RunTrace.StepTrace("filter", step.location().toString(), "ok", filter.text()));
                }
                case Step.Branch branch -> {
                    Optional<Step.Case> taken = branch.cases().stream()
                            .filter(c -> c.when().map(when -> when.evaluate(run.values)).orElse(true)).findFirst();
                    int number = taken.map(c -> branch.cases().indexOf(c) + 1).orElse(0);
                    run.steps.add(new RunTrace.StepTrace("branch", step.location().toString(),
                            taken.isPresent() ? "case " + number : "no case",
                            taken.map(c -> c.text() + " (" + c.location() + ")").orElse("no case holds; the flow goes on")));
                    if (taken.isPresent()) {
                        Optional<RunResult> ended = steps(run, taken.get().steps(), rules, record);
                        if (ended.isPresent()) {
                            return ended;
                        }
                    }
                }
                case Step.Call call -> {
                    Optional<RunResult> failed = guard(run, step, () -> call(run, call));
                    if (failed.isPresent()) {
                        return Optional.of(failed.get().withTrace(run.trace()).withStepRetry(call.retry()));
                    }
                }
            }
        }
        return Optional.empty();
    }

    /**
     * A filter ended the run: not an error. What the steps before it wrote stays recorded; the
     * source's values are remembered only then, so that a later event that passes the filter
     * still sees as changes what this one brought.
     */
    private RunResult filtered(Run run) {
        boolean wrote = run.writes.stream().anyMatch(w -> w.result().wrote());
        if (!run.dryRun && wrote) {
            run.effects.remember(run.flow.source(), run.set.remember, run.version);
            run.set.echoes.forEach((field, write) -> run.effects.echo(run.flow.source(), field, write.seq()));
        }
        count(run);
        if (!run.dryRun) {
            metrics.counter("steward.filtered", "flow", run.flow.id()).increment();
        }
        return RunResult.done(EventStatus.FILTERED, run.trace(), null);
    }

    /**
     * A call step: the earlier attempt's result when it applied the call already, else the
     * connector's {@code call} through the system's guards, with an idempotency key that is the
     * same on every attempt of the event.
     */
    private Optional<RunResult> call(Run run, Step.Call call) {
        String at = call.location().toString();
        String doing = call.system() + " " + call.action();
        Object earlier = run.earlierCalls.get(call.name());
        if (earlier != null) {
            run.calls.put(call.name(), earlier);
            run.steps.add(new RunTrace.StepTrace("call", at, "reused", doing + " as " + call.name()
                    + ": applied by an earlier attempt, not called again"));
            return Optional.empty();
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> input = (Map<String, Object>) run.values.render(call.input());
        if (run.dryRun) {
            run.calls.put(call.name(), Map.of());
            run.steps.add(new RunTrace.StepTrace("call", at, "dry-run", doing + " (not called in a dry run)"));
            return Optional.empty();
        }
        Optional<Connector> connector = active.connectors().get(call.system());
        if (connector.isEmpty()) {
            run.steps.add(new RunTrace.StepTrace("call", at, "failed", call.system() + " has no connector"));
            return Optional.of(RunResult.done(EventStatus.FAILED, null, call.system() + " has no connector"));
        }
        WriteOptions options = new WriteOptions(run.eventId + ":" + call.name(), run.eventId);
        try {
            SystemGuards.Result<Map<String, Object>> result = guards.call(call.system(),
                    () -> connector.get().call(call.action(), input, options));
            if (result.deferral().isPresent()) {
                run.steps.add(new RunTrace.StepTrace("call", at, "deferred", result.deferral().get().describe()));
                return Optional.of(RunResult.deferred(result.deferral().get()));
            }
            Object value = Values.plain(Values.toNode(result.value() == null ? Map.of() : result.value()));
            run.calls.put(call.name(), value);
            run.steps.add(new RunTrace.StepTrace("call", at, "ok", doing + " as " + call.name()));
            metrics.counter("steward.calls", "system", call.system(), "result", "ok").increment();
            return Optional.empty();
        } catch (ConnectorException e) {
            String error = doing + ": " + e.getMessage();
            run.steps.add(new RunTrace.StepTrace("call", at, "failed", error));
            metrics.counter("steward.calls", "system", call.system(), "result", e.retryable() ? "retry" : "failed").increment();
            if (e.retryable()) {
                Optional<Duration> after = e instanceof SystemRateLimitedException limited ? limited.retryAfter() : Optional.empty();
                return Optional.of(RunResult.retry(null, error, after));
            }
            return Optional.of(RunResult.done(EventStatus.FAILED, null, error));
        }
    }

    /**
     * Runs a step whose values come from {@code ${...}} references: one that names no value (a
     * payload path that is not there, a result without that field) fails the event for good,
     * since the same event would miss it again.
     */
    private static Optional<RunResult> guard(Run run, Step step, java.util.function.Supplier<Optional<RunResult>> body) {
        try {
            return body.get();
        } catch (StepValues.MissingValueException e) {
            String kind = step instanceof Step.Call ? "call" : "sync";
            String error = step.location() + ": " + e.getMessage();
            run.steps.add(new RunTrace.StepTrace(kind, step.location().toString(), "failed", e.getMessage()));
            return Optional.of(RunResult.done(EventStatus.FAILED, null, error));
        }
    }

    /** A sync with {@code fields:}: writes those values, rendered, to each target, as any sync writes. */
    private Optional<RunResult> set(Run run, Step.Sync sync) {
        @SuppressWarnings("unchecked")
        Map<String, Object> values = (Map<String, Object>) run.values.render(sync.set());
        for (String target : sync.to()) {
            Optional<RunResult> failed = write(run, target, values, RunTrace.WriteResult.WRITTEN, sync);
            if (failed.isPresent()) {
                return failed;
            }
        }
        run.steps.add(new RunTrace.StepTrace("sync", sync.location().toString(), "ok", String.join(", ", sync.to())
                + " (fields: " + String.join(", ", sync.set().keySet()) + ")"));
        return Optional.empty();
    }

    /** The results of the calls an earlier attempt applied, from that attempt's stored trace. */
    public static Map<String, Object> earlierCalls(String traceJson) {
        if (traceJson == null || !traceJson.contains("\"calls\"")) {
            return Map.of();
        }
        try {
            JsonNode calls = Values.JSON.readTree(traceJson).path("calls");
            if (!calls.isObject()) {
                return Map.of();
            }
            Map<String, Object> out = new LinkedHashMap<>();
            calls.properties().forEach(e -> out.put(e.getKey(), Values.plain(e.getValue())));
            return out;
        } catch (JsonProcessingException e) {
            return Map.of();
        }
    }

    private Optional<RunResult> sync(Run run, Step.Sync sync, RuleSet rules) {
        for (String target : sync.to()) {
            Map<String, Object> values = new LinkedHashMap<>();
            for (FieldChange change : run.set.changes) {
                if (change.getDecision().outcome() == Outcome.ACCEPT && goesTo(change, target, rules)) {
                    values.put(change.getField(), change.getNewValue());
                }
            }
            Optional<RunResult> failed = write(run, target, values, RunTrace.WriteResult.WRITTEN, sync);
            if (failed.isPresent()) {
                return failed;
            }
        }
        if (sync.enforce() && run.batch == null) {
            Optional<RunResult> failed = heal(run, rules, sync);
            if (failed.isPresent()) {
                return failed;
            }
        }
        if (run.tracing) {
            run.steps.add(new RunTrace.StepTrace("sync", sync.location().toString(), "ok", String.join(", ", sync.to())
                    + (sync.enforce() ? " (enforce)" : "")));
        }
        return Optional.empty();
    }

    /**
     * A change accepted by its mastership row goes only to that row's subscribers, so a field is
     * never written to its master. A change accepted by a DRL rule (an exception to mastership)
     * or by an {@code unmastered: accept} policy goes to every target of the step.
     */
    private static boolean goesTo(FieldChange change, String target, RuleSet rules) {
        MastershipRow row = rules == null ? null : rules.decidingRow(change);
        return row == null || row.subscribers().contains(target);
    }

    /**
     * Writes the master's last known value back to the source, for each mastered field the
     * source changed although it only subscribes to it.
     */
    private Optional<RunResult> heal(Run run, RuleSet rules, Step.Sync sync) {
        Flow flow = run.flow;
        Map<String, Object> values = new LinkedHashMap<>();
        for (FieldChange change : run.set.changes) {
            // The row that rejected it (not a decision table or DRL rule) names the source a subscriber.
            Optional<MastershipRow> row = Optional.ofNullable(rules == null ? null : rules.decidingRow(change));
            if (row.isEmpty() || change.getDecision().outcome() != Outcome.REJECT
                    || !row.get().subscribers().contains(flow.source())) {
                continue;
            }
            Optional<Object> master;
            try {
                master = masterValue(row.get().master(), flow.entity(), run.key, change.getField(), run);
            } catch (DeferredException e) {
                return Optional.of(deferred(run, sync, e.deferral));
            }
            master.ifPresentOrElse(
                    value -> {
                        if (!Values.canonical(Values.toNode(value)).equals(Values.canonical(Values.toNode(change.getNewValue())))) {
                            values.put(change.getField(), value);
                        }
                    },
                    () -> run.writes.add(new RunTrace.Write(flow.source(), Map.of(), RunTrace.WriteResult.NOT_HEALED,
                            "the master " + row.get().master() + " has no known value for " + change.getField())));
        }
        return write(run, flow.source(), values, RunTrace.WriteResult.HEALED, sync);
    }

    private Optional<Object> masterValue(String master, String entity, String key, String field, Run run) {
        var known = run.effects.state().known(master).get(field);
        if (known != null) {
            return Optional.ofNullable(Values.plainOf(known.valueJson()));
        }
        Optional<EntityConfig> config = active.workspace().systems().get(master).entity(entity);
        Optional<Connector> connector = active.connectors().get(master);
        if (config.isEmpty() || connector.isEmpty() || !config.get().fields().containsKey(field)) {
            return Optional.empty();
        }
        String nativeName = config.get().fields().get(field);
        if (run.dryRun) {
            return connector.get().read(config.get(), key).filter(values -> values.containsKey(nativeName))
                    .map(values -> values.get(nativeName));
        }
        SystemGuards.Result<Optional<Map<String, Object>>> read = guards.call(master, () -> connector.get().read(config.get(), key));
        if (read.deferral().isPresent()) {
            throw new DeferredException(read.deferral().get());
        }
        return read.value().filter(values -> values.containsKey(nativeName)).map(values -> values.get(nativeName));
    }

    /** Writes canonical fields to one system: breaker first, then the connector, then the ledger. */
    private Optional<RunResult> write(Run run, String system, Map<String, Object> canonicalValues, RunTrace.WriteResult result,
                                      Step.Sync sync) {
        Flow flow = run.flow;
        EntityConfig entity = active.workspace().systems().get(system).entity(flow.entity()).orElse(null);
        if (canonicalValues.isEmpty() || entity == null) {
            if (result == RunTrace.WriteResult.WRITTEN) {
                run.writes.add(new RunTrace.Write(system, Map.of(), RunTrace.WriteResult.SKIPPED, "no accepted field for " + system));
            }
            return Optional.empty();
        }
        Map<String, Object> nativeFields = new LinkedHashMap<>();
        Map<String, String> ledger = new LinkedHashMap<>();
        canonicalValues.forEach((field, value) -> {
            String nativeName = entity.fields().get(field);
            if (nativeName == null) {
                return;
            }
            String json = canonical(run, field, value);
            Optional<String> held = breaker.check(run.effects, system, field, json, run.dryRun);
            if (held.isPresent()) {
                run.writes.add(new RunTrace.Write(system, Map.of(nativeName, String.valueOf(value)), RunTrace.WriteResult.HELD, held.get()));
                return;
            }
            nativeFields.put(nativeName, value);
            ledger.put(field, json);
        });
        if (nativeFields.isEmpty()) {
            return Optional.empty();
        }
        if (run.dryRun) {
            run.writes.add(new RunTrace.Write(system, nativeFields, result == RunTrace.WriteResult.WRITTEN ? RunTrace.WriteResult.DRY_RUN : RunTrace.WriteResult.DRY_RUN_HEALED, null));
            return Optional.empty();
        }
        if (run.batch != null) {
            run.batch.add(system, entity, dev.steward.plugin.RecordWrite.of(run.key, nativeFields,
                    new WriteOptions(run.eventId + ":" + system, run.eventId)));
            run.effects.written(system, ledger, null, clock.instant());
            run.writes.add(new RunTrace.Write(system, nativeFields, result, null));
            return Optional.empty();
        }
        Connector connector = active.connectors().get(system).orElseThrow();
        try {
            WriteOptions options = new WriteOptions(run.eventId + ":" + system, run.eventId);
            List<String> notes = new ArrayList<>();
            boolean optimistic = active.workspace().host().delivery().limits(system).optimisticWrites();
            SystemGuards.Result<Boolean> call = guards.call(system, () -> {
                if (optimistic) {
                    OptimisticWriter.write(connector, entity, run.key, nativeFields, options,
                            name -> masteredElsewhere(flow, entity, name, system), notes);
                } else {
                    connector.upsert(entity, run.key, nativeFields, options);
                }
                return true;
            });
            notes.forEach(note -> run.steps.add(new RunTrace.StepTrace("sync", sync.location().toString(), "decided again",
                    system + ": " + note)));
            if (call.deferral().isPresent()) {
                run.writes.add(new RunTrace.Write(system, nativeFields, RunTrace.WriteResult.DEFERRED, call.deferral().get().describe()));
                return Optional.of(deferred(run, sync, call.deferral().get()));
            }
        } catch (ConnectorException e) {
            String error = system + ": " + e.getMessage();
            run.writes.add(new RunTrace.Write(system, nativeFields, RunTrace.WriteResult.FAILED, e.getMessage()));
            run.steps.add(new RunTrace.StepTrace("sync", sync.location().toString(), "failed", error));
            metrics.counter("steward.writes", "system", system, "result", e.retryable() ? "retry" : "failed").increment();
            if (e.retryable()) {
                Optional<Duration> after = e instanceof SystemRateLimitedException limited ? limited.retryAfter() : Optional.empty();
                return Optional.of(RunResult.retry(null, error, after));
            }
            return Optional.of(RunResult.done(EventStatus.FAILED, null, error));
        }
        run.effects.written(system, ledger, writtenVersion(connector, system, entity, run.key).orElse(null), clock.instant());
        run.writes.add(new RunTrace.Write(system, nativeFields, result, null));
        if (result == RunTrace.WriteResult.HEALED) {
            ledger.keySet().forEach(field -> run.effects.count(field, Conflict.HEALS));
        }
        metrics.counter("steward.writes", "system", system, "result", result.label()).increment();
        ledger.keySet().forEach(field -> metrics.counter("steward.fields.written", "flow", flow.id(), "system", system,
                "field", field).increment());
        return Optional.empty();
    }

    /**
     * The canonical text of a value to write: for a scalar that is the field's change, its text as
     * the change set made it from the payload (the same text: a scalar's plain value makes the
     * node it came from again); else made here.
     */
    private static String canonical(Run run, String field, Object value) {
        if (value instanceof String || value instanceof Long || value instanceof BigDecimal || value instanceof Boolean) {
            String known = run.set.changedCanonical(field, value);
            if (known != null) {
                return known;
            }
        }
        return Values.canonical(Values.toNode(value));
    }

    /**
     * The version the system gave the record right after Steward's write, read back through the
     * connector, where that system's deliveries carry versions. A version read a moment late (a
     * person edited the record in between) only makes more of the older deliveries stale.
     */
    private Optional<String> writtenVersion(Connector connector, String system, EntityConfig entity, String key) {
        if (!active.versioned(system, entity.name())) {
            return Optional.empty();
        }
        try {
            // Through the system's guards like any call; if they defer it, the version stays unknown.
            SystemGuards.Result<Optional<dev.steward.plugin.SystemRecord>> read =
                    guards.call(system, () -> connector.readRecord(entity, key));
            return read.deferral().isPresent() ? Optional.empty()
                    : read.value().flatMap(record -> record.version()).flatMap(Versions::fromConnector);
        } catch (ConnectorException e) {
            // The write happened; without its version, echoes are told by value, as for unversioned systems.
            return Optional.empty();
        }
    }

    /** Whether a native field of a system is mastered by another system (so its master's value wins). */
    private boolean masteredElsewhere(Flow flow, EntityConfig entity, String nativeName, String system) {
        return entity.fields().entrySet().stream().filter(e -> e.getValue().equals(nativeName)).map(Map.Entry::getKey)
                .anyMatch(field -> active.ruleSet(flow.id()).rowFor(flow.entity(), field)
                        .filter(row -> !row.master().equals(system)).isPresent());
    }

    /** The run stops before calling a system that its guards defer; it runs again later. */
    private static RunResult deferred(Run run, Step.Sync sync, SystemGuards.Deferral deferral) {
        run.steps.add(new RunTrace.StepTrace("sync", sync.location().toString(), "deferred", deferral.describe()));
        return RunResult.deferred(deferral);
    }

    /** A read for healing was deferred; unwinds to the sync step, which defers the run. */
    private static final class DeferredException extends RuntimeException {
        final transient SystemGuards.Deferral deferral;

        DeferredException(SystemGuards.Deferral deferral) {
            super(deferral.describe(), null, false, false);
            this.deferral = deferral;
        }
    }

    /** Rejected and invalid changes, for the conflicts-prevented counts ({@code GET /api/stats}). */
    private static void countDecisions(RunEffects effects, List<FieldChange> changes) {
        for (FieldChange change : changes) {
            Outcome outcome = change.getDecision() == null ? null : change.getDecision().outcome();
            if (outcome == Outcome.REJECT) {
                effects.count(change.getField(), Conflict.REJECTED);
            } else if (outcome == Outcome.INVALID) {
                effects.count(change.getField(), Conflict.QUARANTINED);
            }
        }
    }

    private void count(Run run) {
        if (run.dryRun) {
            return;
        }
        String flowId = run.flow.id();
        String source = run.flow.source();
        FlowCounters last = lastCounters;
        if (last == null || last.flow != run.flow) { // nearly every run is of the flow before
            last = new FlowCounters(run.flow, decisionCounters.computeIfAbsent(new FlowSource(flowId, source),
                    k -> new java.util.concurrent.ConcurrentHashMap<>()));
            lastCounters = last;
        }
        java.util.concurrent.ConcurrentMap<String, AtomicReferenceArray<Counter>> byField = last.byField;
        for (FieldChange change : run.set.all()) {
            if (change.getDecision() != null) {
                Outcome outcome = change.getDecision().outcome();
                AtomicReferenceArray<Counter> counters = byField.computeIfAbsent(change.getField(),
                        f -> new AtomicReferenceArray<>(Outcome.values().length));
                Counter counter = counters.get(outcome.ordinal());
                if (counter == null) { // two threads may both ask: the registry answers both with one counter
                    counter = metrics.counter("steward.decisions", "flow", flowId, "system", source,
                            "field", change.getField(), "decision", outcome.label());
                    counters.set(outcome.ordinal(), counter);
                }
                counter.increment();
            }
        }
    }

    /** The state of one run, for its trace. */
    private final class Run {
        final Flow flow;
        final String eventId;
        final String key;
        final int attempt;
        final String version;
        final ChangeSet set;
        final RunEffects effects;
        final boolean dryRun;
        /** Where writes go in a batch run; null when they go to the connectors. */
        final BatchWrites batch;
        final List<RunTrace.StepTrace> steps = new ArrayList<>();
        final List<RunTrace.Write> writes = new ArrayList<>();
        /** The results of this run's calls, by name, in order. */
        final Map<String, Object> calls = new LinkedHashMap<>();
        final Map<String, Object> earlierCalls;
        final StepValues values;
        /** Whether the run's trace is read: not for a batch's runs, which keep none (only a dry run reads one). */
        final boolean tracing;

        Run(Flow flow, String eventId, String key, int attempt, String version, ChangeSet set, RunEffects effects,
            boolean dryRun, JsonNode payload, Map<String, Object> fields, Map<String, Object> earlierCalls,
            BatchWrites batch) {
            this.earlierCalls = earlierCalls;
            this.values = new StepValues(payload, fields, key, calls, set, dryRun);
            this.flow = flow;
            this.eventId = eventId;
            this.key = key;
            this.attempt = attempt;
            this.version = version;
            this.set = set;
            this.effects = effects;
            this.dryRun = dryRun;
            this.batch = batch;
            this.tracing = batch == null || dryRun;
        }

        /** The run's trace; null for a run whose trace no one reads (a batch's, but for a dry run). */
        RunTrace trace() {
            if (!tracing) {
                return null;
            }
            List<RunTrace.FieldDecision> decisions = new ArrayList<>();
            Map<String, Integer> counts = new LinkedHashMap<>();
            for (String label : List.of("accept", "reject", "invalid", "suppress")) {
                counts.put(label, 0);
            }
            for (FieldChange c : set.all()) {
                Decision d = c.getDecision();
                String label = d == null ? "undecided" : d.outcome().label();
                counts.merge(label, 1, Integer::sum);
                decisions.add(new RunTrace.FieldDecision(c.getField(), c.getOldValue(), c.getNewValue(), label,
                        d == null ? null : d.reason(), d == null ? null : d.by()));
            }
            int written = writes.stream().filter(w -> w.result().wrote())
                    .mapToInt(w -> w.fields().size()).sum();
            counts.put("written", written);
            return new RunTrace(flow.id(), flow.source(), flow.entity(), key, attempt, version, decisions,
                    List.copyOf(set.unchanged), List.copyOf(steps), List.copyOf(writes), counts, rulesVersion,
                    new LinkedHashMap<>(calls));
        }
    }

    static String json(RunTrace trace) {
        try {
            return Values.JSON.writeValueAsString(trace);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
