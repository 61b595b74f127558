package dev.steward.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code trigger_state}: the position and lease of each poll and schedule trigger. Every
 * change is one conditional statement, so two hosts racing for a trigger never both win:
 * {@link #take} succeeds for one of them, and a position is written only by the lease holder.
 * Thread-safe.
 */
final class TriggerTable {

    private static final String COLUMNS = "flow_id, kind, signature, position, next_due_at, owner, lease_until,"
            + " failures, last_error, last_started_at, last_success_at, events_stored";

    private final Database database;
    private final Clock clock;

    TriggerTable(Database database, Clock clock) {
        this.database = database;
        this.clock = clock;
    }

    /**
     * Makes the trigger's row if it has none, due at {@code firstDue}; if its row was made for
     * another signature, starts it over (no position, due at {@code firstDue}, no lease).
     */
    void register(String flowId, String kind, String signature, Instant firstDue) {
        database.run("register the trigger of flow " + flowId, c -> {
            try (PreparedStatement update = c.prepareStatement("UPDATE trigger_state SET kind = ?, signature = ?,"
                    + " position = NULL, next_due_at = ?, owner = NULL, lease_until = NULL, failures = 0,"
                    + " last_error = NULL WHERE flow_id = ? AND signature <> ?")) {
                update.setString(1, kind);
                update.setString(2, signature);
                update.setLong(3, firstDue.toEpochMilli());
                update.setString(4, flowId);
                update.setString(5, signature);
                update.executeUpdate();
            }
            try (PreparedStatement insert = c.prepareStatement("INSERT INTO trigger_state (flow_id, kind, signature,"
                    + " next_due_at) SELECT ?, ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM trigger_state WHERE flow_id = ?)")) {
                insert.setString(1, flowId);
                insert.setString(2, kind);
                insert.setString(3, signature);
                insert.setLong(4, firstDue.toEpochMilli());
                insert.setString(5, flowId);
                insert.executeUpdate();
            } catch (SQLException e) {
                if (!Database.isUniqueViolation(e)) {
                    throw e;
                }
                // another host made the row at the same moment: it is there, as wanted
            }
            return null;
        });
    }

    /** Every trigger's row. */
    List<TriggerState> all() {
        return database.run("read the triggers", c -> {
            try (PreparedStatement select = c.prepareStatement("SELECT " + COLUMNS + " FROM trigger_state ORDER BY flow_id");
                 ResultSet rows = select.executeQuery()) {
                List<TriggerState> states = new ArrayList<>();
                while (rows.next()) {
                    states.add(state(rows));
                }
                return states;
            }
        });
    }

    /**
     * Takes the trigger's lease for {@code lease} if it is due and nobody holds a live lease:
     * the row as taken, or empty when it is not due or another worker has it.
     */
    Optional<TriggerState> take(String flowId, String signature, String owner, Duration lease) {
        long now = clock.millis();
        return database.run("take the trigger of flow " + flowId, c -> {
            try (PreparedStatement update = c.prepareStatement("UPDATE trigger_state SET owner = ?, lease_until = ?,"
                    + " last_started_at = ? WHERE flow_id = ? AND signature = ? AND next_due_at <= ?"
                    + " AND (lease_until IS NULL OR lease_until < ?)")) {
                update.setString(1, owner);
                update.setLong(2, now + lease.toMillis());
                update.setLong(3, now);
                update.setString(4, flowId);
                update.setString(5, signature);
                update.setLong(6, now);
                update.setLong(7, now);
                if (update.executeUpdate() == 0) {
                    return Optional.empty();
                }
            }
            try (PreparedStatement select = c.prepareStatement("SELECT " + COLUMNS + " FROM trigger_state WHERE flow_id = ?")) {
                select.setString(1, flowId);
                try (ResultSet rows = select.executeQuery()) {
                    return rows.next() ? Optional.of(state(rows)) : Optional.empty();
                }
            }
        });
    }

    /**
     * Stores a position reached while the lease is held, with the new events stored to reach
     * it, and renews the lease. False when the lease was lost (it expired and another worker
     * took the trigger): the caller must stop.
     */
    boolean advance(String flowId, String owner, Optional<String> position, long newEvents, Duration lease) {
        return database.run("store the position of flow " + flowId, c -> {
            try (PreparedStatement update = c.prepareStatement("UPDATE trigger_state SET position = ?,"
                    + " events_stored = events_stored + ?, lease_until = ? WHERE flow_id = ? AND owner = ?")) {
                setText(update, 1, position);
                update.setLong(2, newEvents);
                update.setLong(3, clock.millis() + lease.toMillis());
                update.setString(4, flowId);
                update.setString(5, owner);
                return update.executeUpdate() == 1;
            }
        });
    }

    /** Ends a successful run: due again at {@code nextDue}, lease given back, failures cleared. */
    boolean succeed(String flowId, String owner, Instant nextDue) {
        return release(flowId, owner, nextDue, "failures = 0, last_error = NULL, last_success_at = ?",
                clock.millis(), null);
    }

    /** Ends a failed run: due again at {@code retryAt}, lease given back, one more failure. */
    boolean fail(String flowId, String owner, Instant retryAt, String error) {
        return release(flowId, owner, retryAt, "failures = failures + 1, last_error = ?", null, error);
    }

    private boolean release(String flowId, String owner, Instant nextDue, String set, Long success, String error) {
        return database.run("release the trigger of flow " + flowId, c -> {
            try (PreparedStatement update = c.prepareStatement("UPDATE trigger_state SET owner = NULL, lease_until = NULL,"
                    + " next_due_at = ?, " + set + " WHERE flow_id = ? AND owner = ?")) {
                update.setLong(1, nextDue.toEpochMilli());
                if (success != null) {
                    update.setLong(2, success);
                } else {
                    update.setString(2, error);
                }
                update.setString(3, flowId);
                update.setString(4, owner);
                return update.executeUpdate() == 1;
            }
        });
    }

    private static void setText(PreparedStatement statement, int index, Optional<String> text) throws SQLException {
        if (text.isPresent()) {
            statement.setString(index, text.get());
        } else {
            statement.setNull(index, Types.VARCHAR);
        }
    }

    private TriggerState state(ResultSet rows) throws SQLException {
        long now = clock.millis();
        Optional<Instant> lease = instant(rows, 7);
        boolean held = lease.isPresent() && lease.get().toEpochMilli() >= now;
        return new TriggerState(rows.getString(1), rows.getString(2), rows.getString(3),
                Optional.ofNullable(rows.getString(4)), Instant.ofEpochMilli(rows.getLong(5)),
                held ? Optional.ofNullable(rows.getString(6)) : Optional.empty(), held ? lease : Optional.empty(),
                rows.getInt(8), Optional.ofNullable(rows.getString(9)), instant(rows, 10), instant(rows, 11),
                rows.getLong(12));
    }

    private static Optional<Instant> instant(ResultSet rows, int column) throws SQLException {
        long value = rows.getLong(column);
        return rows.wasNull() ? Optional.empty() : Optional.of(Instant.ofEpochMilli(value));
    }
}
