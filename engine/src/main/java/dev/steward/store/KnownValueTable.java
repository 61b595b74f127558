package dev.steward.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** Known values and the sync ledger. Upserts are UPDATE-then-INSERT so both databases run them. */
final class KnownValueTable {

    private final Database database;
    private final Clock clock;

    KnownValueTable(Database database, Clock clock) {
        this.database = database;
        this.clock = clock;
    }

    void remember(String system, String entity, String key, Map<String, String> fieldJson, String eventId) {
        remember(system, entity, key, fieldJson, eventId, null);
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

    void recordWrite(String system, String entity, String key, Map<String, String> fieldJson, String eventId,
                     String version) {
        Objects.requireNonNull(fieldJson, "fieldJson");
        if (fieldJson.isEmpty()) {
            return;
        }
        long now = clock.millis();
        database.transaction("record a write", c -> {
            try (PreparedStatement insert = c.prepareStatement("INSERT INTO writes (system_name, entity, record_key,"
                    + " field, value_json, event_id, written_at) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
                for (Map.Entry<String, String> field : fieldJson.entrySet()) {
                    insert.setString(1, system);
                    insert.setString(2, entity);
                    insert.setString(3, key);
                    insert.setString(4, field.getKey());
                    insert.setString(5, Objects.requireNonNull(field.getValue(), field.getKey()));
                    insert.setString(6, eventId);
                    insert.setLong(7, now);
                    insert.addBatch();
                }
                insert.executeBatch();
            }
            SyncLedger.record(c, system, entity, key, fieldJson, eventId, now, version);
            return null;
        });
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
