package dev.steward;

import com.fasterxml.jackson.databind.JsonNode;
import dev.steward.model.Flow;
import dev.steward.model.Workspace;
import dev.steward.plugin.ConnectorFactory;
import dev.steward.plugin.EntityConfig;
import dev.steward.plugin.SystemConfig;
import dev.steward.plugin.TransformFactory;
import dev.steward.rules.RuleSetCompiler;
import dev.steward.run.ActiveWorkspace;
import dev.steward.run.AlertSink;
import dev.steward.run.Health;
import dev.steward.run.ClaimOwners;
import dev.steward.run.EventWorkers;
import dev.steward.run.FlowProgress;
import dev.steward.run.FlowRunner;
import dev.steward.run.HealthMonitor;
import dev.steward.run.SystemGuards;
import dev.steward.run.NoSuchRecordTypeException;
import dev.steward.run.PayloadReader;
import dev.steward.run.PayloadRejectedException;
import dev.steward.run.RecordView;
import dev.steward.run.RetryPolicy;
import dev.steward.run.RunResult;
import dev.steward.run.Transforms;
import dev.steward.run.Values;
import dev.steward.run.ErrorReport;
import dev.steward.store.Intake;
import dev.steward.store.Replay;
import dev.steward.store.StoredEvent;
import dev.steward.store.NewEvent;
import dev.steward.store.Store;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * Steward without HTTP: one active workspace, its store, and the workers that run its events.
 * The host and the CLI drive it; tests use it directly. Thread-safe. Lifecycle: {@link #start},
 * then {@link #close()} once.
 */
public final class Engine implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Engine.class);

    /**
     * How to run: injected time, randomness and metrics; the worker id that marks this host's
     * claims in a shared store; the retry policy that {@code retry:} blocks override; whether to
     * run workers (off for the CLI's one-shot commands); where alerts go.
     */
    public record Options(Clock clock, RandomGenerator random, MeterRegistry metrics, String workerId,
                          RetryPolicy retry, boolean runWorkers, AlertSink alerts) {

        public Options(Clock clock, RandomGenerator random, MeterRegistry metrics, String workerId, RetryPolicy retry,
                       boolean runWorkers) {
            this(clock, random, metrics, workerId, retry, runWorkers, AlertSink.NONE);
        }
    }

    private final Workspace workspace;
    private final Store store;
    private final ActiveWorkspace active;
    private final FlowRunner runner;
    private final EventWorkers workers;
    private final Options options;
    private final SystemGuards guards;
    private final FlowProgress progress;
    private final HealthMonitor health;
    private final java.util.concurrent.atomic.AtomicBoolean workersStopped = new java.util.concurrent.atomic.AtomicBoolean();

    private Engine(Workspace workspace, Store store, ActiveWorkspace active, FlowRunner runner, EventWorkers workers,
                   Options options, SystemGuards guards, FlowProgress progress, HealthMonitor health) {
        this.workspace = workspace;
        this.store = store;
        this.active = active;
        this.runner = runner;
        this.workers = workers;
        this.options = options;
        this.guards = guards;
        this.progress = progress;
        this.health = health;
    }

    /** {@link #start(Workspace, RuleSetCompiler, Map, Map, Options)} with the transform factories on the class path. */
    public static Engine start(Workspace workspace, RuleSetCompiler compiler, Map<String, ConnectorFactory> factories,
                               Options options) {
        return start(workspace, compiler, factories, Transforms.discover(Engine.class.getClassLoader()), options);
    }

    /**
     * Opens the store, activates the workspace's valid flows (connectors from {@code factories} by
     * type, transforms from {@code transforms} by language) and starts the workers.
     */
    public static Engine start(Workspace workspace, RuleSetCompiler compiler, Map<String, ConnectorFactory> factories,
                               Map<String, TransformFactory> transforms, Options options) {
        Store store = Store.open(workspace.host().store(), options.clock());
        ActiveWorkspace active;
        try {
            active = ActiveWorkspace.activate(workspace, compiler, factories, transforms, options.clock());
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
        SystemGuards guards = new SystemGuards(workspace.host().delivery(), workspace.systems().keySet(), options.clock(),
                options.metrics());
        FlowProgress progress = new FlowProgress();
        FlowRunner runner = new FlowRunner(active, options.metrics(), options.clock(), guards);
        EventWorkers workers = new EventWorkers(store, active, runner, workspace.host().workers(), options.workerId(),
                options.clock(), options.retry(), options.random(), options.metrics(), progress, options.alerts());
        HealthMonitor health = new HealthMonitor(store, workspace, guards, progress, options.clock(), options.metrics(),
                options.alerts(), active.connectors()::unreachable);
        if (options.runWorkers()) {
            int reclaimed = store.expireLeases(owner -> ClaimOwners.deadOnThisHost(owner, options.workerId()));
            if (reclaimed > 0) {
                LOG.info("took back {} events that an earlier process of this host was running when it stopped", reclaimed);
            }
            workers.start();
            health.start();
        }
        return new Engine(workspace, store, active, runner, workers, options, guards, progress, health);
    }

    public Workspace workspace() {
        return workspace;
    }

    public Store store() {
        return store;
    }

    /**
     * Persists one delivery for a flow and returns its event id; a repeated delivery id returns
     * the first event's id. The payload must be JSON with the flow's key.
     */
    public Intake receive(Flow flow, Optional<String> deliveryId, byte[] body) {
        JsonNode payload = parse(body);
        String key = Values.key(Values.at(payload, flow.keyPath())).orElseThrow(() -> new PayloadRejectedException(
                "the payload has no record key at '" + flow.keyPath() + "' (flow " + flow.id() + ")", false));
        if (key.length() > NewEvent.MAX_KEY_LENGTH) {
            // Refused, not stored: the store's column would refuse it, and a 503 would make the sender retry forever.
            throw new PayloadRejectedException("the record key at '" + flow.keyPath() + "' is " + key.length()
                    + " characters long; at most " + NewEvent.MAX_KEY_LENGTH + " are accepted", false);
        }
        if (deliveryId.filter(id -> id.length() > NewEvent.MAX_DELIVERY_ID_LENGTH).isPresent()) {
            throw new PayloadRejectedException("the delivery id is longer than " + NewEvent.MAX_DELIVERY_ID_LENGTH
                    + " characters", true);
        }
        Intake intake = store.accept(new NewEvent(flow.id(), deliveryId.orElse(null), flow.entity(), key,
                Values.canonical(payload)));
        options.metrics().counter("steward.events.received", "flow", flow.id(),
                "duplicate", String.valueOf(intake.duplicate())).increment();
        if (!intake.duplicate()) {
            progress.received(flow.id(), options.clock().instant());
            workers.wake();
        }
        return intake;
    }

    /**
     * Health now: {@code up}, {@code degraded} with the reasons, or {@code down} when the store
     * cannot be reached. Raises the health alert if the status changed.
     */
    public Health health() {
        return health.check();
    }

    /** Each system's circuit breaker: state, since when, failure rate, last failure. */
    public java.util.List<SystemGuards.BreakerState> breakers() {
        return guards.breakers();
    }

    /** Runs a payload through a flow without writing or remembering anything. */
    public RunResult dryRun(Flow flow, byte[] body) {
        JsonNode payload = parse(body);
        if (Values.key(Values.at(payload, flow.keyPath())).isEmpty()) {
            throw new PayloadRejectedException("the payload has no record key at '" + flow.keyPath() + "'", false);
        }
        String key = Values.key(Values.at(payload, flow.keyPath())).orElseThrow();
        dev.steward.store.RecordKey record = new dev.steward.store.RecordKey(flow.entity(), key);
        dev.steward.store.RecordState state = store.recordStates(java.util.List.of(record), runner.historySince()).get(record);
        return runner.run(flow, "dry-run", 1, payload, new dev.steward.store.RunEffects(state, "dry-run"), true);
    }

    /**
     * Sends a dead letter or quarantined event back to be run again, optionally with an edited
     * payload (the original is kept by the store). An event that succeeded, or is still open, is
     * left alone. An edit must be a JSON object with the same record key, since the event's place
     * in its record's order is kept.
     *
     * @throws PayloadRejectedException when the edited payload is not such an object
     */
    public Replay replay(String eventId, Optional<byte[]> editedPayload) {
        Optional<String> edited = Optional.empty();
        if (editedPayload.isPresent()) {
            Optional<StoredEvent> event = store.event(eventId);
            if (event.isEmpty()) {
                return Replay.NOT_FOUND;
            }
            JsonNode payload = parse(editedPayload.get());
            Flow flow = workspace.flows().get(event.get().flowId());
            if (flow != null) {
                Optional<String> key = Values.key(Values.at(payload, flow.keyPath()));
                if (!key.equals(Optional.of(event.get().key()))) {
                    throw new PayloadRejectedException("the edited payload's key at '" + flow.keyPath() + "' is "
                            + key.map(k -> "'" + k + "'").orElse("missing") + ", not the event's '" + event.get().key()
                            + "': a replay cannot move an event to another record", false);
                }
            }
            edited = Optional.of(Values.canonical(payload));
        }
        Replay replay = store.replay(eventId, edited);
        if (replay == Replay.REPLAYED) {
            workers.wake();
        }
        return replay;
    }

    /**
     * Replays every dead letter and quarantined event of a flow, or whose cause or error contains
     * a text (both when both are given), among the newest {@code scan}; returns how many.
     */
    public int replayAll(Optional<String> flowId, Optional<String> causeText, int scan) {
        int replayed = 0;
        for (StoredEvent event : store.deadLetters(scan, flowId)) {
            if (causeText.map(text -> ErrorReport.causeContains(event, text)).orElse(true)
                    && store.replay(event.id(), Optional.empty()) == Replay.REPLAYED) {
                replayed++;
            }
        }
        if (replayed > 0) {
            workers.wake();
        }
        return replayed;
    }

    /** One record as a system holds it, through that system's connector. */
    public RecordView read(String system, String entity, String key) {
        SystemConfig config = workspace.systems().get(system);
        if (config == null) {
            throw new NoSuchRecordTypeException("no system '" + system + "' (there are: "
                    + String.join(", ", new java.util.TreeSet<>(workspace.systems().keySet())) + ")");
        }
        EntityConfig entityConfig = config.entity(entity).orElseThrow(() -> new NoSuchRecordTypeException(
                "system '" + system + "' has no entity '" + entity + "' (it has: "
                        + String.join(", ", new java.util.TreeSet<>(config.entities().keySet())) + ")"));
        Optional<Map<String, Object>> found = active.connectors().get(system).orElseThrow().read(entityConfig, key);
        Map<String, Object> canonical = new LinkedHashMap<>();
        Map<String, Object> nativeValues = new LinkedHashMap<>();
        found.ifPresent(values -> values.forEach((name, value) -> nativeValues.put(name, Values.normalized(value))));
        entityConfig.fields().forEach((field, nativeName) -> {
            if (nativeValues.containsKey(nativeName)) {
                canonical.put(field, nativeValues.get(nativeName));
            }
        });
        Map<String, Object> known = new LinkedHashMap<>();
        store.knownValues(system, entity, key).forEach((field, json) -> known.put(field, Values.plain(Values.parse(json))));
        Map<String, Object> written = new LinkedHashMap<>();
        store.ledger(system, entity, key).forEach((field, entry) -> written.put(field, Map.of(
                "value", Values.plain(Values.parse(entry.valueJson())), "event", String.valueOf(entry.eventId()),
                "at", entry.writtenAt().toString(), "echoed", entry.echoed())));
        return new RecordView(system, entity, key, found.isPresent(), canonical, nativeValues, known, written);
    }

    private static JsonNode parse(byte[] body) {
        return PayloadReader.read(body);
    }

    /** {@link #stop(java.time.Duration)} with the workspace's {@code host.shutdownGrace}. */
    @Override
    public void close() {
        stop(workspace.host().shutdownGrace());
    }

    /**
     * Stops in the order that loses nothing: {@link #stopWorkers} (if not done yet), then the
     * connectors close, then the store, last. Call once, after intake has stopped.
     */
    public void stop(java.time.Duration grace) {
        stopWorkers(grace);
        active.close();
        store.close();
    }

    /**
     * The workers claim nothing more and finish their runs within {@code grace}; those still going
     * then are handed back (see {@link EventWorkers#stop}). The store stays open, so that the API
     * can still answer until the host closes its listeners. Only the first call does anything.
     */
    public void stopWorkers(java.time.Duration grace) {
        if (workersStopped.compareAndSet(false, true)) {
            health.close();
            workers.stop(grace);
        }
    }
}
