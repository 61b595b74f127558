package dev.steward;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.steward.api.AuditProgress;
import dev.steward.api.AuditRepair;
import dev.steward.api.AuditReport;
import dev.steward.api.AuditRequest;
import dev.steward.api.StoredAudit;
import dev.steward.audit.AuditRun;
import dev.steward.run.LiveWorkspace;
import dev.steward.run.Values;
import dev.steward.store.AuditTable;
import dev.steward.store.EventStatus;
import dev.steward.store.Store;
import dev.steward.store.StoredEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.random.RandomGenerator;

/**
 * The engine's audits ({@code steward audit}, {@code /api/audits}): runs one now or in the
 * background, waits for its repairs to run when they were applied, and keeps every result in the
 * store. Thread-safe; background audits run one at a time on one daemon thread, closed with the
 * engine.
 */
public final class Audits implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Audits.class);

    /** A background audit: its id at once, its report when it ends. */
    public record Started(String id, CompletableFuture<AuditReport> report) {
    }

    private final Store store;
    private final LiveWorkspace live;
    private final Clock clock;
    private final RandomGenerator random;
    private final Runnable wake;
    private final Duration repairWait;
    private final Object randomLock = new Object();
    private volatile ExecutorService background;

    Audits(Store store, LiveWorkspace live, Clock clock, RandomGenerator random, Runnable wake, Duration repairWait) {
        this.store = store;
        this.live = live;
        this.clock = clock;
        this.random = random;
        this.wake = wake;
        this.repairWait = repairWait;
    }

    /**
     * Runs an audit on this thread and stores its result. With {@code apply}, enqueues the repair
     * events and waits (within a bound) for the workers to run them, so the report says how each
     * ended; without workers (a one-shot engine) they stay {@code pending} until a host runs them.
     *
     * @throws dev.steward.run.NoSuchRecordTypeException when no mastership table names the entity
     * @throws dev.steward.plugin.ConnectorException when a system cannot be read
     */
    public AuditReport run(AuditRequest request, AuditProgress progress) {
        String id = newId();
        Instant started = clock.instant();
        store.audits().started(id, request.entity(), started);
        return run(id, started, request, progress);
    }

    /** Starts an audit on the background thread; its id is stored (status {@code running}) before this returns. */
    public Started start(AuditRequest request) {
        String id = newId();
        Instant started = clock.instant();
        store.audits().started(id, request.entity(), started);
        CompletableFuture<AuditReport> report = CompletableFuture.supplyAsync(() -> run(id, started, request,
                AuditProgress.NONE), executor());
        return new Started(id, report);
    }

    /** The newest audits first, with their reports. */
    public List<StoredAudit> recent(int limit) {
        return store.audits().recent(limit).stream().map(Audits::view).toList();
    }

    public Optional<StoredAudit> audit(String id) {
        return store.audits().audit(id).map(Audits::view);
    }

    private AuditReport run(String id, Instant started, AuditRequest request, AuditProgress progress) {
        long begin = System.nanoTime();
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        long cpuBegin = threads.isCurrentThreadCpuTimeSupported() ? threads.getCurrentThreadCpuTime() : -1;
        try (LiveWorkspace.Lease lease = live.acquire()) {
            RandomGenerator draw;
            synchronized (randomLock) {
                draw = new java.util.SplittableRandom(random.nextLong());
            }
            AuditRun.Found found = AuditRun.run(id, request, lease.active(), store, draw, progress);
            List<AuditRepair> repairs = found.repairs();
            if (request.apply() && repairs.stream().anyMatch(r -> r.eventId() != null)) {
                wake.run();
                repairs = awaitRepairs(repairs, progress);
            }
            AuditReport report = new AuditReport(id, request.entity(), started.toString(), clock.instant().toString(),
                    found.scope(), found.records(), found.comparisons(), found.systems(), found.fields(), found.skipped(),
                    found.divergences(), repairs, request.apply(), Duration.ofNanos(System.nanoTime() - begin).toMillis(),
                    cpuBegin < 0 ? -1 : Duration.ofNanos(threads.getCurrentThreadCpuTime() - cpuBegin).toMillis());
            store.audits().finished(id, "done", clock.instant(), report.divergences().size(), json(kept(report)));
            LOG.info("audit {} of {}: {} records, {} divergences, {} repairs", id, request.entity(), found.records(),
                    found.divergences().size(), repairs.size());
            return report;
        } catch (RuntimeException e) {
            try {
                store.audits().finished(id, "failed", clock.instant(), null,
                        json(java.util.Map.of("error", String.valueOf(e.getMessage()))));
            } catch (RuntimeException stored) {
                e.addSuppressed(stored);
            }
            throw e;
        }
    }

    /** Polls the repair events until each reached a final status, or the bound passed. */
    private List<AuditRepair> awaitRepairs(List<AuditRepair> repairs, AuditProgress progress) {
        long deadline = System.nanoTime() + repairWait.toNanos();
        List<AuditRepair> current = repairs;
        while (true) {
            List<AuditRepair> next = new ArrayList<>(current.size());
            long open = 0;
            for (AuditRepair repair : current) {
                if (repair.eventId() == null || !repair.status().equals("pending")) {
                    next.add(repair);
                    continue;
                }
                Optional<StoredEvent> event = store.event(repair.eventId());
                EventStatus status = event.map(StoredEvent::status).orElse(EventStatus.PENDING);
                if (status == EventStatus.PENDING || status == EventStatus.RUNNING) {
                    open++;
                    next.add(repair);
                } else {
                    next.add(repair.withOutcome(repair.eventId(), status.name().toLowerCase(java.util.Locale.ROOT),
                            event.map(StoredEvent::error).orElse(null)));
                }
            }
            current = next;
            progress.step("repair", current.size() - open, current.size());
            if (open == 0 || System.nanoTime() > deadline) {
                return current;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return current;
            }
        }
    }

    private String newId() {
        synchronized (randomLock) {
            return "aud_" + Long.toHexString(random.nextLong() & Long.MAX_VALUE) + Long.toHexString(clock.millis());
        }
    }

    private ExecutorService executor() {
        ExecutorService now = background;
        if (now == null) {
            synchronized (this) {
                if (background == null) {
                    background = Executors.newSingleThreadExecutor(Thread.ofPlatform().name("steward-audit").daemon()
                            .factory());
                }
                now = background;
            }
        }
        return now;
    }

    /** The report as stored: at most {@link StoredAudit#KEPT_DIVERGENCES} divergences and as many repairs. */
    private static AuditReport kept(AuditReport report) {
        int kept = StoredAudit.KEPT_DIVERGENCES;
        if (report.divergences().size() <= kept && report.repairs().size() <= kept) {
            return report;
        }
        return new AuditReport(report.id(), report.entity(), report.startedAt(), report.finishedAt(), report.scope(),
                report.records(), report.comparisons(), report.systems(), report.fields(), report.skipped(),
                report.divergences().subList(0, Math.min(kept, report.divergences().size())),
                report.repairs().subList(0, Math.min(kept, report.repairs().size())), report.applied(), report.millis(),
                report.cpuMillis());
    }

    private static StoredAudit view(AuditTable.StoredAudit stored) {
        return new StoredAudit(stored.id(), stored.entity(), stored.status(), stored.startedAt().toString(),
                stored.finishedAt() == null ? null : stored.finishedAt().toString(), stored.divergences(),
                stored.reportJson() == null ? null : Values.parse(stored.reportJson()));
    }

    private static String json(Object value) {
        try {
            return Values.JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        ExecutorService now = background;
        if (now != null) {
            now.shutdownNow();
        }
    }
}
