package dev.steward.store;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * Records the outcomes of runs by group commit, as {@link IntakeCommitter} stores new events:
 * workers hand their {@link RunOutcome} to one committer thread; it takes whatever arrived while
 * its previous commit ran (at most {@link #MAX_BATCH}), and records all of it in one transaction:
 * each event's new status (a compare-and-set on its claim), then, for the events still claimed,
 * their attempts, known values, ledger writes, echoes, holds and the conflicts they prevented. One commit pays for many runs,
 * where each run used to cost 8 + 2N commits of its own.
 *
 * <p>If the batch breaks a constraint or a value does not fit, it is rolled back and recorded
 * again one run at a time, so that one bad outcome does not hold back the others. A database
 * failure fails the batch's futures with {@link StoreUnavailableException}: those events stay
 * RUNNING until their leases end, and run again, as when a host dies mid-run.
 *
 * <p>Thread safety and lifecycle: {@link #submit} from any thread; the constructor starts the
 * thread; {@link #close} records what is queued, then stops; idempotent. Close it before the
 * database.
 */
final class OutcomeCommitter implements AutoCloseable {

    static final int MAX_BATCH = 256;

    private static final Logger LOG = LoggerFactory.getLogger(OutcomeCommitter.class);

    /**
     * Fencing: an outcome that carries its claim's token applies only while the event still
     * carries it. Checked in the same statement as the status change, so in the same transaction
     * as the outcome's known values and ledger writes, which are recorded only for the events
     * whose status changed: a stale host's whole outcome is refused.
     */
    private static final String FENCE = " AND (? = 0 OR claim_token = ?)";
    private static final String FINISH = "UPDATE events SET status = ?, finished_at = ?, trace = ?, last_error = ?,"
            + " claimed_by = NULL, lease_until = NULL WHERE id = ? AND status = 'RUNNING' AND claimed_by = ?" + FENCE;
    private static final String RETRY = "UPDATE events SET status = 'PENDING', next_attempt_at = ?, trace = ?,"
            + " last_error = ?, claimed_by = NULL, lease_until = NULL WHERE id = ? AND status = 'RUNNING' AND claimed_by = ?" + FENCE;
    private static final String DEFER = "UPDATE events SET status = 'PENDING', next_attempt_at = ?, trace = ?,"
            + " attempts = attempts - 1, claimed_by = NULL, lease_until = NULL"
            + " WHERE id = ? AND status = 'RUNNING' AND claimed_by = ? AND attempts > 0" + FENCE;
    static final String INSERT_ATTEMPT = "INSERT INTO attempts (event_id, attempt, started_at, finished_at,"
            + " outcome, error) VALUES (?, ?, ?, ?, ?, ?)";

    private record Pending(RunOutcome outcome, CompletableFuture<Boolean> applied) {}

    private static final Pending WAKE = new Pending(null, null);

    private final Database database;
    private final Clock clock;
    private final BlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
    private final Thread thread;
    private volatile boolean closed;

    OutcomeCommitter(Database database, Clock clock) {
        this.database = database;
        this.clock = clock;
        this.thread = Thread.ofPlatform().name("steward-outcomes").daemon().start(this::run);
    }

    /** Queues an outcome; the future says, once committed, whether it applied (the claim still held). */
    CompletableFuture<Boolean> submit(RunOutcome outcome) {
        CompletableFuture<Boolean> applied = new CompletableFuture<>();
        if (closed) {
            applied.completeExceptionally(closedFailure());
            return applied;
        }
        queue.add(new Pending(outcome, applied));
        return applied;
    }

    /** Records outcomes now, on the caller's thread, in one transaction; whether each applied. */
    List<Boolean> commitNow(List<RunOutcome> outcomes) {
        List<Boolean> applied = new ArrayList<>();
        try {
            applied.addAll(database.transaction("record run outcomes", c -> recordAll(c, outcomes)));
        } catch (StoreUnavailableException e) {
            if (!IntakeCommitter.isBadRow(e.getCause())) {
                throw e;
            }
            for (RunOutcome outcome : outcomes) {
                try {
                    applied.add(database.transaction("record a run outcome", c -> recordAlone(c, outcome)));
                } catch (StoreUnavailableException alone) {
                    LOG.warn("cannot record the outcome of event {}; it runs again when its lease ends: {}",
                            outcome.eventId(), alone.getMessage());
                    applied.add(false);
                }
            }
        }
        return applied;
    }

    private void run() {
        List<Pending> batch = new ArrayList<>(MAX_BATCH);
        try {
            while (true) {
                batch.add(queue.take());
                queue.drainTo(batch, MAX_BATCH - 1);
                boolean stop = batch.removeIf(p -> p == WAKE) && closed;
                if (!batch.isEmpty()) {
                    commit(batch);
                }
                batch.clear();
                if (stop && queue.isEmpty()) {
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            batch.forEach(p -> p.applied().completeExceptionally(closedFailure()));
            for (Pending pending; (pending = queue.poll()) != null; ) {
                if (pending != WAKE) {
                    pending.applied().completeExceptionally(closedFailure());
                }
            }
        }
    }

    private void commit(List<Pending> batch) {
        try {
            List<Boolean> applied = commitNow(batch.stream().map(Pending::outcome).toList());
            for (int i = 0; i < batch.size(); i++) {
                batch.get(i).applied().complete(applied.get(i));
            }
        } catch (RuntimeException | Error e) {
            LOG.warn("cannot record the outcomes of {} runs; they run again when their leases end: {}", batch.size(),
                    e.getMessage());
            batch.forEach(p -> p.applied().completeExceptionally(e));
        }
    }

    private List<Boolean> recordAll(Connection c, List<RunOutcome> outcomes) throws SQLException {
        long now = clock.millis();
        List<Boolean> applied = markEvents(c, outcomes, now);
        List<RunEffects> effects = new ArrayList<>();
        List<RunEffects.Tally> tallies = new ArrayList<>();
        try (PreparedStatement insert = c.prepareStatement(INSERT_ATTEMPT)) {
            int attempts = 0;
            for (int i = 0; i < outcomes.size(); i++) {
                if (!applied.get(i)) {
                    continue;
                }
                RunOutcome outcome = outcomes.get(i);
                if (outcome.effects() != null) {
                    effects.add(outcome.effects());
                    tallies.addAll(outcome.effects().counted(outcome.kind()));
                }
                if (outcome.attempt() != null) {
                    bindAttempt(insert, outcome.attempt());
                    insert.addBatch();
                    attempts++;
                }
            }
            if (attempts > 0) {
                insert.executeBatch();
            }
        }
        if (!effects.isEmpty()) {
            KnownValueTable.apply(c, effects, now);
            LedgerTable.apply(c, effects, now);
            HoldTable.apply(c, effects);
            ConflictCountTable.add(c, database.isPostgres(), tallies, now);
        }
        return applied;
    }

    /** One outcome in a transaction of its own, tolerant of rows another writer added meanwhile. */
    private Boolean recordAlone(Connection c, RunOutcome outcome) throws SQLException {
        long now = clock.millis();
        if (!markEvents(c, List.of(outcome), now).getFirst()) {
            return false;
        }
        if (outcome.attempt() != null) {
            Savepoint before = c.setSavepoint();
            try (PreparedStatement insert = c.prepareStatement(INSERT_ATTEMPT)) {
                bindAttempt(insert, outcome.attempt());
                insert.executeUpdate();
                c.releaseSavepoint(before);
            } catch (SQLException e) {
                if (!Database.isUniqueViolation(e)) {
                    throw e;
                }
                c.rollback(before); // the same attempt recorded already: kept once
            }
        }
        if (outcome.effects() != null) {
            KnownValueTable.applyAlone(c, outcome.effects(), now);
            LedgerTable.apply(c, List.of(outcome.effects()), now);
            HoldTable.apply(c, List.of(outcome.effects()));
            ConflictCountTable.add(c, database.isPostgres(), outcome.effects().counted(outcome.kind()), now);
        }
        return true;
    }

    /** The events' new statuses, as one JDBC batch per kind; whether each still was this worker's. */
    private static List<Boolean> markEvents(Connection c, List<RunOutcome> outcomes, long now) throws SQLException {
        Boolean[] applied = new Boolean[outcomes.size()];
        try (PreparedStatement finish = c.prepareStatement(FINISH);
             PreparedStatement retry = c.prepareStatement(RETRY);
             PreparedStatement defer = c.prepareStatement(DEFER)) {
            List<Integer> finishes = new ArrayList<>();
            List<Integer> retries = new ArrayList<>();
            List<Integer> deferrals = new ArrayList<>();
            for (int i = 0; i < outcomes.size(); i++) {
                RunOutcome o = outcomes.get(i);
                switch (o.kind()) {
                    case FINISH -> {
                        finish.setString(1, o.status().name());
                        finish.setLong(2, now);
                        Store.setText(finish, 3, o.traceJson());
                        Store.setText(finish, 4, o.error());
                        finish.setString(5, o.eventId());
                        finish.setString(6, o.worker());
                        fence(finish, 7, o.claim());
                        finish.addBatch();
                        finishes.add(i);
                    }
                    case RETRY -> {
                        retry.setLong(1, o.at().toEpochMilli());
                        Store.setText(retry, 2, o.traceJson());
                        Store.setText(retry, 3, o.error());
                        retry.setString(4, o.eventId());
                        retry.setString(5, o.worker());
                        fence(retry, 6, o.claim());
                        retry.addBatch();
                        retries.add(i);
                    }
                    case DEFER -> {
                        defer.setLong(1, o.at().toEpochMilli());
                        Store.setText(defer, 2, o.traceJson());
                        defer.setString(3, o.eventId());
                        defer.setString(4, o.worker());
                        fence(defer, 5, o.claim());
                        defer.addBatch();
                        deferrals.add(i);
                    }
                }
            }
            record(finish, finishes, applied);
            record(retry, retries, applied);
            record(defer, deferrals, applied);
        }
        return List.of(applied);
    }

    private static void fence(PreparedStatement statement, int index, long claim) throws SQLException {
        statement.setLong(index, claim);
        statement.setLong(index + 1, claim);
    }

    private static void record(PreparedStatement batch, List<Integer> indexes, Boolean[] applied) throws SQLException {
        if (indexes.isEmpty()) {
            return;
        }
        int[] counts = batch.executeBatch();
        for (int i = 0; i < indexes.size(); i++) {
            // SUCCESS_NO_INFO (-2) would say nothing; both databases report counts.
            applied[indexes.get(i)] = counts[i] == 1 || counts[i] == java.sql.Statement.SUCCESS_NO_INFO;
        }
    }

    static void bindAttempt(PreparedStatement insert, Attempt attempt) throws SQLException {
        insert.setString(1, attempt.eventId());
        insert.setInt(2, attempt.number());
        insert.setLong(3, attempt.startedAt().toEpochMilli());
        insert.setLong(4, attempt.finishedAt().toEpochMilli());
        insert.setString(5, attempt.outcome());
        Store.setText(insert, 6, attempt.error());
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        queue.add(WAKE);
        try {
            thread.join(IntakeCommitter.CLOSE_WITHIN);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static StoreUnavailableException closedFailure() {
        return new StoreUnavailableException("The event store is closed; the run's outcome was not recorded", null);
    }
}
