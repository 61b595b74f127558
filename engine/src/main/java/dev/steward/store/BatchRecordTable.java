package dev.steward.store;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
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
 * {@code batch_rows}: a batch run's effects on a record Steward knew nothing of before, in one
 * row per record rather than a row per field in {@code known_values}, {@code writes} and
 * {@code recent_writes} (a batch loads up to millions of new records; their rows per field made
 * the store its main cost). Such a row is moved into those tables ({@link #settle}), exactly as
 * the batch's run would have written them, before anything else reads or writes its record's
 * known values or ledger ({@link Store} does it in each of those methods), so live runs see the
 * batch's known values and recognise the echoes of its writes. A run whose record had known
 * values, recent writes or holds, or that noted an echo or a hold, is stored the usual way.
 *
 * <p>A row's primary key is a 64-bit hash of its entity and key ({@link #hash}; on H2 the table
 * is then one B-tree), and lookups compare the key itself: a record whose hash another record's
 * row holds already (about one chance in 10^7 at a million rows) is stored the usual way. The
 * effects are compact JSON in UTF-8 bytes. Rows of the earlier table {@code batch_records} are
 * moved into the ledger when the store opens ({@link #settleLegacy}). Portable SQL for H2 and
 * PostgreSQL.
 */
final class BatchRecordTable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String INSERT = "INSERT INTO batch_rows (key_hash, record_key, entity, event_id, written_at,"
            + " effects) SELECT ?, ?, ?, ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM batch_rows WHERE key_hash = ?)";
    private static final ThreadLocal<MessageDigest> SHA_256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    });

    private BatchRecordTable() {
    }

    /** Whether a run's effects may go in one row: its record was new to Steward and it noted no echo nor hold. */
    static boolean fits(RunEffects run) {
        return run.state().blank() && run.echoes().isEmpty() && run.held().isEmpty()
                && (!run.remembered().isEmpty() || !run.writes().isEmpty());
    }

    /**
     * The row key of a record: the first 8 bytes of SHA-256 over its entity, a NUL and its key.
     * Stored: never change it.
     */
    static long hash(String entity, String key) {
        MessageDigest digest = SHA_256.get();
        digest.update(entity.getBytes(StandardCharsets.UTF_8));
        digest.update((byte) 0);
        byte[] sum = digest.digest(key.getBytes(StandardCharsets.UTF_8));
        long hash = 0;
        for (int i = 0; i < 8; i++) {
            hash = (hash << 8) | (sum[i] & 0xff);
        }
        return hash;
    }

    /**
     * Inserts one row per run (each must {@link #fits}), as one JDBC batch; answers the runs whose
     * hash another record's row holds already, to be stored the usual way.
     */
    static List<RunEffects> insert(Connection c, List<RunEffects> runs, long now) throws SQLException {
        if (runs.isEmpty()) {
            return List.of();
        }
        try (PreparedStatement insert = c.prepareStatement(INSERT)) {
            for (RunEffects run : runs) {
                RecordKey record = run.state().record();
                long hash = hash(record.entity(), record.key());
                insert.setLong(1, hash);
                insert.setString(2, record.key());
                insert.setString(3, record.entity());
                insert.setString(4, run.eventId());
                insert.setLong(5, now);
                insert.setBytes(6, effects(run));
                insert.setLong(7, hash);
                insert.addBatch();
            }
            int[] counts = insert.executeBatch();
            List<RunEffects> taken = new ArrayList<>();
            for (int i = 0; i < counts.length; i++) {
                if (counts[i] == 0) {
                    taken.add(runs.get(i));
                }
            }
            return taken;
        }
    }

    /**
     * {"k": [[system, version, {field: json}]], "w": [[system, version, at, {field: json} or the
     * index of a "k" entry with the same fields]]}; field values are canonical JSON text.
     */
    static byte[] effects(RunEffects run) {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream(256);
        try (JsonGenerator json = JSON.getFactory().createGenerator(bytes)) {
            json.writeStartObject();
            json.writeArrayFieldStart("k");
            List<RunEffects.Remembered> known = run.remembered();
            for (RunEffects.Remembered remembered : known) {
                json.writeStartArray();
                json.writeString(remembered.system());
                json.writeString(remembered.version());
                fields(json, remembered.fieldJson());
                json.writeEndArray();
            }
            json.writeEndArray();
            json.writeArrayFieldStart("w");
            for (RunEffects.Written write : run.writes()) {
                json.writeStartArray();
                json.writeString(write.system());
                json.writeString(write.version());
                json.writeNumber(write.at());
                int same = -1;
                for (int i = 0; i < known.size() && same < 0; i++) {
                    if (sameInOrder(known.get(i).fieldJson(), write.fieldJson())) {
                        same = i;
                    }
                }
                if (same >= 0) {
                    json.writeNumber(same);
                } else {
                    fields(json, write.fieldJson());
                }
                json.writeEndArray();
            }
            json.writeEndArray();
            json.writeEndObject();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
        return bytes.toByteArray();
    }

    private static boolean sameInOrder(Map<String, String> a, Map<String, String> b) {
        return a.size() == b.size() && new ArrayList<>(a.entrySet()).equals(new ArrayList<>(b.entrySet()));
    }

    private static void fields(JsonGenerator json, Map<String, String> fields) throws java.io.IOException {
        json.writeStartObject();
        for (Map.Entry<String, String> field : fields.entrySet()) {
            json.writeStringField(field.getKey(), field.getValue());
        }
        json.writeEndObject();
    }

    /** A row as read: its key, event, time and effects. */
    private record Row(long hash, String key, String eventId, long writtenAt, byte[] effects) {}

    /** The rows of these records (at most {@link Sql#CHUNK}), by key; {@code withEffects} reads the effects too. */
    private static Map<String, Row> rows(Connection c, String entity, List<String> keys, boolean withEffects)
            throws SQLException {
        Map<Long, String> byHash = new HashMap<>();
        List<Long> hashes = new ArrayList<>();
        for (String key : new TreeSet<>(keys)) {
            long hash = hash(entity, key);
            if (byHash.putIfAbsent(hash, key) == null) {
                hashes.add(hash);
            }
        }
        Map<String, Row> rows = new LinkedHashMap<>();
        if (hashes.isEmpty()) {
            return rows;
        }
        int size = Sql.padded(keys).size();
        while (hashes.size() < size) {
            hashes.add(hashes.getLast());
        }
        try (PreparedStatement select = c.prepareStatement("SELECT key_hash, record_key, entity, event_id, written_at"
                + (withEffects ? ", effects" : "") + " FROM batch_rows WHERE key_hash IN (" + Sql.marks(size) + ")")) {
            for (int i = 0; i < size; i++) {
                select.setLong(i + 1, hashes.get(i));
            }
            try (ResultSet found = select.executeQuery()) {
                while (found.next()) {
                    String key = found.getString(2);
                    // Another record with the same hash is not one of these.
                    if (key.equals(byHash.get(found.getLong(1))) && entity.equals(found.getString(3))) {
                        rows.put(key, new Row(found.getLong(1), key, found.getString(4), found.getLong(5),
                                withEffects ? found.getBytes(6) : null));
                    }
                }
            }
        }
        return rows;
    }

    /** The keys among {@code keys} (at most {@link Sql#CHUNK}) that have a batch row. */
    static List<String> present(Connection c, String entity, List<String> keys) throws SQLException {
        return new ArrayList<>(rows(c, entity, keys, false).keySet());
    }

    /**
     * Moves the batch rows of these records (at most {@link Sql#CHUNK}) into {@code known_values},
     * {@code writes} and {@code recent_writes}, on the caller's transaction. A row another
     * transaction moved meanwhile is left to it (its DELETE finds nothing here).
     */
    static void settle(Connection c, String entity, List<String> keys) throws SQLException {
        Map<String, Row> rows = rows(c, entity, keys, true);
        if (rows.isEmpty()) {
            return;
        }
        Map<String, Moved> mine = new LinkedHashMap<>();
        try (PreparedStatement delete = c.prepareStatement("DELETE FROM batch_rows WHERE key_hash = ? AND event_id = ?")) {
            for (Row row : rows.values()) {
                delete.setLong(1, row.hash());
                delete.setString(2, row.eventId());
                if (delete.executeUpdate() == 1) {
                    mine.put(row.key(), new Moved(row.eventId(), row.writtenAt(), parse(entity, row.key(), row.effects())));
                }
            }
        }
        apply(c, entity, mine, BatchRecordTable::compactEffects);
    }

    /** A row this transaction deleted: what to apply. */
    private record Moved(String eventId, long writtenAt, JsonNode effects) {}

    private static JsonNode parse(String entity, String key, byte[] effects) throws SQLException {
        try {
            return JSON.readTree(effects);
        } catch (java.io.IOException e) {
            throw new SQLException("a batch row holds no JSON for " + entity + " " + key + ": " + e.getMessage(), e);
        }
    }

    /** Applies moved rows as the batch's runs would have been applied, in their times' order. */
    private static void apply(Connection c, String entity, Map<String, Moved> moved,
                              java.util.function.BiConsumer<RunEffects, JsonNode> effects) throws SQLException {
        if (moved.isEmpty()) {
            return;
        }
        List<String> keys = new ArrayList<>(moved.keySet());
        Map<String, RecordState> states = new HashMap<>();
        keys.forEach(key -> states.put(key, new RecordState(new RecordKey(entity, key))));
        List<String> padded = Sql.padded(keys);
        KnownValueTable.load(c, entity, padded, states);
        LedgerTable.load(c, entity, padded, 0, states);
        Map<Long, List<RunEffects>> byTime = new TreeMap<>();
        moved.forEach((key, row) -> {
            RunEffects run = new RunEffects(states.get(key), row.eventId());
            effects.accept(run, row.effects());
            byTime.computeIfAbsent(row.writtenAt(), t -> new ArrayList<>()).add(run);
        });
        for (Map.Entry<Long, List<RunEffects>> runs : byTime.entrySet()) {
            KnownValueTable.apply(c, runs.getValue(), runs.getKey());
            LedgerTable.apply(c, runs.getValue(), runs.getKey());
        }
    }

    /** The effects of {@link #effects(RunEffects)} back into a run. */
    private static void compactEffects(RunEffects run, JsonNode root) {
        List<Map<String, String>> known = new ArrayList<>();
        for (JsonNode entry : root.path("k")) {
            Map<String, String> fields = fields(entry.get(2));
            known.add(fields);
            run.remember(entry.get(0).asText(), fields, text(entry.get(1)));
        }
        for (JsonNode entry : root.path("w")) {
            JsonNode fields = entry.get(3);
            run.written(entry.get(0).asText(), fields.isInt() ? known.get(fields.intValue()) : fields(fields),
                    text(entry.get(1)), Instant.ofEpochMilli(entry.get(2).asLong()));
        }
    }

    /** The effects of the earlier table's rows ({"known": [{system, version, fields}], "written": [...]}). */
    private static void legacyEffects(RunEffects run, JsonNode root) {
        for (JsonNode known : root.path("known")) {
            run.remember(known.path("system").asText(), fields(known.path("fields")), text(known.path("version")));
        }
        for (JsonNode written : root.path("written")) {
            run.written(written.path("system").asText(), fields(written.path("fields")), text(written.path("version")),
                    Instant.ofEpochMilli(written.path("at").asLong()));
        }
    }

    /**
     * Moves every row of the earlier table {@code batch_records} into the ledger, a chunk at a
     * time, each in its own transaction; answers how many this call moved.
     */
    static long settleLegacy(Database database) {
        boolean any = database.run("look for an earlier version's batch rows", c -> {
            try (PreparedStatement select = c.prepareStatement("SELECT 1 FROM batch_records FETCH FIRST 1 ROWS ONLY");
                 ResultSet found = select.executeQuery()) {
                return found.next();
            }
        });
        long moved = 0;
        if (!any) {
            return 0;
        }
        while (true) {
            long done = database.transaction("move the earlier batch rows into the ledger", c -> {
                Map<String, Map<String, Moved>> byEntity = new LinkedHashMap<>();
                List<String[]> rows = new ArrayList<>();
                try (PreparedStatement select = c.prepareStatement("SELECT record_key, entity, event_id, written_at, effects"
                        + " FROM batch_records ORDER BY entity, record_key FETCH FIRST " + Sql.CHUNK + " ROWS ONLY");
                     ResultSet found = select.executeQuery()) {
                    while (found.next()) {
                        rows.add(new String[]{found.getString(1), found.getString(2), found.getString(3),
                                Long.toString(found.getLong(4)), found.getString(5)});
                    }
                }
                try (PreparedStatement delete = c.prepareStatement(
                        "DELETE FROM batch_records WHERE record_key = ? AND entity = ? AND event_id = ?")) {
                    for (String[] row : rows) {
                        delete.setString(1, row[0]);
                        delete.setString(2, row[1]);
                        delete.setString(3, row[2]);
                        if (delete.executeUpdate() == 1) {
                            byEntity.computeIfAbsent(row[1], e -> new LinkedHashMap<>()).put(row[0], new Moved(row[2],
                                    Long.parseLong(row[3]), parse(row[1], row[0], row[4].getBytes(StandardCharsets.UTF_8))));
                        }
                    }
                }
                for (Map.Entry<String, Map<String, Moved>> entity : byEntity.entrySet()) {
                    apply(c, entity.getKey(), entity.getValue(), BatchRecordTable::legacyEffects);
                }
                return (long) rows.size();
            });
            moved += done;
            if (done < Sql.CHUNK) {
                return moved;
            }
        }
    }

    private static Map<String, String> fields(JsonNode object) {
        Map<String, String> fields = new LinkedHashMap<>();
        object.properties().forEach(field -> fields.put(field.getKey(), field.getValue().asText()));
        return fields;
    }

    private static String text(JsonNode node) {
        return node == null || node.isNull() || node.isMissingNode() ? null : node.asText();
    }
}
