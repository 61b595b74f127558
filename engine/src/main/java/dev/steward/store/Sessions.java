package dev.steward.store;

import dev.steward.api.AccessRecords.Session;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.Optional;

/**
 * Signed-in browsers, kept in the store so that a session survives a restart and works on every
 * host sharing one database. Keyed by the SHA-256 of the cookie's value, never the value itself.
 * The caller applies the timeouts, so it passes the times too (from the clock its timeouts use).
 * Thread-safe.
 */
public final class Sessions {

    private final Database database;

    Sessions(Database database) {
        this.database = database;
    }

    public void add(String idHash, String user, String csrfToken, Instant at) {
        long now = at.toEpochMilli();
        database.run("start a session", c -> {
            try (PreparedStatement insert = c.prepareStatement("INSERT INTO access_sessions"
                    + " (id_hash, user_name, csrf_token, created_at, last_seen_at) VALUES (?, ?, ?, ?, ?)")) {
                insert.setString(1, idHash);
                insert.setString(2, user);
                insert.setString(3, csrfToken);
                insert.setLong(4, now);
                insert.setLong(5, now);
                return insert.executeUpdate();
            }
        });
    }

    public Optional<Session> find(String idHash) {
        return database.run("read a session", c -> {
            try (PreparedStatement select = c.prepareStatement("SELECT id_hash, user_name, csrf_token, created_at,"
                    + " last_seen_at FROM access_sessions WHERE id_hash = ?")) {
                select.setString(1, idHash);
                try (ResultSet rows = select.executeQuery()) {
                    return rows.next() ? Optional.of(new Session(rows.getString(1), rows.getString(2), rows.getString(3),
                            Instant.ofEpochMilli(rows.getLong(4)), Instant.ofEpochMilli(rows.getLong(5)))) : Optional.empty();
                }
            }
        });
    }

    public void touch(String idHash, Instant at) {
        database.run("note a session's use", c -> {
            try (PreparedStatement update = c.prepareStatement("UPDATE access_sessions SET last_seen_at = ? WHERE id_hash = ?")) {
                update.setLong(1, at.toEpochMilli());
                update.setString(2, idHash);
                return update.executeUpdate();
            }
        });
    }

    public void remove(String idHash) {
        database.run("end a session", c -> {
            try (PreparedStatement delete = c.prepareStatement("DELETE FROM access_sessions WHERE id_hash = ?")) {
                delete.setString(1, idHash);
                return delete.executeUpdate();
            }
        });
    }

    /** Removes sessions idle since before {@code idleSince} or started before {@code startedBefore}. */
    public int removeExpired(Instant idleSince, Instant startedBefore) {
        return database.run("remove expired sessions", c -> {
            try (PreparedStatement delete = c.prepareStatement(
                    "DELETE FROM access_sessions WHERE last_seen_at < ? OR created_at < ?")) {
                delete.setLong(1, idleSince.toEpochMilli());
                delete.setLong(2, startedBefore.toEpochMilli());
                return delete.executeUpdate();
            }
        });
    }
}
