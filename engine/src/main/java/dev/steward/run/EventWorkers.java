package dev.steward.run;

import com.fasterxml.jackson.databind.JsonNode;
import dev.steward.model.Flow;
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
    private final int threads;
    private final Semaphore slots;
    private final ExecutorService pool;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition signal = lock.newCondition();
    private volatile boolean running;
    private boolean woken;
    private Thread dispatcher;

    public EventWorkers(Store store, ActiveWorkspace active, FlowRunner runner, int threads, String workerId,
                        Clock clock, RetryPolicy retry, RandomGenerator random, MeterRegistry metrics) {
        this.store = store;
        this.active = active;
        this.runner = runner;
        this.threads = threads;
        this.workerId = workerId;
        this.clock = clock;
        this.retry = retry;
        this.random = random;
        this.metrics = metrics;
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
                retryOrGiveUp(event, startedAt, null, "flow '" + event.flowId() + "' is not loaded (removed, or its file has errors)",
                        java.util.Optional.empty());
                return;
            }
            JsonNode payload = Values.JSON.readTree(event.payload());
            RunResult result = runner.run(flow, event.id(), event.attempts(), payload, false);
            String trace = result.trace() == null ? null : FlowRunner.json(result.trace());
            if (result.retry()) {
                retryOrGiveUp(event, startedAt, trace, result.error(), result.retryAfter());
            } else {
                if (store.finish(event.id(), workerId, result.status(), trace, result.error())) {
                    recordAttempt(event, startedAt, result.status().name().toLowerCase(), result.error());
                }
                metrics.counter("steward.runs", "flow", event.flowId(), "status", result.status().name().toLowerCase()).increment();
                LOG.info("{} {} {}[{}] in {} ms{}", event.flowId(), result.status().name().toLowerCase(), flow.entity(),
                        event.key(), (System.nanoTime() - started) / 1_000_000,
                        result.error() == null ? "" : ": " + result.error());
            }
        } catch (Exception e) {
            LOG.error("run failed unexpectedly", e);
            try {
                retryOrGiveUp(event, startedAt, null, "internal error: " + e, java.util.Optional.empty());
            } catch (RuntimeException again) {
                LOG.error("cannot record the failure; the event's lease will expire and it will run again", again);
            }
        } finally {
            MDC.clear();
        }
    }

    private void retryOrGiveUp(StoredEvent event, Instant startedAt, String trace, String error,
                               java.util.Optional<Duration> retryAfter) {
        if (event.attempts() >= retry.maxAttempts()) {
            String message = "gave up after " + event.attempts() + " attempts: " + error;
            if (store.finish(event.id(), workerId, EventStatus.FAILED, trace, message)) {
                recordAttempt(event, startedAt, "failed", message);
            }
            metrics.counter("steward.runs", "flow", event.flowId(), "status", "failed").increment();
            LOG.warn("{} dead-lettered: {}", event.flowId(), message);
            return;
        }
        Instant at = clock.instant().plus(retry.delay(event.attempts(), retryAfter, random));
        if (store.retryLater(event.id(), workerId, at, trace, error)) {
            recordAttempt(event, startedAt, "retry", error);
        }
        metrics.counter("steward.retries", "flow", event.flowId()).increment();
        LOG.info("{} will retry at {}: {}", event.flowId(), at, error);
    }

    /**
     * Adds the attempt to the event's history. Only after the store took the outcome: an attempt
     * whose lease was lost meanwhile is another host's to report. The history is for people; its
     * failure must not undo the outcome, so it is logged, not thrown.
     */
    private void recordAttempt(StoredEvent event, Instant startedAt, String outcome, String error) {
        try {
            store.recordAttempt(new Attempt(event.id(), event.attempts(), startedAt, clock.instant(), outcome, error));
        } catch (RuntimeException e) {
            LOG.warn("cannot record attempt {} of {}: {}", event.attempts(), event.id(), e.getMessage());
        }
    }

    public int threads() {
        return threads;
    }

    @Override
    public void close() {
        running = false;
        wake();
        if (dispatcher != null) {
            try {
                dispatcher.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        pool.shutdown();
        try {
            if (!pool.awaitTermination(20, TimeUnit.SECONDS)) {
                pool.shutdownNow();
            }
        } catch (InterruptedException e) {
            pool.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
