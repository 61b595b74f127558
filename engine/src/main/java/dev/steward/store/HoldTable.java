package dev.steward.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** {@code holds}: fields the flip-flop breaker stopped writing, until someone releases them. */
final class HoldTable {

    private static final String COLUMNS = "entity, record_key, field, since, reason, history";

    private final Database database;
    private final Clock clock;

    HoldTable(Database database, Clock clock) {
        this.database = database;
        this.clock = clock;
    }

    Optional<Hold> hold(String entity, String key, String field) {
        return holds("WHERE entity = ? AND record_key = ? AND field = ?", entity, key, field).stream().findFirst();
    }

    List<Hold> holds() {
        return holds("");
    }

    private List<Hold> holds(String where, String... args) {
        return database.run("read holds", c -> {
            try (PreparedStatement select = c.prepareStatement("SELECT " + COLUMNS + " FROM holds " + where + " ORDER BY since")) {
                for (int i = 0; i < args.length; i++) {
                    select.setString(i + 1, args[i]);
                }
                List<Hold> holds = new ArrayList<>();
                try (ResultSet rows = select.executeQuery()) {
                    while (rows.next()) {
                        holds.add(hold(rows));
                    }
                }
                return holds;
            }
        });
    }

    private static Hold hold(ResultSet rows) throws SQLException {
        return new Hold(rows.getString(1), rows.getString(2), rows.getString(3), Instant.ofEpochMilli(rows.getLong(4)),
                rows.getString(5), rows.getString(6));
    }

    /** The holds of some records of one entity, into their states. */
    static void load(Connection c, String entity, List<String> keys, Map<String, RecordState> states) throws SQLException {
        try (PreparedStatement select = c.prepareStatement("SELECT " + COLUMNS + " FROM holds WHERE entity = ?"
                + " AND record_key IN (" + Sql.marks(keys.size()) + ")")) {
            select.setString(1, entity);
            for (int i = 0; i < keys.size(); i++) {
                select.setString(i + 2, keys.get(i));
            }
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    RecordState state = states.get(rows.getString(2));
                    if (state != null) {
                        state.putHold(hold(rows));
                    }
                }
            }
        }
    }

    /** Places a hold; true if it is new (a field already held stays held as it was). */
    boolean placeHold(String entity, String key, String field, String reason, String history) {
        return database.transaction("place a hold", c -> place(c, entity, key, field, reason, history, clock.millis()));
    }

    /** The holds a batch of runs placed; rare, so one row at a time. */
    static void apply(Connection c, List<RunEffects> runs) throws SQLException {
        for (RunEffects run : runs) {
            for (RunEffects.Held held : run.held()) {
                place(c, run.state().record().entity(), run.state().record().key(), held.field(), held.reason(),
                        held.history(), held.at());
            }
        }
    }

    private static boolean place(Connection c, String entity, String key, String field, String reason, String history,
                                 long at) throws SQLException {
        // PostgreSQL aborts the whole transaction on a failed statement unless it ran under a savepoint.
        Savepoint before = c.setSavepoint();
        try (PreparedStatement insert = c.prepareStatement("INSERT INTO holds (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?)")) {
            insert.setString(1, entity);
            insert.setString(2, key);
            insert.setString(3, field);
            insert.setLong(4, at);
            insert.setString(5, reason);
            insert.setString(6, history);
            insert.executeUpdate();
            c.releaseSavepoint(before);
            return true;
        } catch (SQLException e) {
            if (!Database.isUniqueViolation(e)) {
                throw e;
            }
            c.rollback(before);
            return false;
        }
    }

    boolean releaseHold(String entity, String key, String field) {
        return database.run("release a hold", c -> {
            try (PreparedStatement delete = c.prepareStatement("DELETE FROM holds WHERE entity = ? AND record_key = ? AND field = ?")) {
                delete.setString(1, entity);
                delete.setString(2, key);
                delete.setString(3, field);
                return delete.executeUpdate() > 0;
            }
        });
    }
}
