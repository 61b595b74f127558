package dev.steward.run;

import com.fasterxml.jackson.databind.JsonNode;
import dev.steward.model.Flow;
import dev.steward.model.RetrySettings;
import dev.steward.store.Attempt;
import dev.steward.store.EventStatus;
import dev.steward.store.RecordKey;
import dev.steward.store.RecordState;
import dev.steward.store.RunEffects;
import dev.steward.store.RunOutcome;
import dev.steward.store.Store;
import dev.steward.store.StoredEvent;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.random.RandomGenerator;

/**
 * Claims events from the store in batches and runs them on a pool of worker threads. The store
 * decides what may run (one event at a time per record, in order); this class keeps the pool
 * busy. Per batch: one claim transaction, one read of every claimed record's state, then each
 * run on a worker, its outcome handed to the store's group commit ({@link Store#commitLater}).
 * A run holds its slot until its outcome is committed, so the number of runs claimed and not yet
 * recorded stays bounded. Lifecycle: {@link #start()} once, {@link #close()} once;
 * {@link #wake()} from any thread.
 *
 * <p>Leases and heartbeats: a claim lasts {@code lease} ({@code store.lease}); a heartbeat thread
 * renews the claims this host still holds every third of it, so a long run is never taken over
 * while its host lives, and the events of a host that died or froze are claimed by another
 * after at most the lease and one poll. Each claim carries its claim token, and a run's outcome
 * is recorded only with it: a host that wakes after its lease was taken over records nothing.
 */
public final class EventWorkers implements AutoCloseable {

    private static final Duration IDLE_POLL = Duration.ofMillis(250);
    /** At most this many events per claim, whatever the free slots. */
    static final int MAX_CLAIM = 200;
    private static final Duration SUMMARY_EVERY = Duration.ofMinutes(1);
    private static final Logger LOG = LoggerFactory.getLogger(EventWorkers.class);

    private final Store store;
    private final Duration lease;
    /** The events this host has claimed and not yet finished recording: event id to claim token. */
    private final java.util.concurrent.ConcurrentHashMap<String, Long> held = new java.util.concurrent.ConcurrentHashMap<>();
    /**
     * The held events whose outcome is handed to the group commit: from just before the hand-over
     * until their slot is released (after they leave {@link #held}). A renewal that finds one of
     * them no longer RUNNING most likely met its own outcome's commit, not a takeover; a real
     * takeover of one is reported when its outcome is refused.
     */
    private final java.util.Set<String> committing = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private Thread heartbeat;
    private final ActiveWorkspace active;
    private final FlowRunner runner;
    private final String workerId;
    private final Clock clock;
    private final RetryPolicy retry;
    private final RandomGenerator random;
    private final MeterRegistry metrics;
    private final FlowProgress progress;
    private final AlertSink alerts;
    private final int threads;
    private final Semaphore slots;
    private final int capacity;
    private final RunSummary summary = new RunSummary();
    private Instant lastSummary;
    private final java.util.concurrent.ThreadPoolExecutor pool;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition signal = lock.newCondition();
    private volatile boolean running;
    /** Set once the runs still going at the end of the grace were handed back: their failures are expected. */
    private volatile boolean handedBack;
    private boolean woken;
    private Thread dispatcher;

    /**
     * @param retry the host's retry policy; a flow's and a step's {@code retry:} apply over it
     */
    public EventWorkers(Store store, ActiveWorkspace active, FlowRunner runner, int threads, String workerId,
                 Clock clock, RetryPolicy retry, RandomGenerator random, MeterRegistry metrics, FlowProgress progress,
                 AlertSink alerts, Duration lease) {
        this.store = store;
        this.lease = lease;
        this.active = active;
        this.runner = runner;
        this.threads = threads;
        this.workerId = workerId;
        this.clock = clock;
        this.retry = retry;
        this.random = random;
        this.metrics = metrics;
        this.progress = progress;
        this.alerts = alerts;
        // Room for a whole claim batch, and at least twice the threads: while one run's outcome
        // waits for its commit, the next run goes.
        this.capacity = Math.max(2 * threads, MAX_CLAIM);
        this.slots = new Semaphore(capacity);
        this.pool = (java.util.concurrent.ThreadPoolExecutor) Executors.newFixedThreadPool(threads,
                Thread.ofPlatform().name("steward-worker-", 1).factory());
    }

    public void start() {
        running = true;
        dispatcher = Thread.ofPlatform().name("steward-dispatcher").start(this::dispatch);
        heartbeat = Thread.ofPlatform().name("steward-heartbeat").daemon().start(this::beat);
    }

    /** Renews this host's claims every third of the lease, until {@link #stop} ends. */
    private void beat() {
        long every = Math.max(100, lease.toMillis() / 3);
        while (!Thread.currentThread().isInterrupted()) {
            try {
                Thread.sleep(every);
            } catch (InterruptedException e) {
                return;
            }
            if (held.isEmpty()) {
                continue;
            }
            try {
                java.util.Set<String> lost = store.renewLeases(workerId, Map.copyOf(held), lease);
                // A run that ended meanwhile is no longer RUNNING either; only the ones still held were
                // lost. An outcome committed while the renewal ran leaves its event held for a moment
                // after the commit (until the committer has completed the batch's futures): not lost.
                lost.removeIf(id -> !held.containsKey(id) || committing.contains(id));
                if (!lost.isEmpty()) {
                    LOG.warn("{} runs lost their lease (this host was paused or cut off past it) and were taken over;"
                            + " their outcomes will not be recorded: {}", lost.size(), LogText.of(String.join(", ", lost)));
                }
            } catch (RuntimeException e) {
                LOG.warn("cannot renew the leases of {} runs: {}", held.size(), LogText.of(e.getMessage()));
            }
        }
    }

    /** One claimed event to run on the pool; a stopping host hands back the ones still queued. */
    private final class Run implements Runnable {
        final StoredEvent event;
        final RecordState state;

        Run(StoredEvent event, RecordState state) {
            this.event = event;
            this.state = state;
        }

        @Override
        public void run() {
            boolean handed = false;
            try {
                handed = process(event, state);
            } finally {
                if (!handed) {
                    release(event);
                }
            }
        }
    }

    /** Tells the dispatcher that there may be work, so a new event does not wait for the next poll. */
    public void wake() {
        lock.lock();
        try {
            woken = true;
            signal.signal();
        } finally {
            lock.unlock();
        }
    }

    private void dispatch() {
        lastSummary = clock.instant();
        while (running) {
            int free = Math.min(slots.availablePermits(), MAX_CLAIM);
            List<StoredEvent> claimed = List.of();
            if (free > 0 && worthClaiming(free)) {
                try {
                    claimed = store.claim(workerId, free, lease);
                } catch (RuntimeException e) {
                    LOG.warn("cannot claim events: {}", e.getMessage());
                }
            }
            Map<RecordKey, RecordState> states = Map.of();
            if (!claimed.isEmpty()) {
                try {
                    states = store.recordStates(claimed.stream().map(e -> new RecordKey(e.entity(), e.key())).toList(),
                            runner.historySince());
                } catch (RuntimeException e) {
                    // Each run reads its own state then, or fails and retries like any run the store let down.
                    LOG.warn("cannot read the state of {} claimed records at once: {}", claimed.size(), e.getMessage());
                }
            }
            claimed.forEach(event -> held.put(event.id(), event.claim()));
            for (int i = 0; i < claimed.size(); i++) {
                StoredEvent event = claimed.get(i);
                if (!acquireSlot()) {
                    handBack(claimed.subList(i, claimed.size()), false);
                    break;
                }
                pool.execute(new Run(event, states.get(new RecordKey(event.entity(), event.key()))));
            }
            summarize();
            if (claimed.isEmpty() || !worthClaiming(Math.min(slots.availablePermits(), MAX_CLAIM))) {
                await();
            }
        }
    }

    /**
     * Whether to claim now with {@code free} slots: when the workers may soon have nothing to do
     * (at most one run per thread left in hand), or when half the capacity is free. Otherwise
     * the dispatcher waits for more runs to finish, so that a busy host claims (and reads the
     * records' state) in batches of about half its capacity instead of one event per finished
     * run: each claim is a transaction whose commit costs about the same for 1 event as for 100.
     */
    private boolean worthClaiming(int free) {
        int inHand = capacity - slots.availablePermits();
        return free > 0 && (inHand <= threads || free >= capacity / 2);
    }

    /** Waits for a free slot; false when the workers stop meanwhile. */
    private boolean acquireSlot() {
        while (running) {
            try {
                if (slots.tryAcquire(100, TimeUnit.MILLISECONDS)) {
                    return true;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return false;
    }

    /**
     * Gives back claimed events whose runs never started, so that any host claims them at once;
     * with {@code slotsHeld}, each one's slot is released too.
     */
    private void handBack(List<StoredEvent> events, boolean slotsHeld) {
        if (events.isEmpty()) {
            return;
        }
        Map<String, Long> claims = new java.util.HashMap<>();
        events.forEach(event -> claims.put(event.id(), event.claim()));
        try {
            int handed = store.handBack(workerId, claims);
            LOG.info("handed back {} claimed events that had not started, for any host to run now", handed);
        } catch (RuntimeException e) {
            LOG.warn("cannot hand back {} claimed events: {}; they run again when their leases expire", events.size(),
                    LogText.of(e.getMessage()));
        }
        for (StoredEvent event : events) {
            if (slotsHeld) {
                release(event);
            } else {
                held.remove(event.id());
            }
        }
    }

    private void release(StoredEvent event) {
        held.remove(event.id());
        committing.remove(event.id());
        slots.release();
        wake();
    }

    /** An INFO line a minute while there is work: runs by outcome, and the backlog. */
    private void summarize() {
        Instant now = clock.instant();
        if (Duration.between(lastSummary, now).compareTo(SUMMARY_EVERY) < 0) {
            return;
        }
        lastSummary = now;
        RunSummary.Counts counts = summary.takeCounts();
        long backlog;
        try {
            backlog = store.countByStatus().get(EventStatus.PENDING);
        } catch (RuntimeException e) {
            backlog = -1;
        }
        if (counts.total() == 0 && backlog <= 0) {
            return;
        }
        LOG.info("last {} s: {} runs succeeded, {} quarantined, {} dead-lettered, {} to retry, {} deferred; {} events waiting",
                SUMMARY_EVERY.toSeconds(), counts.succeeded(), counts.invalid(), counts.failed(), counts.retried(),
                counts.deferred(), backlog < 0 ? "unknown" : backlog);
    }

    private void await() {
        lock.lock();
        try {
            if (!woken && running) {
                signal.await(IDLE_POLL.toMillis(), TimeUnit.MILLISECONDS);
            }
            woken = false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Runs one claimed event and hands its outcome to the store's group commit. Returns whether
     * it did: then the commit's completion releases the event's slot; otherwise the caller does.
     */
    private boolean process(StoredEvent event, RecordState batchState) {
        MDC.put("flow", event.flowId());
        MDC.put("event", event.id());
        MDC.put("attempt", String.valueOf(event.attempts()));
        long started = System.nanoTime();
        Instant startedAt = clock.instant();
        try {
            Flow flow = active.workspace().flows().get(event.flowId());
            if (flow == null) {
                return retryOrGiveUp(event, null, startedAt, null, "flow '" + event.flowId() + "' is not loaded (removed, or its file has errors)",
                        java.util.Optional.empty(), RetrySettings.NONE, null);
            }
            JsonNode payload = Values.JSON.readTree(event.payload());
            java.util.Optional<String> unusable = PayloadReader.numberOutOfRange(payload);
            if (unusable.isPresent()) {
                // Stored before intake bounded numbers; running it would hold a worker, and fail, every time.
                return giveUp(event, startedAt, null, unusable.get(), null);
            }
            RecordState state = batchState != null ? batchState : store.recordStates(
                    List.of(new RecordKey(event.entity(), event.key())), runner.historySince()).values().iterator().next();
            RunEffects effects = new RunEffects(state, event.id());
            RunResult result = runner.run(flow, event.id(), event.attempts(), payload, effects, false,
                    FlowRunner.earlierCalls(event.trace()));
            String trace = result.trace() == null ? null : FlowRunner.json(result.trace());
            if (result.deferral().isPresent()) {
                return defer(event, flow, trace, result.deferral().get(), effects);
            } else if (result.retry()) {
                return retryOrGiveUp(event, flow, startedAt, trace, result.error(), result.retryAfter(), result.stepRetry(), effects);
            }
            String outcome = result.status().name().toLowerCase(java.util.Locale.ROOT);
            RunOutcome finish = RunOutcome.finish(event.id(), workerId, result.status(), trace, result.error(),
                    attempt(event, startedAt, outcome, result.error()), effects);
            long elapsed = (System.nanoTime() - started) / 1_000_000;
            commit(event, finish, () -> {
                if (result.status() == EventStatus.SUCCEEDED || result.status() == EventStatus.FILTERED) {
                    // A filtered event is handled, not an error: the flow is as healthy as after a success.
                    progress.succeeded(event.flowId(), clock.instant());
                    summary.succeeded();
                } else {
                    deadLetter(event, result.status(), result.error(), trace);
                }
                metrics.counter("steward.attempts", "flow", event.flowId(), "outcome", outcome).increment();
            });
            metrics.counter("steward.runs", "flow", event.flowId(), "status", outcome).increment();
            if (LOG.isDebugEnabled()) {
                LOG.debug("{} {} {}[{}] in {} ms{}", event.flowId(), outcome, flow.entity(), LogText.of(event.key()), elapsed,
                        result.error() == null ? "" : ": " + LogText.of(result.error()));
            }
            return true;
        } catch (Exception e) {
            if (handedBack) {
                LOG.info("{} [{}] stopped with the host ({}); it runs again from the start", event.flowId(), LogText.of(event.key()), LogText.of(e.toString()));
                return false;
            }
            String error = e instanceof dev.steward.plugin.ConnectorException ? e.getMessage() : "internal error: " + e;
            LogText.error(LOG, "run of " + event.entity() + "[" + LogText.of(event.key()) + "] failed", e);
            try {
                if (FailureKind.of(e) == FailureKind.PERMANENT) {
                    // The same input would meet the same error: a dead letter now, not a worker held through every retry.
                    return giveUp(event, startedAt, null, error, null);
                }
                return retryOrGiveUp(event, null, startedAt, null, error, java.util.Optional.empty(), RetrySettings.NONE, null);
            } catch (RuntimeException again) {
                LOG.error("cannot record the failure; the event's lease will expire and it will run again", again);
                return false;
            }
        } finally {
            MDC.clear();
        }
    }

    private Attempt attempt(StoredEvent event, Instant startedAt, String outcome, String error) {
        return new Attempt(event.id(), event.attempts(), startedAt, clock.instant(), outcome, error);
    }

    /**
     * Hands an outcome to the store's group commit; once committed, runs {@code afterCommit} if
     * it applied (the event was still this host's), then releases the event's slot.
     */
    private void commit(StoredEvent event, RunOutcome outcome, Runnable afterCommit) {
        committing.add(event.id());
        store.commitLater(outcome.fencedBy(event.claim())).whenComplete((applied, failure) -> {
            try {
                if (failure != null) {
                    LOG.warn("cannot record the outcome of {} [{}]; it runs again when its lease ends: {}", event.flowId(),
                            LogText.of(event.key()), LogText.of(failure.getMessage()));
                } else if (!applied) {
                    LOG.warn("{} [{}]: the outcome of attempt {} was not recorded: the event was taken over after this"
                            + " host's lease ran out", event.flowId(), LogText.of(event.key()), event.attempts());
                } else {
                    afterCommit.run();
                    if (outcome.effects() != null) {
                        outcome.effects().counted(outcome.kind()).forEach(t -> metrics.counter("steward.conflicts.prevented",
                                "entity", t.entity(), "field", t.field(), "kind", t.kind().label()).increment());
                    }
                }
            } catch (RuntimeException e) {
                LOG.warn("after recording {}: {}", event.id(), e.toString());
            } finally {
                release(event);
            }
        });
    }

    /** The policy for an event of this flow: the host's, then the flow's, then the failed step's. */
    private RetryPolicy policy(Flow flow, RetrySettings step) {
        RetryPolicy policy = retry.with(active.workspace().host().delivery().retry());
        return flow == null ? policy.with(step) : policy.with(flow.retry()).with(step);
    }

    private boolean retryOrGiveUp(StoredEvent event, Flow flow, Instant startedAt, String trace, String error,
                                  java.util.Optional<Duration> retryAfter, RetrySettings step, RunEffects effects) {
        RetryPolicy.Next next = policy(flow, step).afterFailure(event.attempts(), receivedAt(event), clock.instant(),
                retryAfter, random);
        if (next instanceof RetryPolicy.Next.GiveUp giveUp) {
            return giveUp(event, startedAt, trace, giveUp.why() + ": " + error, effects);
        }
        Instant at = ((RetryPolicy.Next.RunAt) next).at();
        commit(event, RunOutcome.retry(event.id(), workerId, at, trace, error, attempt(event, startedAt, "retry", error), effects),
                () -> {
                    metrics.counter("steward.attempts", "flow", event.flowId(), "outcome", "retry").increment();
                    summary.retried();
                });
        metrics.counter("steward.retries", "flow", event.flowId()).increment();
        LOG.debug("{} will retry at {}: {}", event.flowId(), at, LogText.of(error));
        return true;
    }

    /**
     * A run that a system's guards stopped before any call: back to pending, without counting the
     * attempt, unless that would take it past its retry horizon.
     */
    private boolean defer(StoredEvent event, Flow flow, String trace, SystemGuards.Deferral deferral, RunEffects effects) {
        int attemptsUsed = event.attempts() - 1;
        RetryPolicy.Next next = policy(flow, RetrySettings.NONE).afterDeferral(deferral.delay(), deferral.kind() == SystemGuards.DeferralKind.RATE_LIMITED, attemptsUsed,
                receivedAt(event), clock.instant(), random);
        if (next instanceof RetryPolicy.Next.GiveUp giveUp) {
            return giveUp(event, clock.instant(), trace, giveUp.why() + ": " + deferral.system() + " " + deferral.reason()
                    + (event.error() == null ? "" : "; last error: " + event.error()), effects);
        }
        Instant at = ((RetryPolicy.Next.RunAt) next).at();
        commit(event, RunOutcome.defer(event.id(), workerId, at, trace, effects), summary::deferred);
        LOG.debug("{} deferred until {}: {}", event.flowId(), at, LogText.of(deferral.describe()));
        return true;
    }

    private boolean giveUp(StoredEvent event, Instant startedAt, String trace, String message, RunEffects effects) {
        commit(event, RunOutcome.finish(event.id(), workerId, EventStatus.FAILED, trace, message,
                attempt(event, startedAt, "failed", message), effects), () -> {
                    metrics.counter("steward.attempts", "flow", event.flowId(), "outcome", "failed").increment();
                    deadLetter(event, EventStatus.FAILED, message, trace);
                });
        metrics.counter("steward.runs", "flow", event.flowId(), "status", "failed").increment();
        LOG.warn("{} dead-lettered: {}", event.flowId(), LogText.of(message));
        return true;
    }

    /** Counts a dead letter (or a quarantined record) and raises its alert. */
    private void deadLetter(StoredEvent event, EventStatus status, String error, String trace) {
        if (status == EventStatus.INVALID) {
            summary.invalid();
        } else {
            summary.failed();
        }
        String label = status.name().toLowerCase(java.util.Locale.ROOT);
        metrics.counter("steward.dead.letters", "flow", event.flowId(), "status", label).increment();
        java.util.Map<String, Object> details = new java.util.LinkedHashMap<>();
        details.put("eventId", event.id());
        details.put("flow", event.flowId());
        details.put("entity", event.entity());
        details.put("key", event.key());
        details.put("status", label);
        details.put("attempts", event.attempts());
        details.put("error", error);
        FailureCause cause = FailureCause.of(new StoredEvent(event.id(), event.seq(), event.flowId(), event.deliveryId(),
                event.entity(), event.key(), event.payload(), status, event.attempts(), event.receivedAt(),
                event.nextAttemptAt(), clock.instant(), trace, error));
        details.put("system", cause.system());
        details.put("cause", cause.cause());
        try {
            alerts.raise(new Alert("dead-letter", clock.instant(), details));
        } catch (RuntimeException e) {
            LOG.warn("cannot raise the alert for dead letter {}: {}", event.id(), LogText.of(e.getMessage()));
        }
    }

    private Instant receivedAt(StoredEvent event) {
        return event.receivedAt() == null ? clock.instant() : event.receivedAt();
    }

    public int threads() {
        return threads;
    }

    private void stopHeartbeat() {
        if (heartbeat != null) {
            heartbeat.interrupt();
            try {
                heartbeat.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** {@link #stop(Duration)} with a 20-second grace. */
    @Override
    public void close() {
        stop(Duration.ofSeconds(20));
    }

    /**
     * Claims nothing more, lets the runs in progress finish within {@code grace}, then hands
     * the ones still going back at once: their leases end, so the next host to start (or another
     * host on a shared store) claims them right away instead of after the lease. Their
     * threads are interrupted; what they did is done again by that next run, which is why a
     * target should honour {@code Idempotency-Key}. Returns how many were handed back.
     */
    public int stop(Duration grace) {
        long deadline = System.nanoTime() + grace.toNanos();
        running = false;
        wake();
        try {
            if (dispatcher != null) {
                dispatcher.join(Math.max(1, grace.toMillis()));
            }
            // Claimed, still queued, not started: back to the store at once, for any host to run now.
            List<Runnable> queued = new java.util.ArrayList<>();
            pool.getQueue().drainTo(queued);
            handBack(queued.stream().filter(Run.class::isInstance).map(r -> ((Run) r).event).toList(), true);
            pool.shutdown();
            if (pool.awaitTermination(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                // Every run is done; wait for their outcomes to be committed too.
                if (slots.tryAcquire(capacity, Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                    slots.release(capacity);
                } else {
                    LOG.warn("outcomes of some runs were still being recorded at the end of the grace");
                }
                stopHeartbeat();
                return 0;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        handedBack = true;
        // No renewal may follow the hand-back below.
        stopHeartbeat();
        int handed = 0;
        try {
            handed = store.expireLeases(workerId::equals);
        } catch (RuntimeException e) {
            LOG.warn("cannot hand back the events still running: {}; they run again when their leases expire", e.getMessage());
        }
        pool.shutdownNow();
        LOG.warn("events still running after the {} ms grace, handed back to run again on the next start: {}",
                grace.toMillis(), handed);
        try {
            pool.awaitTermination(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return handed;
    }
}
