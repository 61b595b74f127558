package dev.steward.run;

import dev.steward.model.HealthSettings;
import dev.steward.model.Workspace;
import dev.steward.store.EventStatus;
import dev.steward.store.Store;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Computes health: degraded when the oldest due event has waited longer than
 * {@code health.backlogAge}, when a system's breaker is not closed or its connector says it
 * cannot be reached, or when a flow has had events
 * for {@code health.noSuccessFor} without a success. Checks every {@code health.checkEvery} on a
 * thread of its own, keeps the backlog gauges current, and raises an alert whenever the status
 * changes. Thread-safe. Lifecycle: {@link #start()} once, {@link #close()} once.
 */
public final class HealthMonitor implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(HealthMonitor.class);

    private final Store store;
    private final Workspace workspace;
    private final SystemGuards guards;
    private final FlowProgress progress;
    private final HealthSettings settings;
    private final Clock clock;
    private final AlertSink alerts;
    private final java.util.function.Supplier<Map<String, String>> unreachable;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("steward-health").daemon().factory());
    private volatile double backlog = Double.NaN;
    private volatile double oldestDueSeconds = Double.NaN;
    private volatile double oldestPendingSeconds = Double.NaN;
    private volatile double deadLetters = Double.NaN;
    private volatile double degraded = Double.NaN;
    private String lastStatus = "up";

    public HealthMonitor(Store store, Workspace workspace, SystemGuards guards, FlowProgress progress, Clock clock,
                  MeterRegistry metrics, AlertSink alerts) {
        this(store, workspace, guards, progress, clock, metrics, alerts, Map::of);
    }

    /** @param unreachable the systems that cannot be reached now, with why ({@link Connectors#unreachable()}) */
    public HealthMonitor(Store store, Workspace workspace, SystemGuards guards, FlowProgress progress, Clock clock,
                  MeterRegistry metrics, AlertSink alerts, java.util.function.Supplier<Map<String, String>> unreachable) {
        this.unreachable = unreachable;
        this.store = store;
        this.workspace = workspace;
        this.guards = guards;
        this.progress = progress;
        this.settings = workspace.host().delivery().health();
        this.clock = clock;
        this.alerts = alerts;
        Gauge.builder("steward.backlog.events", () -> backlog).description("events pending or running").register(metrics);
        Gauge.builder("steward.backlog.oldest.due.seconds", () -> oldestDueSeconds)
                .description("how long the longest-waiting runnable event has been due").register(metrics);
        Gauge.builder("steward.backlog.oldest.pending.seconds", () -> oldestPendingSeconds)
                .description("age of the oldest pending event, retries included").register(metrics);
        Gauge.builder("steward.dead.letters.current", () -> deadLetters).description("events that failed for good, now in the store").register(metrics);
        Gauge.builder("steward.health.degraded", () -> degraded).description("1 when /health is not up").register(metrics);
    }

    public void start() {
        long every = Math.max(10, settings.checkEvery().toMillis());
        timer.scheduleWithFixedDelay(() -> {
            try {
                check();
            } catch (RuntimeException e) {
                LOG.warn("health check failed: {}", LogText.of(e.getMessage()));
            }
        }, every, every, TimeUnit.MILLISECONDS);
    }

    /** Computes health now; raises an alert if the status changed since the last check. */
    public synchronized Health check() {
        Health health = compute();
        degraded = health.status().equals("up") ? 0 : 1;
        if (!health.status().equals(lastStatus)) {
            LOG.warn("health is {}{}", health.status(), health.reasons().isEmpty() ? "" : ": " + LogText.of(String.join("; ", health.reasons())));
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("status", health.status());
            details.put("previous", lastStatus);
            details.put("reasons", health.reasons());
            alerts.raise(new Alert("health", clock.instant(), details));
            lastStatus = health.status();
        }
        return health;
    }

    private Health compute() {
        Instant now = clock.instant();
        Map<String, Object> details = new LinkedHashMap<>();
        List<String> reasons = new ArrayList<>();
        Map<EventStatus, Long> counts;
        Optional<Instant> oldestDue;
        Optional<Instant> oldestPending;
        int holds;
        try {
            counts = store.countByStatus();
            oldestDue = store.oldestDue();
            oldestPending = store.oldestPending();
            holds = store.holds().size();
        } catch (RuntimeException e) {
            backlog = oldestDueSeconds = oldestPendingSeconds = deadLetters = Double.NaN;
            details.put("store", "unavailable: " + e.getMessage());
            return new Health("down", List.of("the store cannot be reached: " + e.getMessage()), details);
        }
        long dueSeconds = oldestDue.map(t -> Math.max(0, Duration.between(t, now).toSeconds())).orElse(0L);
        long pendingSeconds = oldestPending.map(t -> Math.max(0, Duration.between(t, now).toSeconds())).orElse(0L);
        long open = counts.getOrDefault(EventStatus.PENDING, 0L) + counts.getOrDefault(EventStatus.RUNNING, 0L);
        backlog = open;
        oldestDueSeconds = dueSeconds;
        oldestPendingSeconds = pendingSeconds;
        deadLetters = counts.getOrDefault(EventStatus.FAILED, 0L);
        details.put("store", "ok");
        details.put("flows", workspace.flows().size());
        details.put("invalidFlows", workspace.brokenFlows().size());
        details.put("backlog", open);
        details.put("oldestDueSeconds", dueSeconds);
        details.put("oldestPendingSeconds", pendingSeconds);
        details.put("deadLetters", counts.getOrDefault(EventStatus.FAILED, 0L));
        details.put("quarantined", counts.getOrDefault(EventStatus.INVALID, 0L));
        details.put("heldFields", holds);
        if (oldestDue.isPresent() && Duration.between(oldestDue.get(), now).compareTo(settings.backlogAge()) > 0) {
            reasons.add("the oldest due event has waited " + dueSeconds + " s, more than health.backlogAge ("
                    + RetryPolicy.text(settings.backlogAge()) + "): the workers are behind");
        }
        List<Map<String, Object>> breakers = new ArrayList<>();
        for (SystemGuards.BreakerState state : guards.breakers()) {
            Map<String, Object> b = new LinkedHashMap<>();
            b.put("system", state.system());
            b.put("state", state.state());
            b.put("since", state.since() == null ? null : state.since().toString());
            if (state.failureRate() >= 0) {
                b.put("failureRate", state.failureRate());
            }
            b.put("lastFailure", state.lastFailure());
            breakers.add(b);
        }
        details.put("breakers", breakers);
        for (SystemGuards.BreakerState state : guards.openBreakers()) {
            reasons.add("the circuit breaker for " + state.system() + " is " + state.state() + " since " + state.since()
                    + (state.lastFailure() == null ? "" : " (last failure: " + state.lastFailure() + ")"));
        }
        Map<String, String> unreached = unreachable.get();
        details.put("unreachable", unreached);
        unreached.forEach((system, why) -> reasons.add("system " + system + ": " + why));
        reasons.addAll(progress.stalled(now, settings.noSuccessFor()));
        triggers(now, details, reasons);
        return new Health(reasons.isEmpty() ? "up" : "degraded", reasons, details);
    }

    /** The poll and schedule triggers of the flows: where each is, who runs it, and any run failing now. */
    private void triggers(Instant now, Map<String, Object> details, List<String> reasons) {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (dev.steward.store.TriggerState state : store.triggers()) {
            if (!workspace.flows().containsKey(state.flowId())) {
                continue; // a flow since removed or broken
            }
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("flow", state.flowId());
            row.put("kind", state.kind());
            row.put("position", state.position().orElse(null));
            row.put("nextDueAt", state.nextDueAt().toString());
            row.put("runningOn", state.owner().orElse(null));
            row.put("lastSuccessAt", state.lastSuccessAt().map(Instant::toString).orElse(null));
            row.put("failures", state.failures());
            row.put("lastError", state.lastError().orElse(null));
            row.put("eventsStored", state.eventsStored());
            rows.add(row);
            if (state.failures() > 0) {
                reasons.add("the " + state.kind() + " trigger of flow " + state.flowId() + " failed " + state.failures()
                        + " time" + (state.failures() == 1 ? "" : "s") + " in a row, next try at " + state.nextDueAt()
                        + ": " + state.lastError().orElse("no error text"));
            }
        }
        if (!rows.isEmpty()) {
            details.put("triggers", rows);
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
