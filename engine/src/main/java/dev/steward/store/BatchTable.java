package dev.steward.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.List;
import java.util.Optional;

/**
 * {@code batches}: the checkpoints of batch runs. A chunk's effects (known values, ledger, holds;
 * for records new to Steward one {@link BatchRecordTable} row each) and the checkpoint past it
 * are committed in one transaction, so after a crash the store never
 * holds a chunk's ledger without its checkpoint, nor the reverse. Thread-safe.
 */
final class BatchTable {

    private static final String COLUMNS = "id, flow_id, input, done, next_cursor, in_doubt, written, rejected,"
            + " rejects_bytes, finished_at";

    private final Database database;
    private final Clock clock;

    BatchTable(Database database, Clock clock) {
        this.database = database;
        this.clock = clock;
    }

    Optional<BatchCheckpoint> find(String id) {
        return database.run("read a batch checkpoint", c -> find(c, id));
    }

    private static Optional<BatchCheckpoint> find(Connection c, String id) throws SQLException {
        try (PreparedStatement select = c.prepareStatement("SELECT " + COLUMNS + " FROM batches WHERE id = ?")) {
            select.setString(1, id);
            try (ResultSet rows = select.executeQuery()) {
                if (!rows.next()) {
                    return Optional.empty();
                }
                rows.getLong(10);
                boolean finished = !rows.wasNull();
                return Optional.of(new BatchCheckpoint(rows.getString(1), rows.getString(2), rows.getString(3),
                        rows.getLong(4), rows.getString(5), rows.getLong(6), rows.getLong(7), rows.getLong(8),
                        rows.getLong(9), finished));
            }
        }
    }

    /** The checkpoint to go on from: the unfinished one, or a fresh one (also when {@code restart}). */
    BatchCheckpoint start(String id, String flowId, String input, boolean restart) {
        long now = clock.millis();
        return database.transaction("start a batch", c -> {
            Optional<BatchCheckpoint> found = find(c, id);
            if (found.isPresent() && !found.get().finished() && !restart) {
                return found.get();
            }
            if (found.isPresent()) {
                try (PreparedStatement delete = c.prepareStatement("DELETE FROM batches WHERE id = ?")) {
                    delete.setString(1, id);
                    delete.executeUpdate();
                }
            }
            try (PreparedStatement insert = c.prepareStatement("INSERT INTO batches (id, flow_id, input, done,"
                    + " next_cursor, in_doubt, written, rejected, rejects_bytes, started_at, updated_at)"
                    + " VALUES (?, ?, ?, 0, NULL, 0, 0, 0, 0, ?, ?)")) {
                insert.setString(1, id);
                insert.setString(2, flowId);
                insert.setString(3, input);
                insert.setLong(4, now);
                insert.setLong(5, now);
                insert.executeUpdate();
            }
            return new BatchCheckpoint(id, flowId, input, 0, null, 0, 0, 0, 0, false);
        });
    }

    /**
     * Notes, before writing them, that the input's records up to position {@code until} may
     * reach the targets. {@code in_doubt} counts from {@code done} as it is when this commits: a
     * chunk commit may move {@code done} at the same time (see {@link #save}).
     */
    void inDoubtUntil(String id, long until) {
        database.run("mark a batch chunk in doubt", c -> {
            try (PreparedStatement update = c.prepareStatement("UPDATE batches SET in_doubt = GREATEST(? - done, 0),"
                    + " updated_at = ? WHERE id = ?")) {
                update.setLong(1, until);
                update.setLong(2, clock.millis());
                update.setString(3, id);
                return update.executeUpdate();
            }
        });
    }

    /** A chunk's effects and the checkpoint after it, in one transaction. */
    void commit(List<RunEffects> effects, BatchCheckpoint next, boolean finished) {
        long now = clock.millis();
        try {
            database.transaction("record a batch chunk", c -> {
                if (!effects.isEmpty()) {
                    // Records new to Steward get one row each; the others their rows per field.
                    List<RunEffects> light = new java.util.ArrayList<>();
                    List<RunEffects> full = new java.util.ArrayList<>();
                    for (RunEffects run : effects) {
                        (BatchRecordTable.fits(run) ? light : full).add(run);
                    }
                    BatchRecordTable.insert(c, light, now);
                    KnownValueTable.apply(c, full, now);
                    LedgerTable.apply(c, full, now);
                    HoldTable.apply(c, effects);
                }
                save(c, next, finished, now);
                return null;
            });
        } catch (StoreUnavailableException e) {
            if (!IntakeCommitter.isBadRow(e.getCause())) {
                throw e;
            }
            // A live host learnt one of these values meanwhile (a shared store), or another batch
            // stored one of these records: move such rows first, then upsert row by row.
            database.transaction("record a batch chunk row by row", c -> {
                java.util.Map<String, List<String>> keys = new java.util.LinkedHashMap<>();
                for (RunEffects run : effects) {
                    keys.computeIfAbsent(run.state().record().entity(), entity -> new java.util.ArrayList<>())
                            .add(run.state().record().key());
                }
                for (java.util.Map.Entry<String, List<String>> entity : keys.entrySet()) {
                    for (List<String> chunk : Sql.chunks(entity.getValue())) {
                        BatchRecordTable.settle(c, entity.getKey(), chunk);
                    }
                }
                for (RunEffects run : effects) {
                    KnownValueTable.applyAlone(c, run, now);
                }
                LedgerTable.apply(c, effects, now);
                HoldTable.apply(c, effects);
                save(c, next, finished, now);
                return null;
            });
        }
    }

    /**
     * Moves the checkpoint. Records in doubt past the new {@code done} stay in doubt: the write
     * thread may have noted the next chunk's while this one was committing.
     */
    private static void save(Connection c, BatchCheckpoint next, boolean finished, long now) throws SQLException {
        // every expression reads the row as it was before this update
        try (PreparedStatement update = c.prepareStatement("UPDATE batches SET in_doubt = GREATEST(done + in_doubt - ?, 0),"
                + " done = ?, next_cursor = ?, written = ?, rejected = ?, rejects_bytes = ?, updated_at = ?, finished_at = ?"
                + " WHERE id = ?")) {
            update.setLong(1, next.done());
            update.setLong(2, next.done());
            Store.setText(update, 3, next.nextCursor());
            update.setLong(4, next.written());
            update.setLong(5, next.rejected());
            update.setLong(6, next.rejectsBytes());
            update.setLong(7, now);
            if (finished) {
                update.setLong(8, now);
            } else {
                update.setNull(8, java.sql.Types.BIGINT);
            }
            update.setString(9, next.id());
            if (update.executeUpdate() != 1) {
                throw new SQLException("the batch " + next.id() + " has no checkpoint row", "23000");
            }
        }
    }
}
