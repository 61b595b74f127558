package dev.steward.batch;

import dev.steward.plugin.Connector;
import dev.steward.plugin.ConnectorException;
import dev.steward.plugin.EntityConfig;
import dev.steward.plugin.RecordWrite;
import dev.steward.plugin.SystemRateLimitedException;
import dev.steward.plugin.SystemUnavailableException;
import dev.steward.run.SystemGuards;
import dev.steward.run.Values;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Writes a chunk's records to one target. A target that writes many records in one round trip
 * (jdbc: one transaction of JDBC batches) gets them all in one {@link Connector#upsertAll}; any
 * other (http) gets one request per record, {@code concurrency} at a time, each through the
 * system's guards, so its rate limit and breaker hold: a deferral waits, it does not fail.
 * Transient failures are tried again with backoff; when they last, the batch stops (its
 * checkpoint lets it go on later). A record the target refuses is reported, and the others of
 * its chunk are written. Thread-safe.
 */
final class TargetWriter implements AutoCloseable {

    /** Tries of one write or batch before a transient failure stops the batch. */
    static final int TRIES = 6;
    private static final Duration FIRST_BACKOFF = Duration.ofMillis(250);

    private final SystemGuards guards;
    private final ExecutorService pool;
    private final int concurrency;

    TargetWriter(SystemGuards guards, int concurrency) {
        this.guards = guards;
        this.concurrency = concurrency;
        this.pool = Executors.newFixedThreadPool(concurrency, Thread.ofPlatform().name("steward-batch-", 1).daemon()
                .factory());
    }

    /** The target's transient failure outlasted the retries: the batch stops here. */
    static final class TargetUnavailableException extends RuntimeException {
        TargetUnavailableException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * Writes the records; answers the index of each write the target refused, with its reason.
     *
     * @throws TargetUnavailableException when the target stays unavailable
     */
    Map<Integer, String> write(String system, boolean bulk, Connector connector, EntityConfig entity,
                               List<RecordWrite> writes) throws InterruptedException {
        if (writes.isEmpty()) {
            return Map.of();
        }
        if (bulk) {
            try {
                retrying(system, "write " + writes.size() + " records", () -> connector.upsertAll(entity, writes));
                return Map.of();
            } catch (ConnectorException e) {
                // Refused: all or none was written; one by one tells which record it is.
            }
        }
        return oneByOne(system, connector, entity, writes);
    }

    private Map<Integer, String> oneByOne(String system, Connector connector, EntityConfig entity,
                                          List<RecordWrite> writes) throws InterruptedException {
        Map<Integer, String> refused = new ConcurrentHashMap<>();
        List<Future<?>> running = new ArrayList<>();
        int lanes = Math.min(concurrency, writes.size());
        for (int lane = 0; lane < lanes; lane++) {
            int first = lane;
            running.add(pool.submit(() -> {
                for (int i = first; i < writes.size(); i += lanes) {
                    RecordWrite write = writes.get(i);
                    try {
                        retrying(system, "write " + entity.name() + " " + write.key(),
                                () -> connector.upsert(entity, write));
                    } catch (ConnectorException e) {
                        refused.put(i, system + ": " + e.getMessage());
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return null;
                    }
                }
                return null;
            }));
        }
        TargetUnavailableException unavailable = null;
        for (Future<?> future : running) {
            try {
                future.get();
            } catch (java.util.concurrent.ExecutionException e) {
                if (e.getCause() instanceof TargetUnavailableException t) {
                    unavailable = t;
                } else {
                    throw new IllegalStateException(e.getCause());
                }
            }
        }
        if (unavailable != null) {
            throw unavailable;
        }
        return refused;
    }

    /**
     * Calls through the system's guards: waits out a deferral (rate limit, open breaker, a
     * {@code Retry-After}) and backs off after a transient failure, {@link #TRIES} times.
     *
     * @throws ConnectorException the target's refusal
     */
    private void retrying(String system, String doing, Runnable call) throws InterruptedException {
        Duration backoff = FIRST_BACKOFF;
        for (int attempt = 1; ; attempt++) {
            try {
                SystemGuards.Result<Boolean> result = guards.call(system, () -> {
                    call.run();
                    return true;
                });
                if (result.deferral().isEmpty()) {
                    return;
                }
                Thread.sleep(Math.max(1, result.deferral().get().delay().toMillis()));
                attempt--; // a deferral is no attempt: nothing was called
            } catch (ConnectorException e) {
                if (!e.retryable()) {
                    throw e;
                }
                if (attempt >= TRIES) {
                    throw new TargetUnavailableException(system + " could not " + doing + " after " + TRIES
                            + " tries: " + e.getMessage(), e);
                }
                Duration wait = e instanceof SystemRateLimitedException limited
                        ? limited.retryAfter().orElse(backoff) : backoff;
                Thread.sleep(wait.toMillis());
                backoff = backoff.multipliedBy(2);
            }
        }
    }

    /**
     * The writes the target does not hold yet: for records whose writes may have been made before
     * the batch stopped, each is read back, and one whose fields all hold the values already is
     * left out (it was made), so no record is written twice.
     */
    static List<Integer> notYetWritten(Connector connector, EntityConfig entity, List<RecordWrite> writes) {
        List<Integer> missing = new ArrayList<>();
        for (int i = 0; i < writes.size(); i++) {
            RecordWrite write = writes.get(i);
            Optional<Map<String, Object>> held = connector.read(entity, write.key());
            boolean made = held.isPresent() && write.fields().entrySet().stream().allMatch(field ->
                    held.get().containsKey(field.getKey()) && same(held.get().get(field.getKey()), field.getValue()));
            if (!made) {
                missing.add(i);
            }
        }
        return missing;
    }

    static boolean same(Object held, Object written) {
        return Values.canonical(Values.toNode(Values.normalized(held)))
                .equals(Values.canonical(Values.toNode(Values.normalized(written))));
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
