package dev.steward.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;

/**
 * The shared token buckets of V20's {@code rate_buckets}: one row per system, read and changed
 * under its row lock, so that hosts taking tokens at once are serialised and never take more
 * than the bucket holds. Elapsed time refills it; a host whose clock is behind the last refill
 * adds nothing. Thread-safe.
 */
final class RateBucketTable {

    private final Database database;
    private final Clock clock;

    RateBucketTable(Database database, Clock clock) {
        this.database = database;
        this.clock = clock;
    }

    RateTake take(String system, double perSecond, int burst, int wanted) {
        return database.transaction("take rate-limit tokens", c -> {
            long now = clock.millis();
            try (PreparedStatement select = c.prepareStatement(
                    "SELECT tokens, refilled_at FROM rate_buckets WHERE system_name = ? FOR UPDATE")) {
                select.setString(1, system);
                try (ResultSet rows = select.executeQuery()) {
                    if (!rows.next()) {
                        return first(c, system, burst, wanted, now);
                    }
                    double tokens = rows.getDouble(1);
                    long refilled = rows.getLong(2);
                    double current = Math.min(burst, tokens + Math.max(0, now - refilled) * perSecond / 1000.0);
                    int granted = (int) Math.min(wanted, Math.floor(current));
                    try (PreparedStatement update = c.prepareStatement(
                            "UPDATE rate_buckets SET tokens = ?, refilled_at = ? WHERE system_name = ?")) {
                        update.setDouble(1, current - granted);
                        update.setLong(2, Math.max(now, refilled));
                        update.setString(3, system);
                        update.executeUpdate();
                    }
                    return new RateTake(granted, current - granted);
                }
            }
        });
    }

    /** The system's first take: a full bucket. Another host making the row at once wins; take again. */
    private RateTake first(Connection c, String system, int burst, int wanted, long now) throws SQLException {
        int granted = Math.min(wanted, burst);
        java.sql.Savepoint before = c.setSavepoint();
        try (PreparedStatement insert = c.prepareStatement(
                "INSERT INTO rate_buckets (system_name, tokens, refilled_at) VALUES (?, ?, ?)")) {
            insert.setString(1, system);
            insert.setDouble(2, burst - granted);
            insert.setLong(3, now);
            insert.executeUpdate();
            c.releaseSavepoint(before);
        } catch (SQLException e) {
            if (Database.isUniqueViolation(e)) {
                c.rollback(before);
                return new RateTake(0, 0); // another host made it; the caller asks again shortly
            }
            throw e;
        }
        return new RateTake(granted, burst - granted);
    }
}
