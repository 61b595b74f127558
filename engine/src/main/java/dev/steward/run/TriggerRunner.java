package dev.steward.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.steward.model.Flow;
import dev.steward.model.PollTrigger;
import dev.steward.model.ScheduleTrigger;
import dev.steward.model.Trigger;
import dev.steward.plugin.Connector;
import dev.steward.plugin.EntityConfig;
import dev.steward.plugin.Page;
import dev.steward.plugin.SystemRecord;
import dev.steward.store.Intake;
import dev.steward.store.NewEvent;
import dev.steward.store.Store;
import dev.steward.store.TriggerState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Runs the poll and schedule triggers of the live workspace. Every host runs one, and the
 * store decides which host runs a trigger: a host takes a due trigger's lease with one
 * conditional update (see {@link Store#takeTrigger}), so one host polls at a time, and when
 * that host dies its lease expires and another takes over. A poll lists the records through
 * the system's connector, stores one event per changed record through the same intake as
 * webhooks (deduplicated on key and version, so a poll run twice stores nothing twice), and
 * stores its new position only after those events are committed. A failed run is retried with
 * a backoff that doubles up to the trigger's period (at most {@link #MAX_BACKOFF}), and shows in
 * {@code /health} until a run succeeds.
 *
 * <p>Lifecycle: {@link #start()} once, {@link #close()} once. Thread-safe: one thread looks for
 * due triggers every {@link #LOOK_EVERY}; runs go on a small pool, one run per trigger at a time.
 */
public final class TriggerRunner implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(TriggerRunner.class);

    static final Duration LOOK_EVERY = Duration.ofMillis(250);
    static final Duration MAX_BACKOFF = Duration.ofMinutes(5);
    static final int PAGE_SIZE = 200;
    /** Pages one poll reads at most before it lets other triggers run; the next poll goes on from there. */
    static final int MAX_PAGES = 500;
    /** A tick stands for nothing that could fall so far into the future. */
    private static final Instant NEVER = Instant.parse("9999-01-01T00:00:00Z");

    private final Store store;
    private final LiveWorkspace live;
    private final String worker;
    private final Clock clock;
    private final Duration lease;
    private final Function<NewEvent, Intake> intake;
    private final Set<String> registered = ConcurrentHashMap.newKeySet();
    private final Set<String> running = ConcurrentHashMap.newKeySet();
    private final ExecutorService runs = Executors.newFixedThreadPool(2, Thread.ofPlatform().name("steward-trigger-", 0).daemon().factory());
    private final ExecutorService intakes = Executors.newVirtualThreadPerTaskExecutor();
    private final Thread looker;
    private volatile boolean closed;

    /**
     * @param worker this host's worker id, which marks its leases in a shared store
     * @param lease  how long a lease lasts without renewal: how soon another host takes over a
     *               trigger from a host that died
     * @param intake stores one event as a webhook delivery would be stored, and wakes the workers
     */
    public TriggerRunner(Store store, LiveWorkspace live, String worker, Clock clock, Duration lease,
                         Function<NewEvent, Intake> intake) {
        this.store = store;
        this.live = live;
        this.worker = worker;
        this.clock = clock;
        this.lease = lease;
        this.intake = intake;
        this.looker = Thread.ofPlatform().name("steward-triggers").daemon().unstarted(this::look);
    }

    public void start() {
        looker.start();
    }

    private void look() {
        while (!closed) {
            try {
                lookOnce();
            } catch (RuntimeException e) {
                LOG.warn("could not look for due triggers: {}", LogText.of(e.getMessage()));
            }
            try {
                Thread.sleep(LOOK_EVERY);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Registers the live workspace's triggers and starts a run for each one that is due and free. */
    void lookOnce() {
        Map<String, Flow> flows = live.current().workspace().flows();
        Instant now = clock.instant();
        List<Flow> timed = flows.values().stream().filter(f -> !(f.trigger() instanceof dev.steward.model.WebhookTrigger)).toList();
        if (timed.isEmpty()) {
            return;
        }
        for (Flow flow : timed) {
            String id = flow.id() + "\n" + flow.trigger().stateKey();
            if (!registered.contains(id)) {
                store.registerTrigger(flow.id(), flow.trigger().kind(), flow.trigger().stateKey(), firstDue(flow.trigger(), now));
                registered.add(id);
            }
        }
        Map<String, TriggerState> states = new java.util.HashMap<>();
        store.triggers().forEach(s -> states.put(s.flowId(), s));
        for (Flow flow : timed) {
            TriggerState state = states.get(flow.id());
            if (state == null || !state.signature().equals(flow.trigger().stateKey())) {
                registered.remove(flow.id() + "\n" + flow.trigger().stateKey());
                continue;
            }
            if (state.nextDueAt().isAfter(now) || state.owner().isPresent() || closed || !running.add(flow.id())) {
                continue;
            }
            try {
                runs.execute(() -> {
                    try {
                        run(flow);
                    } finally {
                        running.remove(flow.id());
                    }
                });
            } catch (java.util.concurrent.RejectedExecutionException e) {
                running.remove(flow.id());
            }
        }
    }

    private static Instant firstDue(Trigger trigger, Instant now) {
        return trigger instanceof ScheduleTrigger schedule ? schedule.nextAfter(now).orElse(NEVER) : now;
    }

    private void run(Flow flow) {
        Optional<TriggerState> taken = store.takeTrigger(flow.id(), flow.trigger().stateKey(), worker, lease);
        if (taken.isEmpty()) {
            return; // another host took it first, or it is no longer due
        }
        TriggerState state = taken.get();
        MDC.put("flow", flow.id());
        try (LiveWorkspace.Lease hold = live.acquire()) {
            Instant next = switch (flow.trigger()) {
                case PollTrigger poll -> poll(flow, poll, state, hold.active());
                case ScheduleTrigger schedule -> tick(flow, schedule, state);
                case dev.steward.model.WebhookTrigger hook -> throw new IllegalStateException("a webhook is not polled");
            };
            if (!store.triggerSucceeded(flow.id(), worker, next)) {
                LOG.warn("the {} trigger of flow {} ran past its lease; another host may have run it too (its events are"
                        + " deduplicated)", flow.trigger().kind(), flow.id());
            }
        } catch (LeaseLostException e) {
            LOG.warn("the {} trigger of flow {} lost its lease to another host; stopped", flow.trigger().kind(), flow.id());
        } catch (RuntimeException e) {
            Duration wait = backoff(flow.trigger(), state.failures() + 1);
            String error = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            LOG.warn("the {} of flow {} failed ({} in a row), next try in {}: {}", flow.trigger().kind(), flow.id(),
                    state.failures() + 1, RetryPolicy.text(wait), LogText.of(error));
            try {
                store.triggerFailed(flow.id(), worker, clock.instant().plus(wait), error);
            } catch (RuntimeException storeDown) {
                LOG.warn("could not record the failure of flow {}'s trigger: {}", flow.id(), LogText.of(storeDown.getMessage()));
            }
        } finally {
            MDC.remove("flow");
        }
    }

    /** 1 s, 2 s, 4 s... up to the poll's period, and never more than {@link #MAX_BACKOFF}. */
    static Duration backoff(Trigger trigger, int failures) {
        Duration cap = trigger instanceof PollTrigger poll && poll.every().compareTo(MAX_BACKOFF) < 0 ? poll.every() : MAX_BACKOFF;
        Duration wait = Duration.ofSeconds(1L << Math.min(failures - 1, 20));
        return wait.compareTo(cap) > 0 ? cap : wait;
    }

    // ---- poll

    private Instant poll(Flow flow, PollTrigger poll, TriggerState state, ActiveWorkspace active) {
        Instant started = clock.instant();
        Connector connector = active.connectors().get(poll.system()).orElseThrow(() ->
                new IllegalStateException("system " + poll.system() + " has no connector"));
        EntityConfig entity = active.workspace().systems().get(poll.system()).entity(poll.entity()).orElseThrow();
        long stored = poll.since().isPresent() ? pollSince(flow, poll, state, connector, entity)
                : pollCursor(flow, state, connector, entity);
        if (stored > 0) {
            LOG.info("poll of {}.{} for flow {} stored {} new events", poll.system(), poll.entity(), flow.id(), stored);
        }
        return started.plus(poll.every());
    }

    /** Every page from the start; the records whose {@code since} value is at least the highest one stored. */
    private long pollSince(Flow flow, PollTrigger poll, TriggerState state, Connector connector, EntityConfig entity) {
        String field = entity.fields().get(poll.since().orElseThrow());
        Optional<String> watermark = state.position();
        Optional<String> highest = watermark;
        Optional<String> cursor = Optional.empty();
        long stored = 0;
        for (int pages = 0; pages < Integer.MAX_VALUE; pages++) {
            Page page = connector.list(entity, cursor, PAGE_SIZE);
            List<Change> changes = new ArrayList<>();
            for (SystemRecord record : page.records()) {
                Object value = record.fields().get(field);
                if (value == null) {
                    continue; // never stamped: nothing to compare; it shows once it is
                }
                String stamp = Values.canonical(Values.toNode(value)).replaceAll("^\"|\"$", "");
                if (watermark.isEmpty() || compare(stamp, watermark.get()) >= 0) {
                    changes.add(new Change(record, stamp));
                    if (highest.isEmpty() || compare(stamp, highest.get()) > 0) {
                        highest = Optional.of(stamp);
                    }
                }
            }
            long fresh = store(flow, changes);
            stored += fresh;
            if (!store.advanceTrigger(flow.id(), worker, watermark, fresh, lease)) {
                throw new LeaseLostException();
            }
            if (page.next().isEmpty()) {
                break;
            }
            cursor = page.next();
        }
        // only now: the pages come in key order, so the highest stamp is known once all were read
        if (!store.advanceTrigger(flow.id(), worker, highest, 0, lease)) {
            throw new LeaseLostException();
        }
        return stored;
    }

    /** From the stored cursor on; the position is the cursor of the last page read, which is read again next time. */
    private long pollCursor(Flow flow, TriggerState state, Connector connector, EntityConfig entity) {
        Optional<String> cursor = state.position();
        long stored = 0;
        for (int pages = 0; pages < MAX_PAGES; pages++) {
            Page page = connector.list(entity, cursor, PAGE_SIZE);
            List<Change> changes = page.records().stream().map(r -> new Change(r, r.version().orElse(null))).toList();
            long fresh = store(flow, changes);
            stored += fresh;
            Optional<String> reached = page.next().isPresent() ? page.next() : cursor;
            if (!store.advanceTrigger(flow.id(), worker, reached, fresh, lease)) {
                throw new LeaseLostException();
            }
            if (page.next().isEmpty()) {
                break;
            }
            cursor = page.next();
        }
        return stored;
    }

    private record Change(SystemRecord record, String version) {
    }

    /**
     * Stores one event per change, all at once (the keys of one page are distinct, so their
     * order does not matter, and the intake commits them together); returns how many were new.
     */
    private long store(Flow flow, List<Change> changes) {
        List<Future<Intake>> pending = new ArrayList<>();
        for (Change change : changes) {
            NewEvent event = event(flow, change);
            pending.add(intakes.submit(() -> intake.apply(event)));
        }
        long fresh = 0;
        for (Future<Intake> result : pending) {
            try {
                fresh += result.get().duplicate() ? 0 : 1;
            } catch (ExecutionException e) {
                throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while storing polled events", e);
            }
        }
        return fresh;
    }

    /** The record as the payload, under the system's field names, with its key where the flow reads it. */
    private static NewEvent event(Flow flow, Change change) {
        SystemRecord record = change.record();
        ObjectNode payload = Values.JSON.createObjectNode();
        record.fields().forEach((name, value) -> payload.set(name, Values.toNode(value)));
        if (Values.at(payload, flow.keyPath()).isMissingNode()) {
            Values.put(payload, flow.keyPath(), Values.JSON.getNodeFactory().textNode(record.key()));
        }
        String text = Values.canonical(payload);
        String version = change.version() != null ? change.version() : sha256(text);
        return new NewEvent(flow.id(), deliveryId("poll:", record.key(), version), flow.entity(), record.key(), text);
    }

    // ---- schedule

    /** One event for the latest tick that is due (ticks missed while no host ran are not made up one by one). */
    private Instant tick(Flow flow, ScheduleTrigger schedule, TriggerState state) {
        Instant now = clock.instant();
        Instant tick = schedule.latestUpTo(now).filter(t -> t.isAfter(state.nextDueAt())).orElse(state.nextDueAt());
        if (state.position().map(Long::parseLong).filter(last -> last >= tick.toEpochMilli()).isEmpty()) {
            ObjectNode payload = Values.JSON.createObjectNode();
            payload.put("tick", tick.toString());
            payload.put("flow", flow.id());
            if (Values.at(payload, flow.keyPath()).isMissingNode()) {
                Values.put(payload, flow.keyPath(), Values.JSON.getNodeFactory().textNode(tick.toString()));
            }
            String key = Values.key(Values.at(payload, flow.keyPath())).orElse(tick.toString());
            Intake stored = intake.apply(new NewEvent(flow.id(), "tick:" + tick, flow.entity(), key, Values.canonical(payload)));
            if (!store.advanceTrigger(flow.id(), worker, Optional.of(Long.toString(tick.toEpochMilli())),
                    stored.duplicate() ? 0 : 1, lease)) {
                throw new LeaseLostException();
            }
            LOG.info("schedule '{}' of flow {} ticked at {}", schedule.cron(), flow.id(), tick);
        }
        return schedule.nextAfter(now.isAfter(tick) ? now : tick).orElse(NEVER);
    }

    // ---- helpers


    /** Numbers as numbers, everything else (ISO times, versions) as text. */
    static int compare(String a, String b) {
        try {
            return new BigDecimal(a).compareTo(new BigDecimal(b));
        } catch (NumberFormatException notNumbers) {
            return a.compareTo(b);
        }
    }

    private static String deliveryId(String prefix, String key, String version) {
        String id = prefix + key + "@" + version;
        return id.length() <= NewEvent.MAX_DELIVERY_ID_LENGTH ? id : prefix + sha256(key + "\u0000" + version);
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The lease expired while the run went on, and another host took the trigger. */
    private static final class LeaseLostException extends RuntimeException {
        LeaseLostException() {
            super(null, null, false, false);
        }
    }

    /** Looks for no more due triggers; waits a little for the runs going on, which give their leases back. */
    @Override
    public void close() {
        closed = true;
        looker.interrupt();
        runs.shutdown();
        try {
            if (!runs.awaitTermination(5, TimeUnit.SECONDS)) {
                runs.shutdownNow();
            }
            looker.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        intakes.shutdownNow();
    }
}
