package dev.steward.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The sync ledger: {@code writes}, every value Steward wrote where (for people, audits and the
 * flip-flop breaker's window), and {@code recent_writes}, the last {@link #RECENT} writes per field
 * with the version each produced and whether its echo came back (to recognise echoes). Read one
 * record at a time or for a batch of runs; written one write at a time or with a batch's outcomes.
 * Portable SQL for H2 and PostgreSQL.
 */
final class LedgerTable {

    /**
     * How many of Steward's writes to one field are kept to recognise their echoes. An echo comes
     * back within seconds, so a handful covers any burst of writes to one field before the first
     * echo; the flip-flop breaker holds a field long before it is written this often unechoed.
     */
    static final int RECENT = 8;

    private static final String RECENT_COLUMNS = "system_name, field, value_json, event_id, written_at, echoed_at,"
            + " written_version, seq";
    private static final String INSERT_WRITE = "INSERT INTO writes (system_name, entity, record_key, field, value_json,"
            + " event_id, written_at) VALUES (?, ?, ?, ?, ?, ?, ?)";
    private static final String INSERT_RECENT = "INSERT INTO recent_writes (system_name, entity, record_key, field,"
            + " value_json, event_id, written_at, written_version) VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
    private static final String MARK_ECHOED = "UPDATE recent_writes SET echoed_at = ? WHERE system_name = ? AND entity = ?"
            + " AND record_key = ? AND field = ? AND seq <= ? AND echoed_at IS NULL";

    private final Database database;
    private final Clock clock;

    LedgerTable(Database database, Clock clock) {
        this.database = database;
        this.clock = clock;
    }

    /** Steward's recent writes to each field of a record, newest first: one query per record. */
    Map<String, List<LedgerEntry>> recentWrites(String system, String entity, String key) {
        return database.run("read the sync ledger", c -> {
            try (PreparedStatement select = c.prepareStatement("SELECT " + RECENT_COLUMNS + " FROM recent_writes"
                    + " WHERE system_name = ? AND entity = ? AND record_key = ? ORDER BY field, seq DESC")) {
                select.setString(1, system);
                select.setString(2, entity);
                select.setString(3, key);
                Map<String, List<LedgerEntry>> entries = new LinkedHashMap<>();
                try (ResultSet rows = select.executeQuery()) {
                    while (rows.next()) {
                        entries.computeIfAbsent(rows.getString(2), field -> new ArrayList<>()).add(entry(rows));
                    }
                }
                return entries;
            }
        });
    }

    private static LedgerEntry entry(ResultSet rows) throws SQLException {
        long echoed = rows.getLong(6);
        Instant echoedAt = rows.wasNull() ? null : Instant.ofEpochMilli(echoed);
        return new LedgerEntry(rows.getString(3), rows.getString(4), Instant.ofEpochMilli(rows.getLong(5)), echoedAt,
                rows.getString(7), rows.getLong(8));
    }

    /**
     * Every system's recent writes of some records of one entity, and of those the values
     * written since {@code since} (the flip-flop window), into their states.
     */
    static void load(Connection c, String entity, List<String> keys, long since, Map<String, RecordState> states)
            throws SQLException {
        try (PreparedStatement select = c.prepareStatement("SELECT record_key, " + RECENT_COLUMNS + " FROM recent_writes"
                + " WHERE entity = ? AND record_key IN (" + Sql.marks(keys.size()) + ") ORDER BY record_key, system_name,"
                + " field, seq DESC")) {
            bindKeys(select, entity, keys);
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    RecordState state = states.get(rows.getString(1));
                    if (state != null) {
                        state.addRecent(rows.getString(2), rows.getString(3), entryShifted(rows));
                    }
                }
            }
        }
        // The flip-flop window's history comes from the same recent writes (the breaker holds a
        // field long before it is written RECENT times in its window: reversals are counted over a
        // field's last RECENT writes), not from the whole ledger, which grows with every write.
        states.values().forEach(state -> state.historyFromRecent(since));
    }

    private static void bindKeys(PreparedStatement select, String entity, List<String> keys) throws SQLException {
        select.setString(1, entity);
        for (int i = 0; i < keys.size(); i++) {
            select.setString(i + 2, keys.get(i));
        }
    }

    /** {@link #entry} for a row with the record key in front. */
    private static LedgerEntry entryShifted(ResultSet rows) throws SQLException {
        long echoed = rows.getLong(7);
        Instant echoedAt = rows.wasNull() ? null : Instant.ofEpochMilli(echoed);
        return new LedgerEntry(rows.getString(4), rows.getString(5), Instant.ofEpochMilli(rows.getLong(6)), echoedAt,
                rows.getString(8), rows.getLong(9));
    }

    /**
     * Marks a write's echo as come back, and with it every earlier write to the field whose echo
     * is still to come: a system reports its changes in order, so those echoes came as something
     * else or never come (a write of the value the system held already changes nothing).
     */
    void markEchoed(String system, String entity, String key, String field, long seq) {
        database.run("mark an echo", c -> {
            try (PreparedStatement update = c.prepareStatement(MARK_ECHOED)) {
                bindEcho(update, clock.millis(), system, entity, key, field, seq);
                return update.executeUpdate();
            }
        });
    }

    private static void bindEcho(PreparedStatement update, long now, String system, String entity, String key, String field,
                                 long seq) throws SQLException {
        update.setLong(1, now);
        update.setString(2, system);
        update.setString(3, entity);
        update.setString(4, key);
        update.setString(5, field);
        update.setLong(6, seq);
    }

    /** The values written to one field of a record in one system since a time; oldest first. */
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

    /** Appends one write to the ledger and to each field's recent writes, forgetting the oldest past {@link #RECENT}. */
    void recordWrite(String system, String entity, String key, Map<String, String> fieldJson, String eventId,
                     String version) {
        Objects.requireNonNull(fieldJson, "fieldJson");
        if (fieldJson.isEmpty()) {
            return;
        }
        long now = clock.millis();
        database.transaction("record a write", c -> {
            try (PreparedStatement insert = c.prepareStatement(INSERT_WRITE)) {
                for (Map.Entry<String, String> field : fieldJson.entrySet()) {
                    bindWrite(insert, system, entity, key, field.getKey(),
                            Objects.requireNonNull(field.getValue(), field.getKey()), eventId, now);
                    insert.addBatch();
                }
                insert.executeBatch();
            }
            try (PreparedStatement insert = c.prepareStatement(INSERT_RECENT);
                 PreparedStatement prune = c.prepareStatement("DELETE FROM recent_writes WHERE system_name = ? AND entity = ?"
                         + " AND record_key = ? AND field = ? AND seq <= (SELECT seq FROM recent_writes WHERE system_name = ?"
                         + " AND entity = ? AND record_key = ? AND field = ? ORDER BY seq DESC LIMIT 1 OFFSET " + RECENT + ")")) {
                for (Map.Entry<String, String> field : fieldJson.entrySet()) {
                    bindRecent(insert, system, entity, key, field.getKey(), field.getValue(), eventId, now, version);
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
            return null;
        });
    }

    private static void bindWrite(PreparedStatement insert, String system, String entity, String key, String field,
                                  String valueJson, String eventId, long at) throws SQLException {
        insert.setString(1, system);
        insert.setString(2, entity);
        insert.setString(3, key);
        insert.setString(4, field);
        insert.setString(5, valueJson);
        insert.setString(6, eventId);
        insert.setLong(7, at);
    }

    private static void bindRecent(PreparedStatement insert, String system, String entity, String key, String field,
                                   String valueJson, String eventId, long at, String version) throws SQLException {
        bindWrite(insert, system, entity, key, field, valueJson, eventId, at);
        insert.setString(8, version);
    }

    /**
     * A batch's writes and echoes, as JDBC batches: the ledger rows, the recent writes, the recent
     * writes now past {@link #RECENT} (known from each run's state, so deleted by seq), the echoes.
     */
    static void apply(Connection c, List<RunEffects> runs, long now) throws SQLException {
        try (PreparedStatement write = c.prepareStatement(INSERT_WRITE);
             PreparedStatement recent = c.prepareStatement(INSERT_RECENT);
             PreparedStatement prune = c.prepareStatement("DELETE FROM recent_writes WHERE seq = ?");
             PreparedStatement echo = c.prepareStatement(MARK_ECHOED)) {
            int writes = 0;
            int pruned = 0;
            int echoes = 0;
            for (RunEffects run : runs) {
                RecordKey record = run.state().record();
                Map<String, Integer> added = new HashMap<>();
                for (RunEffects.Written written : run.writes()) {
                    for (Map.Entry<String, String> field : written.fieldJson().entrySet()) {
                        bindWrite(write, written.system(), record.entity(), record.key(), field.getKey(), field.getValue(),
                                run.eventId(), written.at());
                        write.addBatch();
                        bindRecent(recent, written.system(), record.entity(), record.key(), field.getKey(),
                                field.getValue(), run.eventId(), written.at(), written.version());
                        recent.addBatch();
                        added.merge(written.system() + "\u0000" + field.getKey(), 1, Integer::sum);
                        writes++;
                    }
                }
                for (Map.Entry<String, Integer> entry : added.entrySet()) {
                    String[] parts = entry.getKey().split("\u0000", 2);
                    List<LedgerEntry> before = run.state().recentWrites(parts[0]).getOrDefault(parts[1], List.of());
                    for (int i = Math.max(0, RECENT - entry.getValue()); i < before.size(); i++) {
                        prune.setLong(1, before.get(i).seq());
                        prune.addBatch();
                        pruned++;
                    }
                }
                for (RunEffects.Echo e : run.echoes()) {
                    bindEcho(echo, now, e.system(), record.entity(), record.key(), e.field(), e.seq());
                    echo.addBatch();
                    echoes++;
                }
            }
            if (writes > 0) {
                write.executeBatch();
                recent.executeBatch();
            }
            if (pruned > 0) {
                prune.executeBatch();
            }
            if (echoes > 0) {
                echo.executeBatch();
            }
        }
    }

    List<RecordedWrite> writes(String system, String entity, String key, int limit) {
        if (limit <= 0) {
            return List.of();
        }
        return database.run("read the sync ledger", c -> {
            try (PreparedStatement select = c.prepareStatement("SELECT field, value_json, event_id, written_at"
                    + " FROM writes WHERE system_name = ? AND entity = ? AND record_key = ? ORDER BY seq DESC LIMIT ?")) {
                select.setString(1, system);
                select.setString(2, entity);
                select.setString(3, key);
                select.setInt(4, limit);
                List<RecordedWrite> writes = new ArrayList<>();
                try (ResultSet rows = select.executeQuery()) {
                    while (rows.next()) {
                        writes.add(new RecordedWrite(system, entity, key, rows.getString(1), rows.getString(2),
                                rows.getString(3), Instant.ofEpochMilli(rows.getLong(4))));
                    }
                }
                return writes;
            }
        });
    }
}
