package dev.steward.store;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * {@code batch_records}: a batch run's effects on a record Steward knew nothing of before, in one
 * row per record rather than a row per field in {@code known_values}, {@code writes} and
 * {@code recent_writes} (a batch loads up to millions of new records; their rows per field made
 * the store its main cost). Such a row is moved into those tables ({@link #settle}), exactly as
 * the batch's run would have written them, before anything else reads or writes its record's
 * known values or ledger ({@link Store} does it in each of those methods), so live runs see the
 * batch's known values and recognise the echoes of its writes. A run whose record had known
 * values, recent writes or holds, or that noted an echo or a hold, is stored the usual way.
 * Portable SQL for H2 and PostgreSQL.
 */
final class BatchRecordTable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String INSERT = "INSERT INTO batch_records (record_key, entity, event_id, written_at, effects)"
            + " VALUES (?, ?, ?, ?, ?)";

    private BatchRecordTable() {
    }

    /** Whether a run's effects may go in one row: its record was new to Steward and it noted no echo nor hold. */
    static boolean fits(RunEffects run) {
        return run.state().blank() && run.echoes().isEmpty() && run.held().isEmpty()
                && (!run.remembered().isEmpty() || !run.writes().isEmpty());
    }

    /** Inserts one row per run (each must {@link #fits}), as one JDBC batch. */
    static void insert(Connection c, List<RunEffects> runs, long now) throws SQLException {
        if (runs.isEmpty()) {
            return;
        }
        try (PreparedStatement insert = c.prepareStatement(INSERT)) {
            for (RunEffects run : runs) {
                RecordKey record = run.state().record();
                insert.setString(1, record.key());
                insert.setString(2, record.entity());
                insert.setString(3, run.eventId());
                insert.setLong(4, now);
                insert.setString(5, effects(run));
                insert.addBatch();
            }
            insert.executeBatch();
        }
    }

    /**
     * {"known": [{system, version, fields}], "written": [{system, version, at, fields}]}; field
     * values are JSON text. A null version is left out, and a write of exactly the fields (the
     * same values, in the same order) of a known entry names that entry ({"same": i}) instead of
     * repeating them: a batch mostly writes what it learnt, and fewer bytes a row cost less to
     * store and to commit. {@link #settle} reads this and the longer form.
     */
    static String effects(RunEffects run) {
        java.io.StringWriter text = new java.io.StringWriter(192);
        try (JsonGenerator json = JSON.getFactory().createGenerator(text)) {
            json.writeStartObject();
            json.writeArrayFieldStart("known");
            List<RunEffects.Remembered> known = run.remembered();
            for (RunEffects.Remembered remembered : known) {
                entry(json, remembered.system(), remembered.version(), null, remembered.fieldJson(), -1);
            }
            json.writeEndArray();
            json.writeArrayFieldStart("written");
            for (RunEffects.Written write : run.writes()) {
                entry(json, write.system(), write.version(), write.at(), write.fieldJson(), same(known, write.fieldJson()));
            }
            json.writeEndArray();
            json.writeEndObject();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
        return text.toString();
    }

    /** The index of the known entry with exactly these fields, values and order; -1 when none. */
    private static int same(List<RunEffects.Remembered> known, Map<String, String> fields) {
        for (int i = 0; i < known.size(); i++) {
            Map<String, String> other = known.get(i).fieldJson();
            if (other.size() == fields.size() && List.copyOf(other.entrySet()).equals(List.copyOf(fields.entrySet()))) {
                return i;
            }
        }
        return -1;
    }

    private static void entry(JsonGenerator json, String system, String version, Long at, Map<String, String> fields,
                              int same) throws java.io.IOException {
        json.writeStartObject();
        json.writeStringField("system", system);
        if (version != null) {
            json.writeStringField("version", version);
        }
        if (at != null) {
            json.writeNumberField("at", at);
        }
        if (same >= 0) {
            json.writeNumberField("same", same);
        } else {
            json.writeObjectFieldStart("fields");
            for (Map.Entry<String, String> field : fields.entrySet()) {
                json.writeStringField(field.getKey(), field.getValue());
            }
            json.writeEndObject();
        }
        json.writeEndObject();
    }

    /** The keys among {@code keys} (at most {@link Sql#CHUNK}) that have a batch row. */
    static List<String> present(Connection c, String entity, List<String> keys) throws SQLException {
        List<String> padded = Sql.padded(keys);
        try (PreparedStatement select = c.prepareStatement("SELECT record_key FROM batch_records WHERE record_key IN ("
                + Sql.marks(padded.size()) + ") AND entity = ?")) {
            for (int i = 0; i < padded.size(); i++) {
                select.setString(i + 1, padded.get(i));
            }
            select.setString(padded.size() + 1, entity);
            List<String> found = new ArrayList<>();
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    found.add(rows.getString(1));
                }
            }
            return found;
        }
    }

    /**
     * Moves the batch rows of these records (at most {@link Sql#CHUNK}) into {@code known_values},
     * {@code writes} and {@code recent_writes}, on the caller's transaction. A row another
     * transaction moved meanwhile is left to it (its DELETE finds nothing here).
     */
    static void settle(Connection c, String entity, List<String> keys) throws SQLException {
        List<String> sorted = new ArrayList<>(new TreeSet<>(keys));
        if (sorted.isEmpty()) {
            return;
        }
        List<String> padded = Sql.padded(sorted);
        Map<String, JsonNode> effects = new LinkedHashMap<>();
        Map<String, String> eventIds = new HashMap<>();
        Map<String, Long> times = new HashMap<>();
        try (PreparedStatement select = c.prepareStatement("SELECT record_key, event_id, written_at, effects"
                + " FROM batch_records WHERE record_key IN (" + Sql.marks(padded.size()) + ") AND entity = ?"
                + " ORDER BY record_key")) {
            for (int i = 0; i < padded.size(); i++) {
                select.setString(i + 1, padded.get(i));
            }
            select.setString(padded.size() + 1, entity);
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    try {
                        effects.put(rows.getString(1), JSON.readTree(rows.getString(4)));
                    } catch (JsonProcessingException e) {
                        throw new SQLException("batch_records holds no JSON for " + entity + " " + rows.getString(1)
                                + ": " + e.getOriginalMessage(), e);
                    }
                    eventIds.put(rows.getString(1), rows.getString(2));
                    times.put(rows.getString(1), rows.getLong(3));
                }
            }
        }
        if (effects.isEmpty()) {
            return;
        }
        List<String> mine = new ArrayList<>();
        try (PreparedStatement delete = c.prepareStatement("DELETE FROM batch_records WHERE record_key = ? AND entity = ?"
                + " AND event_id = ?")) {
            for (String key : effects.keySet()) {
                delete.setString(1, key);
                delete.setString(2, entity);
                delete.setString(3, eventIds.get(key));
                if (delete.executeUpdate() == 1) {
                    mine.add(key);
                }
            }
        }
        if (mine.isEmpty()) {
            return;
        }
        Map<String, RecordState> states = new HashMap<>();
        mine.forEach(key -> states.put(key, new RecordState(new RecordKey(entity, key))));
        List<String> minePadded = Sql.padded(mine);
        KnownValueTable.load(c, entity, minePadded, states);
        LedgerTable.load(c, entity, minePadded, 0, states);
        Map<Long, List<RunEffects>> byTime = new TreeMap<>();
        for (String key : mine) {
            RunEffects run = new RunEffects(states.get(key), eventIds.get(key));
            JsonNode root = effects.get(key);
            for (JsonNode known : root.path("known")) {
                run.remember(known.path("system").asText(), fields(known), text(known.path("version")));
            }
            for (JsonNode written : root.path("written")) {
                JsonNode same = written.get("same");
                run.written(written.path("system").asText(), fields(same == null ? written : root.path("known")
                        .path(same.asInt())), text(written.path("version")),
                        Instant.ofEpochMilli(written.path("at").asLong()));
            }
            byTime.computeIfAbsent(times.get(key), t -> new ArrayList<>()).add(run);
        }
        for (Map.Entry<Long, List<RunEffects>> runs : byTime.entrySet()) {
            KnownValueTable.apply(c, runs.getValue(), runs.getKey());
            LedgerTable.apply(c, runs.getValue(), runs.getKey());
        }
    }

    private static Map<String, String> fields(JsonNode entry) {
        Map<String, String> fields = new LinkedHashMap<>();
        entry.path("fields").properties().forEach(field -> fields.put(field.getKey(), field.getValue().asText()));
        return fields;
    }

    private static String text(JsonNode node) {
        return node.isNull() || node.isMissingNode() ? null : node.asText();
    }
}
