package dev.steward.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;

/**
 * Which of the tables a record's state is read from may hold rows for some keys: one statement
 * looks at the range between the keys' least and greatest (a B-tree descent per table), so that
 * the {@code IN (...)} lookups of tables that hold nothing in that range are skipped. A batch of
 * records new to Steward, read in key order, mostly finds every range empty; where a range holds
 * anything (the keys interleave with stored ones) every table is read as before. Only for a
 * database that orders keys as Java does ({@link Database#keysInJavaOrder}).
 *
 * @param batchRecords whether {@code batch_records} may hold rows of these keys
 * @param known        whether {@code known_values} may
 * @param recent       whether {@code recent_writes} may
 * @param holds        whether {@code holds} may
 */
record RecordStateProbe(boolean batchRecords, boolean known, boolean recent, boolean holds) {

    /** Every table may hold rows: read them all. */
    static final RecordStateProbe ALL = new RecordStateProbe(true, true, true, true);

    /**
     * Any row in the range counts, whatever its entity, so that each test stops at the first row
     * of its index; {@code holds} is keyed by entity first.
     */
    private static final String PROBE = "SELECT"
            + " EXISTS(SELECT 1 FROM batch_records WHERE record_key BETWEEN ? AND ?),"
            + " EXISTS(SELECT 1 FROM known_values WHERE record_key BETWEEN ? AND ?),"
            + " EXISTS(SELECT 1 FROM recent_writes WHERE record_key BETWEEN ? AND ?),"
            + " EXISTS(SELECT 1 FROM holds WHERE entity = ? AND record_key BETWEEN ? AND ?)";

    /** Whether any table may hold rows. */
    boolean any() {
        return batchRecords || known || recent || holds;
    }

    /** Probes the range of {@code keys} (not empty) of {@code entity}. */
    static RecordStateProbe of(Connection c, String entity, List<String> keys) throws SQLException {
        String least = keys.getFirst();
        String greatest = least;
        for (String key : keys) {
            if (key.compareTo(least) < 0) {
                least = key;
            } else if (key.compareTo(greatest) > 0) {
                greatest = key;
            }
        }
        try (PreparedStatement probe = c.prepareStatement(PROBE)) {
            for (int i = 0; i < 3; i++) {
                probe.setString(2 * i + 1, least);
                probe.setString(2 * i + 2, greatest);
            }
            probe.setString(7, entity);
            probe.setString(8, least);
            probe.setString(9, greatest);
            try (ResultSet row = probe.executeQuery()) {
                row.next();
                return new RecordStateProbe(row.getBoolean(1), row.getBoolean(2), row.getBoolean(3), row.getBoolean(4));
            }
        }
    }
}
