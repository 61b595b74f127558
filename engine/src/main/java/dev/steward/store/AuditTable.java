package dev.steward.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code audits}: each audit's status and, once it finished, its report as JSON text. An audit is
 * stored when it starts ({@code running}) and updated once when it ends. Thread-safe.
 */
public final class AuditTable {

    /** One stored audit: its report is null while it runs. */
    public record StoredAudit(String id, String entity, String status, Instant startedAt, Instant finishedAt,
                              Integer divergences, String reportJson) {
    }

    private final Database database;

    AuditTable(Database database) {
        this.database = database;
    }

    /** Stores an audit that has just started. */
    public void started(String id, String entity, Instant at) {
        database.run("store an audit", c -> {
            try (PreparedStatement insert = c.prepareStatement(
                    "INSERT INTO audits (id, entity, status, started_at) VALUES (?, ?, 'running', ?)")) {
                insert.setString(1, id);
                insert.setString(2, entity);
                insert.setLong(3, at.toEpochMilli());
                return insert.executeUpdate();
            }
        });
    }

    /** Stores how an audit ended: {@code done} or {@code failed}, with its report (JSON) or error. */
    public void finished(String id, String status, Instant at, Integer divergences, String reportJson) {
        database.run("store an audit's result", c -> {
            try (PreparedStatement update = c.prepareStatement(
                    "UPDATE audits SET status = ?, finished_at = ?, divergences = ?, report = ? WHERE id = ?")) {
                update.setString(1, status);
                update.setLong(2, at.toEpochMilli());
                if (divergences == null) {
                    update.setNull(3, Types.INTEGER);
                } else {
                    update.setInt(3, divergences);
                }
                Store.setText(update, 4, reportJson);
                update.setString(5, id);
                return update.executeUpdate();
            }
        });
    }

    public Optional<StoredAudit> audit(String id) {
        return database.run("read an audit", c -> {
            try (PreparedStatement select = c.prepareStatement(
                    "SELECT id, entity, status, started_at, finished_at, divergences, report FROM audits WHERE id = ?")) {
                select.setString(1, id);
                List<StoredAudit> found = read(select);
                return found.stream().findFirst();
            }
        });
    }

    /** The newest audits first. */
    public List<StoredAudit> recent(int limit) {
        return database.run("list audits", c -> {
            try (PreparedStatement select = c.prepareStatement("SELECT id, entity, status, started_at, finished_at,"
                    + " divergences, report FROM audits ORDER BY seq DESC LIMIT ?")) {
                select.setInt(1, limit);
                return read(select);
            }
        });
    }

    private static List<StoredAudit> read(PreparedStatement select) throws SQLException {
        List<StoredAudit> out = new ArrayList<>();
        try (ResultSet rows = select.executeQuery()) {
            while (rows.next()) {
                long finished = rows.getLong(5);
                Instant finishedAt = rows.wasNull() ? null : Instant.ofEpochMilli(finished);
                int count = rows.getInt(6);
                Integer divergences = rows.wasNull() ? null : count;
                out.add(new StoredAudit(rows.getString(1), rows.getString(2), rows.getString(3),
                        Instant.ofEpochMilli(rows.getLong(4)), finishedAt, divergences, rows.getString(7)));
            }
        }
        return out;
    }
}
