package dev.steward.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code conflict_counts}: the conflicts Steward prevented, per UTC day, entity, field and kind.
 * The outcome committer adds a batch's counts in its transaction; each row is added to in one
 * statement (PostgreSQL: {@code INSERT ... ON CONFLICT DO UPDATE}; H2, which one host holds:
 * {@code MERGE}), in key order, so hosts sharing a database neither lose counts nor deadlock.
 */
final class ConflictCountTable {

    private static final String POSTGRES = "INSERT INTO conflict_counts (count_day, entity, field, kind, n) VALUES (?, ?, ?, ?, ?)"
            + " ON CONFLICT (count_day, entity, field, kind) DO UPDATE SET n = conflict_counts.n + EXCLUDED.n";
    private static final String H2 = "MERGE INTO conflict_counts t USING (VALUES (CAST(? AS DATE), CAST(? AS VARCHAR(200)),"
            + " CAST(? AS VARCHAR(200)), CAST(? AS VARCHAR(20)), CAST(? AS BIGINT))) s(count_day, entity, field, kind, n)"
            + " ON t.count_day = s.count_day AND t.entity = s.entity AND t.field = s.field AND t.kind = s.kind"
            + " WHEN MATCHED THEN UPDATE SET n = t.n + s.n"
            + " WHEN NOT MATCHED THEN INSERT (count_day, entity, field, kind, n) VALUES (s.count_day, s.entity, s.field, s.kind, s.n)";

    private ConflictCountTable() {
    }

    /** Adds the tallies, as of {@code nowMillis}'s UTC day. */
    static void add(Connection c, boolean postgres, List<RunEffects.Tally> tallies, long nowMillis) throws SQLException {
        if (tallies.isEmpty()) {
            return;
        }
        Map<RunEffects.Tally, Long> sums = new TreeMap<>(Comparator.comparing(RunEffects.Tally::entity)
                .thenComparing(RunEffects.Tally::field).thenComparing(RunEffects.Tally::kind));
        tallies.forEach(t -> sums.merge(t, 1L, Long::sum));
        LocalDate day = Instant.ofEpochMilli(nowMillis).atOffset(ZoneOffset.UTC).toLocalDate();
        try (PreparedStatement upsert = c.prepareStatement(postgres ? POSTGRES : H2)) {
            for (Map.Entry<RunEffects.Tally, Long> sum : sums.entrySet()) {
                upsert.setObject(1, day);
                upsert.setString(2, sum.getKey().entity());
                upsert.setString(3, sum.getKey().field());
                upsert.setString(4, sum.getKey().kind().label());
                upsert.setLong(5, sum.getValue());
                upsert.addBatch();
            }
            upsert.executeBatch();
        }
    }

    /** The counts of the days from {@code from} to {@code to}, both included. */
    static List<ConflictCount> read(Connection c, LocalDate from, LocalDate to) throws SQLException {
        try (PreparedStatement select = c.prepareStatement("SELECT count_day, entity, field, kind, n FROM conflict_counts"
                + " WHERE count_day >= ? AND count_day <= ? ORDER BY count_day, entity, field, kind")) {
            select.setObject(1, from);
            select.setObject(2, to);
            List<ConflictCount> counts = new ArrayList<>();
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    counts.add(new ConflictCount(rows.getObject(1, LocalDate.class), rows.getString(2), rows.getString(3),
                            Conflict.of(rows.getString(4)), rows.getLong(5)));
                }
            }
            return counts;
        }
    }
}
