package dev.steward.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * {@code known_values}: what Steward last knows each system holds in each field of a record, with
 * the version it came with. Read one record at a time (the API, the CLI) or for a batch of runs;
 * written one record at a time or with a batch's outcomes. Upserts are UPDATE-then-INSERT so both
 * databases run them.
 */
final class KnownValueTable {

    private static final String COLUMNS = "system_name, field, value_json, source_version, updated_at, event_id";

    private final Database database;
    private final Clock clock;

    KnownValueTable(Database database, Clock clock) {
        this.database = database;
        this.clock = clock;
    }

    Map<String, KnownValue> known(String system, String entity, String key) {
        return database.run("read known values", c -> {
            try (PreparedStatement select = c.prepareStatement("SELECT " + COLUMNS
                    + " FROM known_values WHERE system_name = ? AND entity = ? AND record_key = ? ORDER BY field")) {
                select.setString(1, system);
                select.setString(2, entity);
                select.setString(3, key);
                Map<String, KnownValue> values = new LinkedHashMap<>();
                try (ResultSet rows = select.executeQuery()) {
                    while (rows.next()) {
                        values.put(rows.getString(2), value(rows));
                    }
                }
                return values;
            }
        });
    }

    /** Every system's known values of some records of one entity, into their states. */
    static void load(Connection c, String entity, List<String> keys, Map<String, RecordState> states) throws SQLException {
        try (PreparedStatement select = c.prepareStatement("SELECT record_key, " + COLUMNS + " FROM known_values"
                + " WHERE entity = ? AND record_key IN (" + Sql.marks(keys.size()) + ") ORDER BY record_key, field")) {
            select.setString(1, entity);
            for (int i = 0; i < keys.size(); i++) {
                select.setString(i + 2, keys.get(i));
            }
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    RecordState state = states.get(rows.getString(1));
                    if (state != null) {
                        state.putKnown(rows.getString(2), rows.getString(3), new KnownValue(rows.getString(4),
                                rows.getString(5), Instant.ofEpochMilli(rows.getLong(6)), rows.getString(7)));
                    }
                }
            }
        }
    }

    private static KnownValue value(ResultSet rows) throws SQLException {
        return new KnownValue(rows.getString(3), rows.getString(4), Instant.ofEpochMilli(rows.getLong(5)), rows.getString(6));
    }

    void forget(String system, String entity, String key, java.util.Collection<String> fields) {
        if (fields.isEmpty()) {
            return;
        }
        database.transaction("forget known values", c -> {
            try (PreparedStatement delete = c.prepareStatement("DELETE FROM known_values"
                    + " WHERE system_name = ? AND entity = ? AND record_key = ? AND field = ?")) {
                for (String field : fields) {
                    delete.setString(1, system);
                    delete.setString(2, entity);
                    delete.setString(3, key);
                    delete.setString(4, field);
                    delete.addBatch();
                }
                delete.executeBatch();
            }
            return null;
        });
    }

    void remember(String system, String entity, String key, Map<String, String> fieldJson, String eventId,
                  String version) {
        Objects.requireNonNull(fieldJson, "fieldJson");
        if (fieldJson.isEmpty()) {
            return;
        }
        long now = clock.millis();
        database.transaction("remember known values", c -> {
            for (Map.Entry<String, String> field : fieldJson.entrySet()) {
                Objects.requireNonNull(field.getValue(), () -> "JSON of " + field.getKey() + " (use \"null\")");
                FieldRows.KNOWN_VALUES.upsert(c, system, entity, key, field.getKey(), field.getValue(), eventId, now, version);
            }
            return null;
        });
    }

    /**
     * Writes what a batch of runs learnt, as two JDBC batches: an UPDATE for the fields their
     * states knew, an INSERT for the others. A row another writer inserted meanwhile makes the
     * INSERT fail and the caller store the batch again one run at a time ({@link #applyAlone}).
     */
    static void apply(Connection c, List<RunEffects> runs, long now) throws SQLException {
        try (PreparedStatement update = c.prepareStatement("UPDATE known_values SET value_json = ?, event_id = ?,"
                + " updated_at = ?, source_version = ? WHERE system_name = ? AND entity = ? AND record_key = ? AND field = ?");
             PreparedStatement insert = c.prepareStatement("INSERT INTO known_values (system_name, entity, record_key,"
                     + " field, value_json, event_id, updated_at, source_version) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
            int updates = 0;
            int inserts = 0;
            for (RunEffects run : runs) {
                RecordKey record = run.state().record();
                for (RunEffects.Remembered remembered : run.remembered()) {
                    for (Map.Entry<String, String> field : remembered.fieldJson().entrySet()) {
                        if (run.state().knows(remembered.system(), field.getKey())) {
                            update.setString(1, field.getValue());
                            update.setString(2, run.eventId());
                            update.setLong(3, now);
                            update.setString(4, remembered.version());
                            update.setString(5, remembered.system());
                            update.setString(6, record.entity());
                            update.setString(7, record.key());
                            update.setString(8, field.getKey());
                            update.addBatch();
                            updates++;
                        } else {
                            insert.setString(1, remembered.system());
                            insert.setString(2, record.entity());
                            insert.setString(3, record.key());
                            insert.setString(4, field.getKey());
                            insert.setString(5, field.getValue());
                            insert.setString(6, run.eventId());
                            insert.setLong(7, now);
                            insert.setString(8, remembered.version());
                            insert.addBatch();
                            inserts++;
                        }
                    }
                }
            }
            if (updates > 0) {
                for (int count : update.executeBatch()) {
                    if (count == 0) {
                        throw new SQLException("a known value to update was gone", "23000");
                    }
                }
            }
            if (inserts > 0) {
                insert.executeBatch();
            }
        }
    }

    /** One run's known values, row by row with upserts: the fallback when a batch broke a constraint. */
    static void applyAlone(Connection c, RunEffects run, long now) throws SQLException {
        RecordKey record = run.state().record();
        for (RunEffects.Remembered remembered : run.remembered()) {
            for (Map.Entry<String, String> field : remembered.fieldJson().entrySet()) {
                FieldRows.KNOWN_VALUES.upsert(c, remembered.system(), record.entity(), record.key(), field.getKey(),
                        field.getValue(), run.eventId(), now, remembered.version());
            }
        }
    }
}
