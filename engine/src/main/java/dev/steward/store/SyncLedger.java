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
 * The sync ledger's latest entry per field (what Steward last wrote where, and whether its echo
 * came back), known values with their versions, and held fields. Portable SQL for H2 and
 * PostgreSQL.
 */
final class SyncLedger {

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

    Map<String, LedgerEntry> ledger(String system, String entity, String key) {
        return database.run("read the sync ledger", c -> {
            try (PreparedStatement select = c.prepareStatement("SELECT field, value_json, event_id, written_at, echoed_at,"
                    + " written_version FROM ledger WHERE system_name = ? AND entity = ? AND record_key = ? ORDER BY field")) {
                bind(select, system, entity, key);
                Map<String, LedgerEntry> entries = new LinkedHashMap<>();
                try (ResultSet rows = select.executeQuery()) {
                    while (rows.next()) {
                        long echoed = rows.getLong(5);
                        Instant echoedAt = rows.wasNull() ? null : Instant.ofEpochMilli(echoed);
                        entries.put(rows.getString(1), new LedgerEntry(rows.getString(2), rows.getString(3),
                                Instant.ofEpochMilli(rows.getLong(4)), echoedAt, rows.getString(6)));
                    }
                }
                return entries;
            }
        });
    }

    void markEchoed(String system, String entity, String key, String field) {
        database.run("mark an echo", c -> {
            try (PreparedStatement update = c.prepareStatement("UPDATE ledger SET echoed_at = ?"
                    + " WHERE system_name = ? AND entity = ? AND record_key = ? AND field = ?")) {
                update.setLong(1, clock.millis());
                update.setString(2, system);
                update.setString(3, entity);
                update.setString(4, key);
                update.setString(5, field);
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

    /** Sets the ledger's latest entry for each written field, its echo still to come. */
    static void upsert(Connection c, String system, String entity, String key, Map<String, String> fieldJson,
                       String eventId, long now, String version) throws SQLException {
        for (Map.Entry<String, String> field : fieldJson.entrySet()) {
            FieldRows.LEDGER.upsert(c, system, entity, key, field.getKey(), field.getValue(), eventId, now, version);
        }
    }

    private static void bind(PreparedStatement statement, String system, String entity, String key) throws SQLException {
        statement.setString(1, system);
        statement.setString(2, entity);
        statement.setString(3, key);
    }
}
