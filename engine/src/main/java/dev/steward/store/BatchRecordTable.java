package dev.steward.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.nio.charset.StandardCharsets;
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
    /**
     * A row's effects go in {@code effects_utf8}, as the UTF-8 bytes of {@link #effects}' text: H2
     * writes bytes into its pages in one copy and a text a character at a time (V24). Rows of
     * earlier versions hold the text in {@code effects}.
     */
    private static final String INSERT = "INSERT INTO batch_records (record_key, entity, event_id, written_at, effects_utf8)"
            + " VALUES (?, ?, ?, ?, ?)";
    /** Rows per statement of {@link #INSERT_GROUP}. */
    static final int GROUP = 100;
    /**
     * {@link #INSERT} of {@link #GROUP} rows in one statement: H2 then runs one statement per
     * hundred rows instead of one per row (its per-statement work, starting and ending a statement
     * in the transaction, was a fifth of a row's cost in a micro run: bench/batch.md round 6); on
     * PostgreSQL one statement of many rows, as {@code reWriteBatchedInserts} would send them.
     */
    private static final String INSERT_GROUP = INSERT + ", (?, ?, ?, ?, ?)".repeat(GROUP - 1);

    private BatchRecordTable() {
    }

    /** Whether a run's effects may go in one row: its record was new to Steward and it noted no echo nor hold. */
    static boolean fits(RunEffects run) {
        return run.state().blank() && run.echoes().isEmpty() && run.held().isEmpty()
                && (!run.remembered().isEmpty() || !run.writes().isEmpty());
    }

    /**
     * Inserts one row per run (each must {@link #fits}): whole groups of {@link #GROUP} as one
     * JDBC batch of {@link #INSERT_GROUP}, the rest as one of {@link #INSERT}.
     */
    static void insert(Connection c, List<RunEffects> runs, long now) throws SQLException {
        int grouped = runs.size() - runs.size() % GROUP;
        if (grouped > 0) {
            try (PreparedStatement insert = c.prepareStatement(INSERT_GROUP)) {
                for (int start = 0; start < grouped; start += GROUP) {
                    for (int i = 0; i < GROUP; i++) {
                        bind(insert, 5 * i, runs.get(start + i), now);
                    }
                    insert.addBatch();
                }
                insert.executeBatch();
            }
        }
        if (grouped < runs.size()) {
            try (PreparedStatement insert = c.prepareStatement(INSERT)) {
                for (RunEffects run : runs.subList(grouped, runs.size())) {
                    bind(insert, 0, run, now);
                    insert.addBatch();
                }
                insert.executeBatch();
            }
        }
    }

    private static void bind(PreparedStatement insert, int at, RunEffects run, long now) throws SQLException {
        RecordKey record = run.state().record();
        insert.setString(at + 1, record.key());
        insert.setString(at + 2, record.entity());
        insert.setString(at + 3, run.eventId());
        insert.setLong(at + 4, now);
        insert.setBytes(at + 5, effects(run).getBytes(StandardCharsets.UTF_8));
    }

    /**
     * A run's known values and writes as text: {@code ~}, then per known entry {@code K}, per
     * write {@code W}: its system, its version ({@code -} when none), a write's time
     * ({@code <millis>;}), and its fields ({@code F<count>;} then each name and JSON value), or
     * {@code S<i>;} for a write of exactly the fields (names, values, order) of known entry i.
     * Each text is {@code <length>:<chars>}, so nothing is escaped. A batch mostly writes what
     * it learnt; fewer and plainer characters a row cost less to build, store and commit than
     * the JSON of earlier versions, which {@link #settle} still reads.
     */
    static String effects(RunEffects run) {
        StringBuilder text = new StringBuilder(160).append(COMPACT);
        List<RunEffects.Remembered> known = run.remembered();
        for (RunEffects.Remembered remembered : known) {
            text.append('K');
            text(text, remembered.system());
            version(text, remembered.version());
            fields(text, remembered.fieldJson());
        }
        for (RunEffects.Written write : run.writes()) {
            text.append('W');
            text(text, write.system());
            version(text, write.version());
            text.append(write.at()).append(';');
            int same = same(known, write.fieldJson());
            if (same >= 0) {
                text.append('S').append(same).append(';');
            } else {
                fields(text, write.fieldJson());
            }
        }
        return text.toString();
    }

    /** The first character of {@link #effects}' form (the JSON form starts with a brace). */
    private static final char COMPACT = '~';

    private static void text(StringBuilder text, String value) {
        count(text, value.length()).append(':').append(value);
    }

    /**
     * {@code n} in decimal, as {@code append(int)} writes it; a length under 100 (nearly every
     * one: field names and values) as its one or two digits, without the general conversion,
     * which showed in profiles of the chunk commit.
     */
    private static StringBuilder count(StringBuilder text, int n) {
        if (n >= 0 && n < 10) {
            return text.append((char) ('0' + n));
        }
        if (n >= 10 && n < 100) {
            return text.append((char) ('0' + n / 10)).append((char) ('0' + n % 10));
        }
        return text.append(n);
    }

    private static void version(StringBuilder text, String version) {
        if (version == null) {
            text.append('-');
        } else {
            text(text, version);
        }
    }

    private static void fields(StringBuilder text, Map<String, String> fields) {
        count(text.append('F'), fields.size()).append(';');
        for (Map.Entry<String, String> field : fields.entrySet()) {
            text(text, field.getKey());
            text(text, field.getValue());
        }
    }

    /** The index of the known entry with exactly these fields, values and order; -1 when none. */
    private static int same(List<RunEffects.Remembered> known, Map<String, String> fields) {
        for (int i = 0; i < known.size(); i++) {
            Map<String, String> other = known.get(i).fieldJson();
            if (other.size() == fields.size() && inOrder(other, fields)) {
                return i;
            }
        }
        return -1;
    }

    private static boolean inOrder(Map<String, String> one, Map<String, String> other) {
        java.util.Iterator<Map.Entry<String, String>> them = other.entrySet().iterator();
        for (Map.Entry<String, String> entry : one.entrySet()) {
            if (!them.hasNext() || !entry.equals(them.next())) {
                return false;
            }
        }
        return !them.hasNext();
    }

    /** One known entry ({@code at} null) or write of a row's effects. */
    record Entry(String system, String version, Long at, Map<String, String> fields) {
    }

    /** A row's effects, read back: its known entries and its writes, in order. */
    record Effects(List<Entry> known, List<Entry> written) {
    }

    /**
     * Reads {@link #effects}' text, or the JSON of earlier versions:
     * {"known": [{system, version, fields}], "written": [{system, version, at, fields}]}.
     *
     * @throws IllegalArgumentException when it is neither
     */
    static Effects parse(String text) {
        List<Entry> known = new ArrayList<>();
        List<Entry> written = new ArrayList<>();
        if (!text.isEmpty() && text.charAt(0) == COMPACT) {
            Cursor at = new Cursor(text);
            while (at.more()) {
                char kind = at.next();
                String system = at.text();
                String version = at.peek() == '-' ? at.skip() : at.text();
                if (kind == 'K') {
                    known.add(new Entry(system, version, null, at.fields()));
                } else if (kind == 'W') {
                    long time = at.number();
                    Map<String, String> fields;
                    if (at.peek() == 'S') {
                        at.next();
                        int same = (int) at.number();
                        if (same >= known.size()) {
                            throw new IllegalArgumentException("a write names known entry " + same + " of " + known.size());
                        }
                        fields = known.get(same).fields();
                    } else {
                        fields = at.fields();
                    }
                    written.add(new Entry(system, version, time, fields));
                } else {
                    throw new IllegalArgumentException("'" + kind + "' where K or W was expected");
                }
            }
            return new Effects(known, written);
        }
        JsonNode root;
        try {
            root = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(e.getOriginalMessage(), e);
        }
        for (JsonNode entry : root.path("known")) {
            known.add(new Entry(entry.path("system").asText(), text(entry.path("version")), null, fields(entry)));
        }
        for (JsonNode entry : root.path("written")) {
            JsonNode same = entry.get("same");
            written.add(new Entry(entry.path("system").asText(), text(entry.path("version")), entry.path("at").asLong(),
                    fields(same == null ? entry : root.path("known").path(same.asInt()))));
        }
        return new Effects(known, written);
    }

    /** Reads {@link #effects}' compact text. */
    private static final class Cursor {
        private final String text;
        private int at = 1;

        Cursor(String text) {
            this.text = text;
        }

        boolean more() {
            return at < text.length();
        }

        char peek() {
            if (!more()) {
                throw new IllegalArgumentException("it ends early");
            }
            return text.charAt(at);
        }

        char next() {
            char c = peek();
            at++;
            return c;
        }

        String skip() {
            at++;
            return null;
        }

        long number() {
            int end = text.indexOf(';', at);
            if (end < 0) {
                throw new IllegalArgumentException("a number without its ';' at " + at);
            }
            long value = Long.parseLong(text, at, end, 10);
            at = end + 1;
            return value;
        }

        String text() {
            int colon = text.indexOf(':', at);
            if (colon < 0) {
                throw new IllegalArgumentException("a text without its length at " + at);
            }
            int length = Integer.parseInt(text, at, colon, 10);
            if (length < 0 || colon + 1 + length > text.length()) {
                throw new IllegalArgumentException("a text of " + length + " characters past the end at " + at);
            }
            at = colon + 1 + length;
            return text.substring(colon + 1, at);
        }

        Map<String, String> fields() {
            if (next() != 'F') {
                throw new IllegalArgumentException("no fields at " + (at - 1));
            }
            long count = number();
            Map<String, String> fields = new LinkedHashMap<>();
            for (long i = 0; i < count; i++) {
                fields.put(text(), text());
            }
            return fields;
        }
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
        Map<String, Effects> effects = new LinkedHashMap<>();
        Map<String, String> eventIds = new HashMap<>();
        Map<String, Long> times = new HashMap<>();
        try (PreparedStatement select = c.prepareStatement("SELECT record_key, event_id, written_at, effects, effects_utf8"
                + " FROM batch_records WHERE record_key IN (" + Sql.marks(padded.size()) + ") AND entity = ?"
                + " ORDER BY record_key")) {
            for (int i = 0; i < padded.size(); i++) {
                select.setString(i + 1, padded.get(i));
            }
            select.setString(padded.size() + 1, entity);
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    try {
                        byte[] utf8 = rows.getBytes(5);
                        effects.put(rows.getString(1), parse(utf8 == null ? rows.getString(4)
                                : new String(utf8, StandardCharsets.UTF_8)));
                    } catch (IllegalArgumentException e) {
                        throw new SQLException("batch_records holds effects of " + entity + " " + rows.getString(1)
                                + " that cannot be read: " + e.getMessage(), e);
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
            Effects stored = effects.get(key);
            for (Entry known : stored.known()) {
                run.remember(known.system(), known.fields(), known.version());
            }
            for (Entry written : stored.written()) {
                run.written(written.system(), written.fields(), written.version(), Instant.ofEpochMilli(written.at()));
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
