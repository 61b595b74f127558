package dev.steward.store;

import dev.steward.api.AccessRecords.AuditEntry;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Types;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Every change made through the API, append-only. Callers never pass secrets, only hashes of content. Thread-safe. */
public final class AuditLog {

    private final Database database;
    private final Clock clock;

    AuditLog(Database database, Clock clock) {
        this.database = database;
        this.clock = clock;
    }

    public AuditEntry append(String actor, String action, String target, String beforeHash, String afterHash, String detail) {
        long now = clock.millis();
        long seq = database.run("write the audit log", c -> {
            try (PreparedStatement insert = c.prepareStatement("INSERT INTO audit_log"
                    + " (at, actor, action, target, before_hash, after_hash, detail) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    new String[] {"seq"})) {
                insert.setLong(1, now);
                insert.setString(2, cut(actor, 200));
                insert.setString(3, cut(action, 100));
                text(insert, 4, cut(target, 500));
                text(insert, 5, beforeHash);
                text(insert, 6, afterHash);
                text(insert, 7, cut(detail, 2000));
                insert.executeUpdate();
                try (ResultSet keys = insert.getGeneratedKeys()) {
                    return keys.next() ? keys.getLong(1) : -1L;
                }
            }
        });
        return new AuditEntry(seq, Instant.ofEpochMilli(now), actor, action, target, beforeHash, afterHash, detail);
    }

    /** The newest entries first. */
    public List<AuditEntry> recent(int limit) {
        return database.run("read the audit log", c -> {
            List<AuditEntry> out = new ArrayList<>();
            try (PreparedStatement select = c.prepareStatement("SELECT seq, at, actor, action, target, before_hash,"
                    + " after_hash, detail FROM audit_log ORDER BY seq DESC LIMIT ?")) {
                select.setInt(1, limit);
                try (ResultSet rows = select.executeQuery()) {
                    while (rows.next()) {
                        out.add(new AuditEntry(rows.getLong(1), Instant.ofEpochMilli(rows.getLong(2)), rows.getString(3),
                                rows.getString(4), rows.getString(5), rows.getString(6), rows.getString(7), rows.getString(8)));
                    }
                }
            }
            return out;
        });
    }

    private static void text(PreparedStatement statement, int index, String value) throws java.sql.SQLException {
        if (value == null) {
            statement.setNull(index, Types.VARCHAR);
        } else {
            statement.setString(index, value);
        }
    }

    private static String cut(String value, int max) {
        return value == null || value.length() <= max ? value : value.substring(0, max);
    }
}
