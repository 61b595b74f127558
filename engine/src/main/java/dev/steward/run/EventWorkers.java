package dev.steward.run;

import com.fasterxml.jackson.databind.JsonNode;
import dev.steward.model.Flow;
import dev.steward.model.RetrySettings;
import dev.steward.store.Attempt;
import dev.steward.store.EventStatus;
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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.random.RandomGenerator;

/**
 * Claims events from the store and runs them on a pool of worker threads. The store decides
 * what may run (one event at a time per record, in order); this class only keeps the pool busy.
 * Lifecycle: {@link #start()} once, {@link #close()} once; {@link #wake()} from any thread.
 */
public final class EventWorkers implements AutoCloseable {

    static final Duration LEASE = Duration.ofMinutes(5);
    private static final Duration IDLE_POLL = Duration.ofMillis(250);
    private static final Logger LOG = LoggerFactory.getLogger(EventWorkers.class);

    private final Store store;
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
    private final ExecutorService pool;
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
                 AlertSink alerts) {
        this.store = store;
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
        this.slots = new Semaphore(threads);
        this.pool = Executors.newFixedThreadPool(threads, Thread.ofPlatform().name("steward-worker-", 1).factory());
    }

    public void start() {
        running = true;
        dispatcher = Thread.ofPlatform().name("steward-dispatcher").start(this::dispatch);
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
        while (running) {
            int free = slots.availablePermits();
            List<StoredEvent> claimed = List.of();
            if (free > 0) {
                try {
                    claimed = store.claim(workerId, free, LEASE);
                } catch (RuntimeException e) {
                    LOG.warn("cannot claim events: {}", e.getMessage());
                }
            }
            for (StoredEvent event : claimed) {
                slots.acquireUninterruptibly();
                pool.execute(() -> {
                    try {
                        process(event);
                    } finally {
                        slots.release();
                        wake();
                    }
                });
            }
            if (claimed.isEmpty() || slots.availablePermits() == 0) {
                await();
            }
        }
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

    private void process(StoredEvent event) {
        MDC.put("flow", event.flowId());
        MDC.put("event", event.id());
        MDC.put("attempt", String.valueOf(event.attempts()));
        long started = System.nanoTime();
        Instant startedAt = clock.instant();
        try {
            Flow flow = active.workspace().flows().get(event.flowId());
            if (flow == null) {
                retryOrGiveUp(event, null, startedAt, null, "flow '" + event.flowId() + "' is not loaded (removed, or its file has errors)",
                        java.util.Optional.empty(), RetrySettings.NONE);
                return;
            }
            JsonNode payload = Values.JSON.readTree(event.payload());
            java.util.Optional<String> unusable = PayloadReader.numberOutOfRange(payload);
            if (unusable.isPresent()) {
                // Stored before intake bounded numbers; running it would hold a worker, and fail, every time.
                giveUp(event, startedAt, null, unusable.get());
                return;
            }
            RunResult result = runner.run(flow, event.id(), event.attempts(), payload, false);
            String trace = result.trace() == null ? null : FlowRunner.json(result.trace());
            if (result.deferral().isPresent()) {
                defer(event, flow, trace, result.deferral().get());
            } else if (result.retry()) {
                retryOrGiveUp(event, flow, startedAt, trace, result.error(), result.retryAfter(), result.stepRetry());
            } else {
                if (store.finish(event.id(), workerId, result.status(), trace, result.error())) {
                    recordAttempt(event, startedAt, result.status().name().toLowerCase(), result.error());
                    if (result.status() == EventStatus.SUCCEEDED) {
                        progress.succeeded(event.flowId(), clock.instant());
                    } else {
                        deadLetter(event, result.status(), result.error(), trace);
                    }
                }
                metrics.counter("steward.runs", "flow", event.flowId(), "status", result.status().name().toLowerCase()).increment();
                LOG.info("{} {} {}[{}] in {} ms{}", event.flowId(), result.status().name().toLowerCase(), flow.entity(),
                        LogText.of(event.key()), (System.nanoTime() - started) / 1_000_000,
                        result.error() == null ? "" : ": " + LogText.of(result.error()));
            }
        } catch (Exception e) {
            if (handedBack) {
                LOG.info("{} [{}] stopped with the host ({}); it runs again from the start", event.flowId(), LogText.of(event.key()), LogText.of(e.toString()));
                return;
            }
            String error = e instanceof dev.steward.plugin.ConnectorException ? e.getMessage() : "internal error: " + e;
            LogText.error(LOG, "run of " + event.entity() + "[" + LogText.of(event.key()) + "] failed", e);
            try {
                if (FailureKind.of(e) == FailureKind.PERMANENT) {
                    // The same input would meet the same error: a dead letter now, not a worker held through every retry.
                    giveUp(event, startedAt, null, error);
                } else {
                    retryOrGiveUp(event, null, startedAt, null, error, java.util.Optional.empty(), RetrySettings.NONE);
                }
            } catch (RuntimeException again) {
                LOG.error("cannot record the failure; the event's lease will expire and it will run again", again);
            }
        } finally {
            MDC.clear();
        }
    }

    /** The policy for an event of this flow: the host's, then the flow's, then the failed step's. */
    private RetryPolicy policy(Flow flow, RetrySettings step) {
        RetryPolicy policy = retry.with(active.workspace().host().delivery().retry());
        return flow == null ? policy.with(step) : policy.with(flow.retry()).with(step);
    }

    private void retryOrGiveUp(StoredEvent event, Flow flow, Instant startedAt, String trace, String error,
                               java.util.Optional<Duration> retryAfter, RetrySettings step) {
        RetryPolicy.Next next = policy(flow, step).afterFailure(event.attempts(), receivedAt(event), clock.instant(),
                retryAfter, random);
        if (next instanceof RetryPolicy.Next.GiveUp giveUp) {
            giveUp(event, startedAt, trace, giveUp.why() + ": " + error);
            return;
        }
        Instant at = ((RetryPolicy.Next.RunAt) next).at();
        if (store.retryLater(event.id(), workerId, at, trace, error)) {
            recordAttempt(event, startedAt, "retry", error);
        }
        metrics.counter("steward.retries", "flow", event.flowId()).increment();
        LOG.info("{} will retry at {}: {}", event.flowId(), at, LogText.of(error));
    }

    /**
     * A run that a system's guards stopped before any call: back to pending, without counting the
     * attempt, unless that would take it past its retry horizon.
     */
    private void defer(StoredEvent event, Flow flow, String trace, SystemGuards.Deferral deferral) {
        int attemptsUsed = event.attempts() - 1;
        RetryPolicy.Next next = policy(flow, RetrySettings.NONE).afterDeferral(deferral.delay(), deferral.kind().equals("rate-limited"), attemptsUsed,
                receivedAt(event), clock.instant(), random);
        if (next instanceof RetryPolicy.Next.GiveUp giveUp) {
            giveUp(event, clock.instant(), trace, giveUp.why() + ": " + deferral.system() + " " + deferral.reason()
                    + (event.error() == null ? "" : "; last error: " + event.error()));
            return;
        }
        Instant at = ((RetryPolicy.Next.RunAt) next).at();
        store.deferUntil(event.id(), workerId, at, trace);
        LOG.debug("{} deferred until {}: {}", event.flowId(), at, LogText.of(deferral.describe()));
    }

    private void giveUp(StoredEvent event, Instant startedAt, String trace, String message) {
        if (store.finish(event.id(), workerId, EventStatus.FAILED, trace, message)) {
            recordAttempt(event, startedAt, "failed", message);
            deadLetter(event, EventStatus.FAILED, message, trace);
        }
        metrics.counter("steward.runs", "flow", event.flowId(), "status", "failed").increment();
        LOG.warn("{} dead-lettered: {}", event.flowId(), LogText.of(message));
    }

    /** Counts a dead letter (or a quarantined record) and raises its alert. */
    private void deadLetter(StoredEvent event, EventStatus status, String error, String trace) {
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

    /**
     * Adds the attempt to the event's history. Only after the store took the outcome: an attempt
     * whose lease was lost meanwhile is another host's to report. The history is for people; its
     * failure must not undo the outcome, so it is logged, not thrown.
     */
    private void recordAttempt(StoredEvent event, Instant startedAt, String outcome, String error) {
        try {
            store.recordAttempt(new Attempt(event.id(), event.attempts(), startedAt, clock.instant(), outcome, error));
            metrics.counter("steward.attempts", "flow", event.flowId(), "outcome", outcome).increment();
        } catch (RuntimeException e) {
            LOG.warn("cannot record attempt {} of {}: {}", event.attempts(), event.id(), e.getMessage());
        }
    }

    public int threads() {
        return threads;
    }

    /** {@link #stop(Duration)} with a 20-second grace. */
    @Override
    public void close() {
        stop(Duration.ofSeconds(20));
    }

    /**
     * Claims nothing more, lets the runs in progress finish within {@code grace}, then hands
     * the ones still going back at once: their leases end, so the next host to start (or another
     * host on a shared store) claims them right away instead of after {@link #LEASE}. Their
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
            pool.shutdown();
            if (pool.awaitTermination(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                return 0;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        handedBack = true;
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
