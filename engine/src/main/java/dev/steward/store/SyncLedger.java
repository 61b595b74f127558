package dev.steward.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The sync ledger's recent writes per field (what Steward wrote where, with the version each
 * write produced and whether its echo came back; the last {@link #RECENT} per field), known
 * values with their versions, and held fields. Portable SQL for H2 and PostgreSQL.
 */
final class SyncLedger {

    /**
     * How many of Steward's writes to one field are kept to recognise their echoes. An echo comes
     * back within seconds, so a handful covers any burst of writes to one field before the first
     * echo; the flip-flop breaker holds a field long before it is written this often unechoed.
     */
    static final int RECENT = 8;

    private final Database database;
    private final Clock clock;

    SyncLedger(Database database, Clock clock) {
        this.database = database;
        this.clock = clock;
    }

    Map<String, KnownValue> known(String system, String entity, String key) {
        return database.run("read known values", c -> {
            try (PreparedStatement select = c.prepareStatement("SELECT field, value_json, source_version, updated_at, event_id"
                    + " FROM known_values WHERE system_name = ? AND entity = ? AND record_key = ? ORDER BY field")) {
                bind(select, system, entity, key);
                Map<String, KnownValue> values = new LinkedHashMap<>();
                try (ResultSet rows = select.executeQuery()) {
                    while (rows.next()) {
                        values.put(rows.getString(1), new KnownValue(rows.getString(2), rows.getString(3),
                                Instant.ofEpochMilli(rows.getLong(4)), rows.getString(5)));
                    }
                }
                return values;
            }
        });
    }

    /** Steward's recent writes to each field of a record, newest first: one query per record. */
    Map<String, List<LedgerEntry>> recentWrites(String system, String entity, String key) {
        return database.run("read the sync ledger", c -> {
            try (PreparedStatement select = c.prepareStatement("SELECT field, value_json, event_id, written_at, echoed_at,"
                    + " written_version, seq FROM recent_writes WHERE system_name = ? AND entity = ? AND record_key = ?"
                    + " ORDER BY field, seq DESC")) {
                bind(select, system, entity, key);
                Map<String, List<LedgerEntry>> entries = new LinkedHashMap<>();
                try (ResultSet rows = select.executeQuery()) {
                    while (rows.next()) {
                        long echoed = rows.getLong(5);
                        Instant echoedAt = rows.wasNull() ? null : Instant.ofEpochMilli(echoed);
                        entries.computeIfAbsent(rows.getString(1), field -> new ArrayList<>()).add(new LedgerEntry(
                                rows.getString(2), rows.getString(3), Instant.ofEpochMilli(rows.getLong(4)), echoedAt,
                                rows.getString(6), rows.getLong(7)));
                    }
                }
                return entries;
            }
        });
    }

    /**
     * Marks a write's echo as come back, and with it every earlier write to the field whose echo
     * is still to come: a system reports its changes in order, so those echoes came as something
     * else or never come (a write of the value the system held already changes nothing).
     */
    void markEchoed(String system, String entity, String key, String field, long seq) {
        database.run("mark an echo", c -> {
            try (PreparedStatement update = c.prepareStatement("UPDATE recent_writes SET echoed_at = ?"
                    + " WHERE system_name = ? AND entity = ? AND record_key = ? AND field = ? AND seq <= ?"
                    + " AND echoed_at IS NULL")) {
                update.setLong(1, clock.millis());
                update.setString(2, system);
                update.setString(3, entity);
                update.setString(4, key);
                update.setString(5, field);
                update.setLong(6, seq);
                return update.executeUpdate();
            }
        });
    }

    /** The values written to one field of a record, in any system, since a time; oldest first. */
    List<String> writtenSince(String entity, String key, String field, String system, Instant since) {
        return database.run("read a field's write history", c -> {
            try (PreparedStatement select = c.prepareStatement("SELECT value_json FROM writes WHERE entity = ?"
                    + " AND record_key = ? AND field = ? AND system_name = ? AND written_at >= ? ORDER BY seq")) {
                select.setString(1, entity);
                select.setString(2, key);
                select.setString(3, field);
                select.setString(4, system);
                select.setLong(5, since.toEpochMilli());
                List<String> values = new ArrayList<>();
                try (ResultSet rows = select.executeQuery()) {
                    while (rows.next()) {
                        values.add(rows.getString(1));
                    }
                }
                return values;
            }
        });
    }

    Optional<Hold> hold(String entity, String key, String field) {
        return holds("WHERE entity = ? AND record_key = ? AND field = ?", entity, key, field).stream().findFirst();
    }

    List<Hold> holds() {
        return holds("");
    }

    private List<Hold> holds(String where, String... args) {
        return database.run("read holds", c -> {
            try (PreparedStatement select = c.prepareStatement("SELECT entity, record_key, field, since, reason, history"
                    + " FROM holds " + where + " ORDER BY since")) {
                for (int i = 0; i < args.length; i++) {
                    select.setString(i + 1, args[i]);
                }
                List<Hold> holds = new ArrayList<>();
                try (ResultSet rows = select.executeQuery()) {
                    while (rows.next()) {
                        holds.add(new Hold(rows.getString(1), rows.getString(2), rows.getString(3),
                                Instant.ofEpochMilli(rows.getLong(4)), rows.getString(5), rows.getString(6)));
                    }
                }
                return holds;
            }
        });
    }

    /** Places a hold; true if it is new (a field already held stays held as it was). */
    boolean placeHold(String entity, String key, String field, String reason, String history) {
        return database.transaction("place a hold", c -> {
            Savepoint before = c.setSavepoint();
            try (PreparedStatement insert = c.prepareStatement("INSERT INTO holds (entity, record_key, field, since,"
                    + " reason, history) VALUES (?, ?, ?, ?, ?, ?)")) {
                insert.setString(1, entity);
                insert.setString(2, key);
                insert.setString(3, field);
                insert.setLong(4, clock.millis());
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
        });
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

    /**
     * Adds each written field to its recent writes, its echo still to come, and forgets the
     * field's writes older than the last {@link #RECENT}.
     */
    static void record(Connection c, String system, String entity, String key, Map<String, String> fieldJson,
                       String eventId, long now, String version) throws SQLException {
        try (PreparedStatement insert = c.prepareStatement("INSERT INTO recent_writes (system_name, entity, record_key,"
                + " field, value_json, event_id, written_at, written_version) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
             PreparedStatement prune = c.prepareStatement("DELETE FROM recent_writes WHERE system_name = ? AND entity = ?"
                     + " AND record_key = ? AND field = ? AND seq <= (SELECT seq FROM recent_writes WHERE system_name = ?"
                     + " AND entity = ? AND record_key = ? AND field = ? ORDER BY seq DESC LIMIT 1 OFFSET " + RECENT + ")")) {
            for (Map.Entry<String, String> field : fieldJson.entrySet()) {
                bind(insert, system, entity, key);
                insert.setString(4, field.getKey());
                insert.setString(5, field.getValue());
                insert.setString(6, eventId);
                insert.setLong(7, now);
                insert.setString(8, version);
                insert.executeUpdate();
                for (int offset : new int[] {0, 4}) {
                    prune.setString(offset + 1, system);
                    prune.setString(offset + 2, entity);
                    prune.setString(offset + 3, key);
                    prune.setString(offset + 4, field.getKey());
                }
                prune.executeUpdate();
            }
        }
    }

    private static void bind(PreparedStatement statement, String system, String entity, String key) throws SQLException {
        statement.setString(1, system);
        statement.setString(2, entity);
        statement.setString(3, key);
    }
}
