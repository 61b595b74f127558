package dev.steward;

import com.fasterxml.jackson.databind.JsonNode;
import dev.steward.api.DryRun;
import dev.steward.api.EventDetail;
import dev.steward.api.EventRecord;
import dev.steward.api.ErrorSummary;
import dev.steward.api.HoldRecord;
import dev.steward.api.PathNotEditableException;
import dev.steward.api.Preview;
import dev.steward.api.Received;
import dev.steward.api.ReplayOutcome;
import dev.steward.api.RulesVersion;
import dev.steward.api.Validation;
import dev.steward.api.WorkspaceFile;
import dev.steward.api.WorkspacePath;
import dev.steward.load.HomeLoader;
import dev.steward.model.Diagnostic;
import dev.steward.model.Flow;
import dev.steward.model.Workspace;
import dev.steward.plugin.ConnectorFactory;
import dev.steward.plugin.EntityConfig;
import dev.steward.plugin.SystemConfig;
import dev.steward.plugin.TransformFactory;
import dev.steward.rules.RuleSetCompiler;
import dev.steward.run.ActiveWorkspace;
import dev.steward.run.LiveWorkspace;
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
import dev.steward.store.EventStatus;
import dev.steward.store.Intake;
import dev.steward.store.Replay;
import dev.steward.store.StoredEvent;
import dev.steward.store.NewEvent;
import dev.steward.store.Store;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.random.RandomGenerator;

/**
 * Steward without HTTP: the one front door to a workspace. {@link #open} loads a workspace folder
 * (its plugin jars, connectors and transform languages found on the way) and runs it: its store,
 * its live configuration and the workers that run its events. The host asks it questions that
 * it answers with records ({@code dev.steward.api}, {@code dev.steward.model}); saving a file
 * through {@link #apply} checks it and swaps the running configuration without a restart.
 * Thread-safe. Lifecycle: {@link #open} (or {@link #load} then {@link LoadedWorkspace#start}),
 * then {@link #close()} once.
 */
public final class Engine implements AutoCloseable {

    /**
     * The logger of the line each run writes (DEBUG) and of the summary a minute (INFO), for a
     * host that sets log levels ({@code STEWARD_RUN_LOG}).
     */
    public static final String RUN_LOG = dev.steward.run.EventWorkers.class.getName();

    private static final Logger LOG = LoggerFactory.getLogger(Engine.class);

    /**
     * How long a host holds a poll or schedule trigger without renewing it (it renews after
     * every page): how soon another host takes over from one that died.
     */
    static final java.time.Duration TRIGGER_LEASE = java.time.Duration.ofSeconds(20);

    /**
     * How to run: injected time, randomness and metrics; the worker id that marks this host's
     * claims in a shared store; the retry policy that {@code retry:} blocks override; whether to
     * run workers (off for the CLI's one-shot commands); where alerts go; where the host listens
     * instead of {@code host.bind} ({@code serve --bind}; null for none); and where
     * {@code ${VARIABLE}}s in the workspace's files are looked up.
     */
    public record Options(Clock clock, RandomGenerator random, MeterRegistry metrics, String workerId,
                          RetryPolicy retry, boolean runWorkers, AlertSink alerts, String bind,
                          Function<String, String> env) {

        public Options(Clock clock, RandomGenerator random, MeterRegistry metrics, String workerId, RetryPolicy retry,
                       boolean runWorkers, AlertSink alerts) {
            this(clock, random, metrics, workerId, retry, runWorkers, alerts, null, System::getenv);
        }

        public Options(Clock clock, RandomGenerator random, MeterRegistry metrics, String workerId, RetryPolicy retry,
                       boolean runWorkers) {
            this(clock, random, metrics, workerId, retry, runWorkers, AlertSink.NONE);
        }

        /** These options listening on {@code bind} rather than {@code host.bind} (null: as the file says). */
        public Options withBind(String bind) {
            return new Options(clock, random, metrics, workerId, retry, runWorkers, alerts, bind, env);
        }

        /**
         * Options for a command that loads the workspace and runs nothing ({@code validate},
         * {@code read}): the system clock, no workers, no alerts, metrics kept in memory.
         */
        public static Options oneShot(Function<String, String> env) {
            return new Options(Clock.systemUTC(), new java.util.SplittableRandom(),
                    new io.micrometer.core.instrument.simple.SimpleMeterRegistry(), "cli", RetryPolicy.DEFAULT, false,
                    AlertSink.NONE, null, env);
        }

        public Options withEnv(Function<String, String> env) {
            return new Options(clock, random, metrics, workerId, retry, runWorkers, alerts, bind, env);
        }
    }

    /** One configuration at work: its runner and the workers that use it, with their lease on it. */
    private record Running(ActiveWorkspace active, FlowRunner runner, EventWorkers workers, SystemGuards guards,
                           LiveWorkspace.Lease lease) {
    }

    private final HomeLoader loader;
    private final boolean ownsLoader;
    private final Store store;
    private final LiveWorkspace live;
    private final Options options;
    private final FlowProgress progress;
    private final HealthMonitor health;
    /** Poll and schedule triggers; null when this engine runs no workers. */
    private volatile dev.steward.run.TriggerRunner triggers;
    private final WorkspaceFiles files;
    private final AccessBook access;
    private final Object swapLock = new Object();
    private final Object applyLock = new Object();
    private final RulesHistory versions;
    private final Audits audits;
    private volatile Running running;
    private final java.util.concurrent.atomic.AtomicBoolean workersStopped = new java.util.concurrent.atomic.AtomicBoolean();
    /**
     * What this engine still makes before its workers start (the transforms that
     * {@code steward serve} compiles after listening), or null once they run (or when there was nothing).
     */
    private volatile String warming;

    private Engine(HomeLoader loader, boolean ownsLoader, Store store, LiveWorkspace live, Running running,
                   Options options, FlowProgress progress, HealthMonitor health) {
        this.loader = loader;
        this.ownsLoader = ownsLoader;
        this.store = store;
        this.live = live;
        this.running = running;
        this.options = options;
        this.progress = progress;
        this.health = health;
        this.files = new WorkspaceFiles(loader);
        this.access = new AccessBook(store, false);
        this.versions = new RulesHistory(options.clock());
        this.audits = new Audits(store, live, options.clock(), options.random(), () -> this.running.workers().wake(),
                java.time.Duration.ofMinutes(5));
        // New events wake the workers once per intake commit (a batch), not once per request.
        store.onEventsStored(() -> this.running.workers().wake());
    }

    /**
     * Loads the workspace in {@code home} and runs it: {@link #load} then
     * {@link LoadedWorkspace#start}. Flows with errors are set aside (see
     * {@link Workspace#brokenFlows()}); the others run.
     */
    public static Engine open(Path home, Options options) {
        LoadedWorkspace loaded = load(home, options);
        try {
            return loaded.start(options);
        } catch (RuntimeException e) {
            loaded.close();
            throw e;
        }
    }

    /**
     * Loads the workspace in {@code home} without running it: the connectors and transform
     * languages on the class path and in its {@code plugins/} jars, its settings, rules and
     * flows, each problem a diagnostic. Close what it returns unless it is started.
     */
    public static LoadedWorkspace load(Path home, Options options) {
        return load(home, options, false);
    }

    /**
     * As {@link #load(Path, Options)}; with {@code transformsLater} ({@code steward serve}), the
     * transforms are compiled on a background thread instead of being waited for: the flows that
     * have them load as valid, the engine {@link LoadedWorkspace#start started} from it listens
     * and takes webhooks while they compile, and its workers start once they have compiled (see
     * {@link #warming()}). A transform that does not compile is then reported with the same
     * diagnostics as a load that waits for it, and its flows are set aside before any of their
     * runs (see {@link dev.steward.run.PendingTransforms}).
     */
    public static LoadedWorkspace load(Path home, Options options, boolean transformsLater) {
        HomeLoader loader = HomeLoader.open(home, options.env(), options.bind());
        try {
            if (transformsLater) {
                // held: the script engine starts when steward serve listens (LoadedWorkspace#compileTransforms)
                dev.steward.run.PendingTransforms pending = dev.steward.run.PendingTransforms.held();
                return new LoadedWorkspace(loader, loader.load(pending), pending);
            }
            return new LoadedWorkspace(loader, loader.load(), null);
        } catch (RuntimeException e) {
            loader.close();
            throw e;
        }
    }

    /** The workspace in {@code home} as loaded, with its diagnostics, for {@code steward validate}. Runs nothing. */
    public static Workspace check(Path home) {
        try (HomeLoader loader = HomeLoader.open(home, System::getenv, null)) {
            return loader.load();
        }
    }

    /**
     * Runs rule scenarios against the workspace in {@code home} ({@code steward test}): the files
     * given, or every {@code rules/tests/*.yaml}. Runs nothing else and writes nothing.
     */
    public static dev.steward.api.ScenarioRun testScenarios(Path home, List<Path> files) throws java.io.IOException {
        return testScenarios(home, files, Map.of());
    }

    /**
     * As {@link #testScenarios(Path, List)}, with drafts (workspace path to text) laid over the
     * files the scenarios run against: the editor tries unsaved rules this way. Writes nothing.
     */
    public static dev.steward.api.ScenarioRun testScenarios(Path home, List<Path> files, Map<String, String> drafts)
            throws java.io.IOException {
        Path root = home.toAbsolutePath().normalize();
        List<Path> chosen = files.isEmpty() ? scenarioFiles(root) : files.stream()
                .map(f -> f.isAbsolute() ? f : root.resolve(f)).map(Path::normalize).toList();
        List<String> lines = new java.util.ArrayList<>();
        List<dev.steward.scenario.ScenarioResult> results = new java.util.ArrayList<>();
        int problems = 0;
        try (HomeLoader loader = HomeLoader.open(root, System::getenv, null)) {
            Workspace workspace = drafts.isEmpty() ? loader.load() : loader.load(drafts);
            dev.steward.scenario.ScenarioRunner runner = new dev.steward.scenario.ScenarioRunner(workspace, loader.compiler());
            for (Path file : chosen) {
                String relative = file.startsWith(root) ? root.relativize(file).toString().replace('\\', '/') : file.toString();
                if (!java.nio.file.Files.isRegularFile(file)) {
                    lines.add(relative + ": error: no such scenario file");
                    problems++;
                    continue;
                }
                dev.steward.load.ScenarioReader.ScenarioFile read = dev.steward.load.ScenarioReader.read(file, relative);
                for (dev.steward.model.Diagnostic diagnostic : read.diagnostics()) {
                    lines.add(diagnostic.toString());
                    problems += diagnostic.isError() ? 1 : 0;
                }
                for (dev.steward.scenario.Scenario scenario : read.scenarios()) {
                    dev.steward.scenario.ScenarioResult result = runner.run(scenario);
                    results.add(result);
                    lines.add(scenario.location() + ": " + (result.passed() ? "PASS " : "FAIL ") + scenario.name());
                    result.differences().forEach(d -> lines.add("    " + d));
                }
            }
        }
        int failed = (int) results.stream().filter(r -> !r.passed()).count();
        return new dev.steward.api.ScenarioRun(lines, results.size(), failed, problems,
                dev.steward.scenario.JUnitReport.xml(results));
    }

    private static List<Path> scenarioFiles(Path root) throws java.io.IOException {
        Path folder = root.resolve("rules/tests");
        if (!java.nio.file.Files.isDirectory(folder)) {
            return List.of();
        }
        try (java.util.stream.Stream<Path> list = java.nio.file.Files.list(folder)) {
            return list.filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml"))
                    .sorted(java.util.Comparator.comparing(Path::toString)).toList();
        }
    }

    /**
     * Runs {@code steward batch} over the workspace in {@code home}: a file's records, or a system's
     * listing, through a flow, written in bulk and resumable (see {@link dev.steward.batch.BatchRunner}).
     * Opens the store and the connectors for the batch alone.
     *
     * @throws dev.steward.api.BatchRefusedException when the batch cannot run as asked
     */
    public static dev.steward.api.BatchSummary batch(Path home, Options options, dev.steward.api.BatchRequest request,
                                                     dev.steward.api.BatchProgress progress)
            throws java.io.IOException, InterruptedException {
        try (HomeLoader loader = HomeLoader.open(home, options.env(), null)) {
            // Only the batch's flow is read and compiled; when it is missing or has errors, the
            // whole workspace, so that the refusal can list the flows or show the flow's errors.
            Workspace workspace = loader.loadOnly(request.flowId());
            if (!workspace.flows().containsKey(request.flowId())) {
                workspace = loader.load();
            }
            Flow flow = workspace.flows().get(request.flowId());
            if (flow != null) {
                // Only the batch's flow: the others' rules and transforms (a script engine) are not needed.
                workspace = new Workspace(workspace.home(), workspace.host(), workspace.systems(), Map.of(flow.id(), flow),
                        workspace.brokenFlows(), workspace.mastership(), workspace.drl(), workspace.diagnostics(),
                        workspace.decisionTables());
            }
            try (Store store = Store.open(workspace.host().store(), options.clock());
                 ActiveWorkspace active = activate(workspace, loader, options, store)) {
                return new dev.steward.batch.BatchRunner(active, store, request, progress, options.clock(),
                        options.metrics()).run();
            }
        }
    }

    /**
     * The access tables of a workspace (loaded with {@link #check}), with its store opened for them
     * alone: for the commands that work while no host runs. Closing it closes the store.
     *
     * @throws dev.steward.UnavailableException when the store cannot be opened (with the embedded
     *         store, while a host holds it)
     */
    public static AccessBook openAccess(Workspace workspace, Clock clock) {
        return new AccessBook(Store.open(workspace.host().store(), clock), true);
    }

    /** {@link #start(Workspace, RuleSetCompiler, Map, Map, Options)} with the transform factories on the class path. */
    public static Engine start(Workspace workspace, RuleSetCompiler compiler, Map<String, ConnectorFactory> factories,
                               Options options) {
        return start(workspace, compiler, factories, Transforms.discover(Engine.class.getClassLoader()), options);
    }

    /**
     * Runs a workspace loaded elsewhere, with these connectors (by type) and transforms (by
     * language): the way tests build one. A save through {@link #apply} reloads with the same.
     */
    public static Engine start(Workspace workspace, RuleSetCompiler compiler, Map<String, ConnectorFactory> factories,
                               Map<String, TransformFactory> transforms, Options options) {
        return begin(workspace, HomeLoader.of(workspace.home(), factories, transforms, compiler, options.env()), false,
                options);
    }

    static Engine begin(Workspace workspace, HomeLoader loader, boolean ownsLoader, Options options) {
        return begin(workspace, loader, ownsLoader, options, null);
    }

    /** @param pending the transforms being compiled for this workspace (see {@link #load(Path, Options, boolean)}), or null */
    static Engine begin(Workspace workspace, HomeLoader loader, boolean ownsLoader, Options options,
                        dev.steward.run.PendingTransforms pending) {
        dev.steward.run.PendingTransforms compiling = pending == null || pending.isEmpty() ? null : pending;
        // The store opens on its own thread while the rules' KieBases are made and the connectors
        // open (they need it only to read a secret); a store that cannot be opened is still the
        // failure reported, as when it was opened first (bench/startup.md, Round 5).
        dev.steward.store.StoreOpening opening = dev.steward.store.StoreOpening.start(workspace.host().store(),
                options.clock());
        ActiveWorkspace active;
        try {
            Optional<dev.steward.store.SecretCipher> cipher = dev.steward.store.SecretCipher.fromEnvironment(options.env());
            active = ActiveWorkspace.activate(workspace, loader.compiler(), loader.factories(), loader.transforms(),
                    options.clock(), system -> opening.secrets(system, cipher), compiling);
        } catch (RuntimeException e) {
            opening.await();
            if (opening.failed()) {
                RuntimeException storeFailure = failure(opening);
                storeFailure.addSuppressed(e);
                throw storeFailure;
            }
            opening.abandon();
            throw e;
        }
        Store store;
        try {
            store = opening.join();
        } catch (RuntimeException e) {
            active.close();
            throw e;
        }
        String rulesVersion = WorkspaceFiles.rulesHash(new WorkspaceFiles(loader).rulesFiles(Map.of()));
        LiveWorkspace live = new LiveWorkspace(active, rulesVersion);
        FlowProgress progress = new FlowProgress();
        SystemGuards guards = guards(workspace, options, store);
        Running running = running(live, store, guards, progress, options);
        HealthMonitor health = new HealthMonitor(store, workspace, guards, progress, options.clock(), options.metrics(),
                options.alerts(), () -> live.current().connectors().unreachable());
        Engine engine = new Engine(loader, ownsLoader, store, live, running, options, progress, health);
        engine.remember(rulesVersion);
        if (options.runWorkers()) {
            int reclaimed = store.expireLeases(owner -> ClaimOwners.deadOnThisHost(owner, options.workerId()));
            if (reclaimed > 0) {
                LOG.info("took back {} events that an earlier process of this host was running when it stopped", reclaimed);
            }
            health.start();
            if (compiling == null) {
                engine.startRunning();
            } else {
                engine.warming = compiling.size() == 1 ? "1 transform compiling" : compiling.size() + " transforms compiling";
                compiling.done().thenRun(() -> engine.warmedUp(active, compiling));
            }
        }
        return engine;
    }

    /** Why {@code opening} (which has failed) could not open the store. */
    private static RuntimeException failure(dev.steward.store.StoreOpening opening) {
        try {
            opening.join();
        } catch (RuntimeException e) {
            return e;
        }
        throw new IllegalStateException("the store opened");
    }

    /** Starts the workers of the configuration running now, and the poll and schedule triggers. */
    private void startRunning() {
        running.workers().start();
        triggers = new dev.steward.run.TriggerRunner(store, live, options.workerId(), options.clock(), TRIGGER_LEASE,
                this::intake);
        triggers.start();
    }

    /**
     * The transforms of the first configuration have compiled (or failed to): flows whose
     * transform failed are set aside (their diagnostics logged, at the script's file:line), as a
     * load that waited for the compile would have done, and the workers start. Events those flows
     * took meanwhile stay stored and are retried as any event of a flow with errors (they run once
     * a save fixes the script). When a save replaced the configuration meanwhile, that one
     * (checked when it was saved) is the one that starts.
     */
    private void warmedUp(ActiveWorkspace first, dev.steward.run.PendingTransforms pending) {
        long millis = pending.elapsedNanos() / 1_000_000;
        synchronized (applyLock) {
            try {
                if (workersStopped.get()) {
                    return;
                }
                Map<String, List<Diagnostic>> failed = pending.failedFlows(first.workspace().flows().values());
                if (failed.isEmpty()) {
                    LOG.info("transforms compiled ({} in {} ms from the load); the workers start", pending.size(), millis);
                } else if (running.active() == first) {
                    failed.values().forEach(diagnostics -> diagnostics.forEach(d -> LOG.error("{}", d)));
                    LOG.error("transforms compiled in {} ms; flows set aside because a transform does not compile: {};"
                            + " their events wait for a fix (a save through the editor or the API), the others run",
                            millis, String.join(", ", failed.keySet()));
                    swap(activate(setAside(first.workspace(), failed), loader, options, store, null), live.rulesVersion(),
                            "the configuration without them");
                }
                warming = null;
                startRunning();
            } catch (RuntimeException e) {
                LOG.error("cannot start the workers after the transforms compiled: {}", e.getMessage(), e);
            } finally {
                warming = null;
            }
        }
    }

    /** {@code workspace} with the flows of these files moved to its flows with errors, with their diagnostics. */
    private static Workspace setAside(Workspace workspace, Map<String, List<Diagnostic>> byFile) {
        Map<String, Flow> flows = new LinkedHashMap<>();
        workspace.flows().forEach((id, flow) -> {
            if (!byFile.containsKey(flow.file())) {
                flows.put(id, flow);
            }
        });
        Map<String, List<Diagnostic>> broken = new LinkedHashMap<>(workspace.brokenFlows());
        // As a load that waited for the compile: the flow's own other findings (its warnings) stay with it.
        byFile.forEach((file, failure) -> {
            java.util.Set<Diagnostic> all = new java.util.LinkedHashSet<>(failure);
            workspace.diagnostics().stream().filter(d -> d.file().equals(file)).forEach(all::add);
            broken.put(file, List.copyOf(all));
        });
        java.util.Set<Diagnostic> diagnostics = new java.util.LinkedHashSet<>(workspace.diagnostics());
        byFile.values().forEach(diagnostics::addAll);
        return new Workspace(workspace.home(), workspace.host(), workspace.systems(), flows, broken,
                workspace.mastership(), workspace.drl(), List.copyOf(diagnostics), workspace.decisionTables());
    }

    /**
     * What the engine still makes before its workers run, for the ready line and {@code /health}
     * ({@code "1 transform compiling"}); empty once they run. Webhooks are taken (and committed)
     * meanwhile.
     */
    public Optional<String> warming() {
        return Optional.ofNullable(warming);
    }

    /** The workspace's rules, transforms and connectors; the connectors keep their secrets in {@code store}. */
    private static ActiveWorkspace activate(Workspace workspace, HomeLoader loader, Options options, Store store) {
        return activate(workspace, loader, options, store, null);
    }

    private static ActiveWorkspace activate(Workspace workspace, HomeLoader loader, Options options, Store store,
                                            dev.steward.run.PendingTransforms pending) {
        Optional<dev.steward.store.SecretCipher> cipher = dev.steward.store.SecretCipher.fromEnvironment(options.env());
        return ActiveWorkspace.activate(workspace, loader.compiler(), loader.factories(), loader.transforms(),
                options.clock(), system -> store.secrets(system, cipher), pending);
    }

    private static SystemGuards guards(Workspace workspace, Options options, Store store) {
        // On a store several hosts share, a system's rate limit is shared too: the vendor counts per account.
        return new SystemGuards(workspace.host().delivery(), workspace.systems().keySet(), options.clock(), options.metrics(),
                store.isShared() ? java.util.Optional.of(store) : java.util.Optional.empty());
    }

    /** A runner and workers for the live workspace now, the workers holding a lease on it (not started). */
    private static Running running(LiveWorkspace live, Store store, SystemGuards guards, FlowProgress progress,
                                   Options options) {
        LiveWorkspace.Lease lease = live.acquire();
        ActiveWorkspace active = lease.active();
        FlowRunner runner = new FlowRunner(active, options.metrics(), options.clock(), guards, lease.rulesVersion());
        EventWorkers workers = new EventWorkers(store, active, runner, active.workspace().host().workers(),
                options.workerId(), options.clock(), options.retry(), options.random(), options.metrics(), progress,
                options.alerts(), active.workspace().host().store().lease());
        return new Running(active, runner, workers, guards, lease);
    }

    /** The workspace running now; a save through {@link #apply} replaces it. */
    public Workspace workspace() {
        return live.current().workspace();
    }

    /**
     * The store itself, for the engine's own tests. A host uses the query methods instead
     * ({@link #events}, {@link #event}, {@link #deadLetters}, {@link #holds}, {@link #access()}).
     */
    public Store store() {
        return store;
    }

    /** The users, tokens, sessions and audit log of this engine's store. */
    public AccessBook access() {
        return access;
    }

    /** Audits of the systems' mastered fields, their repairs and stored results. */
    public Audits audits() {
        return audits;
    }

    /** The live configuration, for the run path: see {@link LiveWorkspace}. */
    public LiveWorkspace live() {
        return live;
    }

    /**
     * Persists one delivery for a flow and returns its event id; a repeated delivery id returns
     * the first event's id. The payload must be JSON with the flow's key.
     */
    public Received receive(Flow flow, Optional<String> deliveryId, byte[] body) {
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
        Intake intake = intake(new NewEvent(flow.id(), deliveryId.orElse(null), flow.entity(), key,
                Values.canonical(payload)));
        return new Received(intake.eventId(), intake.duplicate());
    }

    /**
     * Persists the notifications a webhook format read from one delivery, one event each, in one
     * store transaction; a notification id already stored for the flow answers the first event's
     * id, marked duplicate. Answers one {@link Received} per notification, in order.
     *
     * @param ids the notifications' ids as the store keeps them, in order
     */
    public List<Received> receiveAll(Flow flow, List<dev.steward.plugin.WebhookDelivery.Notification> notifications,
                                     List<String> ids) {
        List<Intake> intakes = store.acceptAll(dev.steward.run.NotificationEvents.of(flow, notifications, ids));
        String format = flow.webhook().flatMap(hook -> hook.format()).orElse("none");
        int fresh = 0;
        for (Intake intake : intakes) {
            options.metrics().counter("steward.events.received", "flow", flow.id(),
                    "duplicate", String.valueOf(intake.duplicate())).increment();
            options.metrics().counter("steward.webhook.notifications", "flow", flow.id(), "format", format,
                    "duplicate", String.valueOf(intake.duplicate())).increment();
            fresh += intake.duplicate() ? 0 : 1;
        }
        if (fresh > 0) {
            progress.received(flow.id(), options.clock().instant()); // the store's commit woke the workers
        }
        return intakes.stream().map(intake -> new Received(intake.eventId(), intake.duplicate())).toList();
    }

    /** The names of the webhook formats flows may name. */
    public java.util.Set<String> webhookFormats() {
        return new java.util.TreeSet<>(loader.formats().keySet());
    }

    /** A webhook format by name: on the class path or from a plugin jar. */
    public Optional<dev.steward.plugin.WebhookFormat> webhookFormat(String name) {
        return Optional.ofNullable(loader.formats().get(name));
    }

    /**
     * Stores an event, from a webhook or a poll or schedule trigger; the store's commit wakes the
     * workers for it (see {@link Store#onEventsStored}).
     */
    private Intake intake(NewEvent event) {
        Intake intake = store.accept(event);
        options.metrics().counter("steward.events.received", "flow", event.flowId(),
                "duplicate", String.valueOf(intake.duplicate())).increment();
        if (!intake.duplicate()) {
            progress.received(event.flowId(), options.clock().instant());
        }
        return intake;
    }

    /**
     * Health now: {@code up}, {@code degraded} with the reasons, or {@code down} when the store
     * cannot be reached. Raises the health alert if the status changed.
     */
    public Health health() {
        String still = warming; // as the request found it: the check below may take a while
        Health now = health.check();
        if (still == null) {
            return now;
        }
        Map<String, Object> details = new LinkedHashMap<>(now.details());
        details.put("warming", still + "; webhooks are taken, runs start when it is done");
        return new Health(now.status(), now.reasons(), details);
    }

    /** Each system's circuit breaker: state, since when, failure rate, last failure. */
    public java.util.List<dev.steward.api.BreakerStatus> breakers() {
        return running.guards().breakers().stream().map(b -> new dev.steward.api.BreakerStatus(b.system(), b.state(), b.since(),
                b.failureRate(), b.lastFailure())).toList();
    }

    /** {@link #dryRun} as the API shows it. */
    public DryRun preview(Flow flow, byte[] body) {
        RunResult result = dryRun(flow, body);
        return new DryRun(result.status().name().toLowerCase(Locale.ROOT), result.error(), result.trace());
    }

    /** Runs a payload through a flow without writing or remembering anything. */
    public RunResult dryRun(Flow flow, byte[] body) {
        JsonNode payload = parse(body);
        if (Values.key(Values.at(payload, flow.keyPath())).isEmpty()) {
            throw new PayloadRejectedException("the payload has no record key at '" + flow.keyPath() + "'", false);
        }
        String key = Values.key(Values.at(payload, flow.keyPath())).orElseThrow();
        Running now;
        LiveWorkspace.Lease lease;
        synchronized (swapLock) {
            now = running;
            lease = live.acquire();
        }
        try (lease) {
            dev.steward.store.RecordKey record = new dev.steward.store.RecordKey(flow.entity(), key);
            dev.steward.store.RecordState state = store.recordStates(java.util.List.of(record), now.runner().historySince())
                    .get(record);
            return now.runner().run(flow, "dry-run", 1, payload, new dev.steward.store.RunEffects(state, "dry-run"), true);
        }
    }

    /**
     * Sends a dead letter or quarantined event back to be run again, optionally with an edited
     * payload (the original is kept by the store). An event that succeeded, or is still open, is
     * left alone. An edit must be a JSON object with the same record key, since the event's place
     * in its record's order is kept.
     *
     * @throws PayloadRejectedException when the edited payload is not such an object
     */
    public ReplayOutcome replay(String eventId, Optional<byte[]> editedPayload) {
        Optional<String> edited = Optional.empty();
        if (editedPayload.isPresent()) {
            Optional<StoredEvent> event = store.event(eventId);
            if (event.isEmpty()) {
                return ReplayOutcome.NOT_FOUND;
            }
            JsonNode payload = parse(editedPayload.get());
            Flow flow = workspace().flows().get(event.get().flowId());
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
            running.workers().wake();
        }
        return ReplayOutcome.valueOf(replay.name());
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
            running.workers().wake();
        }
        return replayed;
    }

    /** One record as a system holds it, through that system's connector. */
    public RecordView read(String system, String entity, String key) {
        try (LiveWorkspace.Lease lease = live.acquire()) {
            return read(lease.active(), system, entity, key);
        }
    }

    private RecordView read(ActiveWorkspace active, String system, String entity, String key) {
        Workspace workspace = active.workspace();
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
        store.ledger(system, entity, key).forEach((field, entry) -> {
            Map<String, Object> write = new LinkedHashMap<>(); // a value Steward wrote may be null
            write.put("value", Values.plain(Values.parse(entry.valueJson())));
            write.put("event", String.valueOf(entry.eventId()));
            write.put("at", entry.writtenAt().toString());
            write.put("echoed", entry.echoed());
            written.put(field, write);
        });
        return new RecordView(system, entity, key, found.isPresent(), canonical, nativeValues, known, written);
    }

    /**
     * The newest events first, of one flow and in one status when given.
     *
     * @param status a status name ({@code pending}, {@code failed}, ...; see {@link #eventStatuses()})
     * @throws IllegalArgumentException when the status is not one
     */
    public List<EventRecord> events(int limit, Optional<String> flowId, Optional<String> status) {
        return events(limit, flowId, status, Optional.empty());
    }

    /**
     * The newest events first, of one flow, in one status and of one record key when given.
     *
     * @throws IllegalArgumentException when the status is not one
     */
    public List<EventRecord> events(int limit, Optional<String> flowId, Optional<String> status, Optional<String> key) {
        Optional<EventStatus> parsed = status.map(s -> {
            try {
                return EventStatus.valueOf(s.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("status must be one of " + eventStatuses());
            }
        });
        return store.recent(limit, flowId, parsed, key).stream().map(e -> Views.event(e, false, false)).toList();
    }

    /** The names an event's status may have. */
    public static List<String> eventStatuses() {
        return java.util.Arrays.stream(EventStatus.values()).map(s -> s.name().toLowerCase(Locale.ROOT)).toList();
    }

    /** One event with its payload, trace, original payload (when a replay edited it) and attempts. */
    public Optional<EventDetail> event(String id) {
        return store.event(id).map(e -> new EventDetail(Views.event(e, true, true), store.originalPayload(id).map(Values::parse),
                store.attempts(id).stream().map(Views::attempt).toList()));
    }

    /** The hex SHA-256 of an event's payload as stored, for the audit log; empty when there is no such event. */
    public Optional<String> payloadSha256(String id) {
        return store.event(id).map(e -> WorkspaceFiles.sha256(e.payload()));
    }

    /** The newest dead letters and quarantined events first, each with its failure's cause. */
    public List<EventRecord> deadLetters(int limit, Optional<String> flowId) {
        return store.deadLetters(limit, flowId).stream().map(e -> Views.event(e, false, true)).toList();
    }

    /** The newest {@code scan} dead letters (of one flow, when given) grouped by kind of failure. */
    public ErrorSummary errors(Optional<String> flowId, int scan) {
        return Views.errors(store.deadLetters(scan, flowId), scan);
    }

    /** The fields the flip-flop breaker stopped writing. */
    public List<HoldRecord> holds() {
        return store.holds().stream().map(Views::hold).toList();
    }

    /** Lets Steward write a held field again; false when there is no such hold. */
    public boolean releaseHold(String entity, String key, String field) {
        return store.releaseHold(entity, key, field);
    }

    /**
     * An editable workspace file as saved (see {@link WorkspacePath} for which).
     *
     * @throws dev.steward.api.PathNotEditableException when the path is not an editable file's
     * @throws dev.steward.api.NoSuchWorkspaceFileException when there is no such file yet
     */
    public WorkspaceFile file(String path) {
        return files.read(path);
    }

    /**
     * Checks drafts of workspace files (path to text) against the rest of the workspace, and
     * when {@code save} and they are valid, writes them and swaps the running configuration to
     * them without a restart: runs already going finish on the old configuration, every run
     * that starts later uses the new one. Invalid drafts change nothing. One apply at a time.
     *
     * @throws dev.steward.api.PathNotEditableException when a path is not an editable file's
     * @throws dev.steward.api.FileTooLargeException when a draft is too long
     */
    public Validation apply(Map<String, String> drafts, boolean save) {
        if (drafts.isEmpty()) {
            throw new PathNotEditableException("no file named");
        }
        synchronized (applyLock) {
            WorkspaceFiles.Check check = files.check(drafts, workspace());
            Map<String, String> before = new LinkedHashMap<>();
            drafts.keySet().forEach(path -> before.put(path, files.hashNow(WorkspacePath.of(path))));
            String version = WorkspaceFiles.rulesHash(files.rulesFiles(drafts));
            if (!check.valid() || !save) {
                return new Validation(check.valid(), false, check.diagnostics(), before, Optional.of(version));
            }
            ActiveWorkspace next;
            try {
                next = activate(check.workspace(), loader, options, store);
            } catch (RuntimeException e) {
                LOG.debug("the saved configuration cannot start", e);
                List<Diagnostic> diagnostics = new java.util.ArrayList<>(check.diagnostics());
                diagnostics.add(Diagnostic.error(drafts.keySet().iterator().next(), 0, 0,
                        "the configuration cannot start: " + e.getMessage()));
                return new Validation(false, false, List.copyOf(diagnostics), before, Optional.of(version));
            }
            try {
                files.write(drafts);
            } catch (RuntimeException e) {
                next.close();
                throw e;
            }
            swap(next, version, "the saved configuration");
            return new Validation(true, true, check.diagnostics(), before, Optional.of(version));
        }
    }

    /**
     * Shadow mode: replays the newest {@code limit} stored events of the flows the drafts affect
     * (path to text, overlaid on the workspace) through the running configuration and through the
     * drafts, in memory, and reports the field decisions that differ (see {@link Previews} for the
     * inputs). Writes nothing: no connector is called, nothing is stored. Invalid drafts are
     * replayed on nothing: the answer carries their diagnostics ({@link Preview#validation()}).
     *
     * @throws dev.steward.api.PathNotEditableException when a path is not an editable file's
     * @throws IllegalArgumentException when {@code limit} is outside 1 to {@link Preview#MAX_EVENTS}
     */
    public Preview previewDrafts(Map<String, String> drafts, int limit) {
        if (drafts.isEmpty()) {
            throw new PathNotEditableException("no file named");
        }
        int events = Previews.limit(limit);
        long started = System.nanoTime();
        WorkspaceFiles.Check check;
        synchronized (applyLock) {
            check = files.check(drafts, workspace());
        }
        String draftVersion = WorkspaceFiles.rulesHash(files.rulesFiles(drafts));
        if (!check.valid()) {
            return Preview.refused(new Validation(false, false, check.diagnostics(), Map.of(), Optional.of(draftVersion)));
        }
        try (LiveWorkspace.Lease lease = live.acquire();
             dev.steward.run.DecisionReplay now = dev.steward.run.DecisionReplay.of(lease.active());
             dev.steward.run.DecisionReplay next = dev.steward.run.DecisionReplay.compile(check.workspace(),
                     loader.compiler(), loader.transforms())) {
            java.util.Set<String> changed = new java.util.TreeSet<>();
            drafts.forEach((path, text) -> {
                if (!java.util.Objects.equals(files.hashNow(WorkspacePath.of(path)), WorkspaceFiles.sha256(text))) {
                    changed.add(WorkspacePath.of(path).path());
                }
            });
            java.util.Set<String> affected = Previews.affected(now.workspace(), next.workspace(), changed);
            List<StoredEvent> stored = store.recentOf(events, affected, Optional.empty());
            return Previews.compare(store, now, next, stored, running.runner().historySince(), lease.rulesVersion(),
                    draftVersion, affected, started);
        }
    }

    /**
     * {@code steward preview}: the workspace's files on disk against what the stored events
     * recorded when they ran (each event's trace, under the rules version it ran with), for the
     * newest {@code limit} events of every flow, received at or after {@code since} when given.
     * Events that have not run are left out. Runs nothing and writes nothing; opens the store
     * for reading (with the embedded store, not while a host holds it).
     *
     * @throws dev.steward.UnavailableException when the store cannot be opened
     */
    public static Preview previewHome(Path home, Optional<java.time.Duration> since, int limit) {
        int events = Previews.limit(limit);
        long started = System.nanoTime();
        Clock clock = Clock.systemUTC();
        try (HomeLoader loader = HomeLoader.open(home.toAbsolutePath().normalize(), System::getenv, null)) {
            Workspace workspace = loader.load();
            String draftVersion = WorkspaceFiles.rulesHash(new WorkspaceFiles(loader).rulesFiles(Map.of()));
            try (Store store = Store.open(workspace.host().store(), clock);
                 dev.steward.run.DecisionReplay next = dev.steward.run.DecisionReplay.compile(workspace, loader.compiler(),
                         loader.transforms())) {
                java.util.Set<String> flows = new java.util.TreeSet<>(workspace.flows().keySet());
                List<StoredEvent> stored = store.recentOf(events, flows,
                        since.map(d -> clock.instant().minus(d)));
                String current = stored.stream().map(e -> e.trace() == null ? null
                        : Values.parse(e.trace()).path("rulesVersion").asText(null))
                        .filter(java.util.Objects::nonNull).findFirst().orElse(null);
                return Previews.compare(store, null, next, stored, clock.instant(), current, draftVersion, flows, started);
            }
        }
    }

    /**
     * The conflicts prevented (rejected changes, quarantined fields, heals, echoes, holds) per
     * entity, field and UTC day, as the store counts them across restarts and hosts: today
     * ({@code week} false) or the seven days ending today.
     */
    public dev.steward.api.ConflictStats conflictStats(boolean week) {
        java.time.LocalDate to = options.clock().instant().atOffset(java.time.ZoneOffset.UTC).toLocalDate();
        java.time.LocalDate from = week ? to.minusDays(6) : to;
        return Stats.of(week ? "week" : "day", from, to, store.conflictCounts(from, to));
    }

    /** The rules version running now: a short hex SHA-256 over the {@code rules/} files. */
    public String rulesVersion() {
        return live.rulesVersion();
    }

    /** The rules versions that ran since this engine started, the newest (the one running) first. */
    public List<RulesVersion> rulesVersions() {
        return versions.recent();
    }

    private void remember(String version) {
        versions.live(version, List.copyOf(files.rulesFiles(Map.of()).keySet()));
    }

    /**
     * Makes {@code next} the live configuration: new workers on it start once the old ones have
     * finished their runs (within the shutdown grace; the rest are handed back and run again on
     * the new one), and the old configuration closes when nothing holds it any more.
     */
    private void swap(ActiveWorkspace next, String version, String what) {
        Running old;
        Running fresh;
        synchronized (swapLock) {
            old = running;
            SystemGuards guards = old.active().workspace().systems().keySet().equals(next.workspace().systems().keySet())
                    ? old.guards() : guards(next.workspace(), options, store);
            live.swap(next, version);
            fresh = running(live, store, guards, progress, options);
            running = fresh;
        }
        remember(version);
        LOG.info("{} is live: {} flows active, {} with errors; rules version {}", what,
                next.workspace().flows().size(), next.workspace().brokenFlows().size(), version);
        if (options.runWorkers() && !workersStopped.get() && warming == null) {
            old.workers().stop(next.workspace().host().shutdownGrace());
            fresh.workers().start();
            fresh.workers().wake();
        } else {
            old.workers().stop(java.time.Duration.ZERO);
        }
        old.lease().close();
    }

    private static JsonNode parse(byte[] body) {
        return PayloadReader.read(body);
    }

    /** {@link #stop(java.time.Duration)} with the workspace's {@code host.shutdownGrace}. */
    @Override
    public void close() {
        stop(workspace().host().shutdownGrace());
    }

    /**
     * Stops in the order that loses nothing: {@link #stopWorkers} (if not done yet), then the
     * connectors close, then the store, last. Call once, after intake has stopped.
     */
    public void stop(java.time.Duration grace) {
        audits.close();
        stopWorkers(grace);
        synchronized (swapLock) {
            running.lease().close();
            live.close();
        }
        store.close();
        if (ownsLoader) {
            loader.close();
        }
    }

    /**
     * The workers claim nothing more and finish their runs within {@code grace}; those still going
     * then are handed back (see {@link EventWorkers#stop}). The store stays open, so that the API
     * can still answer until the host closes its listeners. Only the first call does anything.
     */
    public void stopWorkers(java.time.Duration grace) {
        synchronized (applyLock) {
            if (workersStopped.compareAndSet(false, true)) {
                if (triggers != null) {
                    triggers.close();
                }
                health.close();
                running.workers().stop(grace);
            }
        }
    }
}
