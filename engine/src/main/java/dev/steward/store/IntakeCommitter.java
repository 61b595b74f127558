package dev.steward.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * Stores new events by group commit. Steward answers 202 only once an event is committed, and a
 * durable commit costs a write to disk (H2 with {@code WRITE_DELAY=0}) or a WAL flush
 * (PostgreSQL); one transaction per request made those commits queue up one behind the other.
 * Here callers hand their event to one committer thread and wait; the committer takes whatever
 * arrived while its previous commit ran (at most {@link #MAX_BATCH}, never waiting for more),
 * inserts it in one transaction, and only after the commit answers each caller. One commit then
 * pays for many events, and a 202 still means "committed".
 *
 * <p>Within a batch events get their seq in arrival order, and a delivery id already stored, or
 * seen earlier in the same batch, answers the first event's id as a duplicate. The unique index
 * on (flow, delivery id) is the check: a batch is inserted without looking its delivery ids up
 * first (on H2 that look-up was a query per event), and a batch that breaks the index (a
 * delivery sent again), breaks another constraint or holds a value that does not fit is rolled
 * back and stored again one event at a time, each looked up first, so that each caller gets its
 * own answer. After such a batch the next {@link #LOOK_UP_AFTER_DUPLICATE} batches look their
 * delivery ids up before inserting, so that a sender retrying many deliveries does not make
 * every batch fail once. Any other database failure fails the whole batch with
 * {@link StoreUnavailableException}.
 *
 * <p>After each commit that stored a new event, the committer runs the {@link #onStored}
 * listener once (the workers' wake-up): once a batch, not once a request.
 *
 * <p>Thread safety and lifecycle: {@link #accept} may be called from any thread; it blocks for
 * at most {@link #ANSWER_WITHIN}. The queue holds at most {@link #QUEUE_CAPACITY} events; when
 * it is full, or the committer is closed, {@code accept} fails at once with
 * {@link StoreUnavailableException} rather than blocking. The constructor starts the committer
 * thread; {@link #close} fails everything still queued, lets the batch being committed finish
 * (waiting up to {@link #CLOSE_WITHIN}), and is idempotent. Close it before the database.
 */
final class IntakeCommitter implements AutoCloseable {

    static final int MAX_BATCH = 256;
    static final int QUEUE_CAPACITY = 10_000;
    static final Duration ANSWER_WITHIN = Duration.ofSeconds(30);
    static final Duration CLOSE_WITHIN = Duration.ofSeconds(10);
    /** Batches that look their delivery ids up before inserting, after one that broke a constraint. */
    static final int LOOK_UP_AFTER_DUPLICATE = 64;

    private static final String INSERT = "INSERT INTO events (id, flow_id, delivery_id, entity, record_key, payload,"
            + " status, attempts, received_at, next_attempt_at) VALUES (?, ?, ?, ?, ?, ?, 'PENDING', 0, ?, ?)";

    /** The events of one delivery (one, or a vendor's batch), stored in one transaction. */
    private record Pending(List<NewEvent> events, long receivedAt, CompletableFuture<List<Intake>> result) {}

    /** Put in the queue by {@link #close} to wake an idle committer; never stored. */
    private static final Pending WAKE = new Pending(List.of(), 0, null);

    private record Delivery(String flowId, String deliveryId) {}

    private final Database database;
    private final Clock clock;
    private final Supplier<String> ids;
    private final BlockingQueue<Pending> queue = new ArrayBlockingQueue<>(QUEUE_CAPACITY);
    private final Thread thread;
    private volatile boolean closed;
    private volatile Runnable onStored = () -> { };
    /** Batches left that look their delivery ids up first; the committer's thread only. */
    private int lookUpFirst;

    IntakeCommitter(Database database, Clock clock, Supplier<String> ids) {
        this.database = database;
        this.clock = clock;
        this.ids = ids;
        this.thread = Thread.ofPlatform().name("steward-intake").daemon().start(this::run);
    }

    /** Stores the event, or answers the first event's id when its delivery is already stored. */
    Intake accept(NewEvent event) {
        return acceptAll(List.of(event)).getFirst();
    }

    /**
     * Stores the events of one delivery together, in one transaction: all or none (unless a row
     * of it breaks a constraint, when each is stored alone, see {@link #commitAlone}). Answers one
     * intake per event, in order; an event whose delivery id is already stored, or comes earlier
     * in the list, answers the first one's id as a duplicate.
     */
    List<Intake> acceptAll(List<NewEvent> events) {
        if (closed) {
            throw closedFailure();
        }
        Pending pending = new Pending(List.copyOf(events), clock.millis(), new CompletableFuture<>());
        if (!queue.offer(pending)) {
            throw new StoreUnavailableException("The event store has " + QUEUE_CAPACITY
                    + " events waiting to be stored; it is not keeping up", null);
        }
        if (closed && queue.remove(pending)) {
            // close() ran between our check and our offer, and its drain missed us.
            throw closedFailure();
        }
        try {
            return pending.result().get(ANSWER_WITHIN.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException failure) {
                throw failure;
            }
            throw new StoreUnavailableException("The event store failed to store an event: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            // It may still be stored; a retried delivery then answers it as a duplicate.
            throw new StoreUnavailableException("The event store did not store an event within " + ANSWER_WITHIN, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreUnavailableException("Interrupted while waiting for the event store", e);
        }
    }

    /**
     * Runs {@code listener} on the committer's thread after each commit that stored at least one
     * new event (not for duplicates), before the callers get their answers. It must be quick and
     * must not throw; it replaces the previous one.
     */
    void onStored(Runnable listener) {
        this.onStored = java.util.Objects.requireNonNull(listener, "listener");
    }

    /** Events waiting for the committer; for tests. */
    int queued() {
        return (int) queue.stream().filter(p -> p != WAKE).count();
    }

    @Override
    public void close() {
        closed = true;
        failQueued();
        queue.offer(WAKE);
        try {
            thread.join(CLOSE_WITHIN);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        List<Pending> batch = new ArrayList<>(MAX_BATCH);
        try {
            while (!closed) {
                batch.add(queue.take());
                queue.drainTo(batch, MAX_BATCH - 1);
                batch.removeIf(p -> p == WAKE);
                if (!batch.isEmpty()) {
                    commit(batch);
                }
                batch.clear();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            batch.forEach(p -> p.result().completeExceptionally(closedFailure()));
            failQueued();
        }
    }

    private void commit(List<Pending> batch) {
        try {
            boolean lookUp = lookUpFirst > 0;
            if (lookUp) {
                lookUpFirst--;
            }
            List<Intake> intakes = database.transaction("store events", c -> insertAll(c, batch, lookUp));
            stored(intakes);
            int at = 0;
            for (Pending pending : batch) {
                int size = pending.events().size();
                pending.result().complete(List.copyOf(intakes.subList(at, at + size)));
                at += size;
            }
        } catch (StoreUnavailableException e) {
            if (isBadRow(e.getCause()) || isContention(e.getCause())) {
                // one event a transaction: a bad row fails alone, a delivery sent again answers
                // the first one's id, and two hosts whose batches hold each other's delivery ids
                // (a deadlock, or H2's lock timeout) cannot again
                lookUpFirst = LOOK_UP_AFTER_DUPLICATE;
                batch.forEach(this::commitAlone);
            } else {
                batch.forEach(p -> p.result().completeExceptionally(e));
            }
        } catch (RuntimeException | Error e) {
            batch.forEach(p -> p.result().completeExceptionally(e));
        }
    }

    /**
     * Inserts the batch with one JDBC batch; answers one intake per event of each delivery, in
     * order. Without {@code lookUp} a delivery id already stored breaks the unique index, and the
     * batch is stored again one event at a time.
     */
    private List<Intake> insertAll(Connection c, List<Pending> batch, boolean lookUp) throws SQLException {
        List<Intake> intakes = new ArrayList<>(batch.size());
        Map<Delivery, String> inBatch = new HashMap<>();
        int inserts = 0;
        // On PostgreSQL one query per flow for the batch; H2 would scan the flow's events for it.
        Map<Delivery, String> stored = !lookUp ? Map.of() : database.isPostgres() ? storedDeliveries(c, batch) : null;
        try (PreparedStatement insert = c.prepareStatement(INSERT)) {
            for (Pending pending : batch) {
                for (NewEvent event : pending.events()) {
                    Delivery delivery = new Delivery(event.flowId(), event.deliveryId());
                    if (event.deliveryId() != null) {
                        String first = inBatch.get(delivery);
                        Optional<String> existing = first != null ? Optional.of(first)
                                : stored != null ? Optional.ofNullable(stored.get(delivery)) : byDelivery(c, event);
                        if (existing.isPresent()) {
                            intakes.add(new Intake(existing.get(), true));
                            continue;
                        }
                    }
                    String id = "evt_" + ids.get();
                    bind(insert, id, event, pending.receivedAt());
                    insert.addBatch();
                    inserts++;
                    if (event.deliveryId() != null) {
                        inBatch.put(delivery, id);
                    }
                    intakes.add(new Intake(id, false));
                }
            }
            if (inserts > 0) {
                insert.executeBatch();
            }
        }
        return intakes;
    }

    /**
     * The batch's delivery ids already stored, one query per flow for the whole batch: on
     * PostgreSQL a look-up per event was the costliest statement under load (pg_stat_statements).
     */
    private static Map<Delivery, String> storedDeliveries(Connection c, List<Pending> batch) throws SQLException {
        Map<String, List<String>> byFlow = new HashMap<>();
        for (NewEvent event : batch.stream().flatMap(p -> p.events().stream()).toList()) {
            if (event.deliveryId() != null) {
                byFlow.computeIfAbsent(event.flowId(), f -> new ArrayList<>()).add(event.deliveryId());
            }
        }
        Map<Delivery, String> stored = new HashMap<>();
        for (Map.Entry<String, List<String>> flow : byFlow.entrySet()) {
            for (List<String> chunk : Sql.chunks(flow.getValue().stream().distinct().toList())) {
                List<String> ids = Sql.padded(chunk);
                try (PreparedStatement select = c.prepareStatement("SELECT delivery_id, id FROM events WHERE flow_id = ?"
                        + " AND delivery_id IN (" + Sql.marks(ids.size()) + ")")) {
                    select.setString(1, flow.getKey());
                    for (int i = 0; i < ids.size(); i++) {
                        select.setString(i + 2, ids.get(i));
                    }
                    try (ResultSet rows = select.executeQuery()) {
                        while (rows.next()) {
                            stored.put(new Delivery(flow.getKey(), rows.getString(1)), rows.getString(2));
                        }
                    }
                }
            }
        }
        return stored;
    }

    /**
     * The fallback for a batch that broke a constraint: this delivery in a transaction of its
     * own. Another host storing one of its delivery ids between our look-up and our insert makes
     * the insert fail; then it is tried once more, and the look-up finds the other host's event.
     */
    private void commitAlone(Pending pending) {
        for (int attempt = 1; ; attempt++) {
            try {
                List<Intake> intakes = database.transaction("store events", c -> insertAlone(c, pending));
                stored(intakes);
                pending.result().complete(intakes);
                return;
            } catch (StoreUnavailableException e) {
                SQLException cause = sqlCause(e.getCause());
                boolean raced = cause != null && Database.isUniqueViolation(cause)
                        && pending.events().stream().anyMatch(event -> event.deliveryId() != null);
                if (!raced || attempt == 2) {
                    pending.result().completeExceptionally(e);
                    return;
                }
            } catch (RuntimeException | Error e) {
                pending.result().completeExceptionally(e);
                return;
            }
        }
    }

    private List<Intake> insertAlone(Connection c, Pending pending) throws SQLException {
        List<Intake> intakes = new ArrayList<>();
        Map<Delivery, String> inDelivery = new HashMap<>();
        for (NewEvent event : pending.events()) {
            Delivery delivery = new Delivery(event.flowId(), event.deliveryId());
            Optional<String> existing = event.deliveryId() == null ? Optional.empty()
                    : inDelivery.containsKey(delivery) ? Optional.of(inDelivery.get(delivery)) : byDelivery(c, event);
            if (existing.isPresent()) {
                intakes.add(new Intake(existing.get(), true));
                continue;
            }
            String id = "evt_" + ids.get();
            try (PreparedStatement insert = c.prepareStatement(INSERT)) {
                bind(insert, id, event, pending.receivedAt());
                insert.executeUpdate();
            }
            if (event.deliveryId() != null) {
                inDelivery.put(delivery, id);
            }
            intakes.add(new Intake(id, false));
        }
        return intakes;
    }

    /** Tells the listener when {@code intakes} stored a new event. */
    private void stored(List<Intake> intakes) {
        for (Intake intake : intakes) {
            if (!intake.duplicate()) {
                try {
                    onStored.run();
                } catch (RuntimeException e) {
                    // the events are stored: their callers get their answers whatever the listener did
                }
                return;
            }
        }
    }

    private static void bind(PreparedStatement insert, String id, NewEvent event, long receivedAt) throws SQLException {
        insert.setString(1, id);
        insert.setString(2, event.flowId());
        insert.setString(3, event.deliveryId());
        insert.setString(4, event.entity());
        insert.setString(5, event.key());
        insert.setString(6, event.payload());
        insert.setLong(7, receivedAt);
        insert.setLong(8, receivedAt);
    }

    private static Optional<String> byDelivery(Connection c, NewEvent event) throws SQLException {
        try (PreparedStatement select =
                c.prepareStatement("SELECT id FROM events WHERE flow_id = ? AND delivery_id = ?")) {
            select.setString(1, event.flowId());
            select.setString(2, event.deliveryId());
            try (ResultSet rows = select.executeQuery()) {
                return rows.next() ? Optional.of(rows.getString(1)) : Optional.empty();
            }
        }
    }

    /**
     * A constraint violation (class 23) or a value that does not fit (class 22): the fault of
     * one row, not of the database, so the batch is worth storing again one event at a time.
     */
    /**
     * Two transactions waiting for each other's rows: PostgreSQL's deadlock (40P01), a
     * serialization failure (40001), or H2's lock timeout (HYT00, error 50200), which is how H2
     * ends a deadlock between two batches inserting the same delivery ids in other orders.
     */
    static boolean isContention(Throwable cause) {
        SQLException e = sqlCause(cause);
        String state = e == null ? null : e.getSQLState();
        return state != null && (state.equals("40P01") || state.equals("40001") || state.equals("HYT00")
                || e.getErrorCode() == 50200);
    }

    static boolean isBadRow(Throwable cause) {
        SQLException e = sqlCause(cause);
        String state = e == null ? null : e.getSQLState();
        return state != null && (state.startsWith("23") || state.startsWith("22"));
    }

    /** The SQLException with a SQLSTATE, looking through a batch failure to the statement's own. */
    private static SQLException sqlCause(Throwable cause) {
        if (!(cause instanceof SQLException e)) {
            return null;
        }
        for (SQLException next = e; next != null; next = next.getNextException()) {
            if (next.getSQLState() != null) {
                return next;
            }
        }
        return e;
    }

    private void failQueued() {
        for (Pending pending; (pending = queue.poll()) != null; ) {
            if (pending != WAKE) {
                pending.result().completeExceptionally(closedFailure());
            }
        }
    }

    private static StoreUnavailableException closedFailure() {
        return new StoreUnavailableException("The event store is closed; nothing was stored", null);
    }
}
