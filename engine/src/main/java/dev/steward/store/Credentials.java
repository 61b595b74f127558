package dev.steward.store;

import dev.steward.api.AccessRecords.Token;
import dev.steward.api.AccessRecords.User;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Users and API tokens, as hashes only: the caller hashes (bcrypt for passwords, SHA-256 for
 * tokens) before anything reaches this class. Thread-safe; shared by every host on one database.
 */
public final class Credentials {

    private static final String TOKEN_COLUMNS = "id, name, role, created_by, created_at, last_used_at, revoked_at";

    private final Database database;
    private final Clock clock;

    Credentials(Database database, Clock clock) {
        this.database = database;
        this.clock = clock;
    }

    public long userCount() {
        return database.run("count users", c -> {
            try (PreparedStatement select = c.prepareStatement("SELECT COUNT(*) FROM access_users");
                    ResultSet rows = select.executeQuery()) {
                rows.next();
                return rows.getLong(1);
            }
        });
    }

    /** Adds a user; false when the name is taken. */
    public boolean addUser(String name, String role, String passwordHash) {
        return database.run("add a user", c -> {
            try (PreparedStatement insert = c.prepareStatement(
                    "INSERT INTO access_users (name, role, password_hash, created_at) VALUES (?, ?, ?, ?)")) {
                insert.setString(1, name);
                insert.setString(2, role);
                insert.setString(3, passwordHash);
                insert.setLong(4, clock.millis());
                insert.executeUpdate();
                return true;
            } catch (SQLException e) {
                if (Database.isUniqueViolation(e)) {
                    return false;
                }
                throw e;
            }
        });
    }

    /** Sets a user's password hash and role and ends its sessions; false when there is no such user. */
    public boolean updateUser(String name, String role, String passwordHash) {
        return database.transaction("update a user", c -> {
            try (PreparedStatement update = c.prepareStatement(
                    "UPDATE access_users SET role = ?, password_hash = ? WHERE name = ?");
                    PreparedStatement sessions = c.prepareStatement("DELETE FROM access_sessions WHERE user_name = ?")) {
                update.setString(1, role);
                update.setString(2, passwordHash);
                update.setString(3, name);
                sessions.setString(1, name);
                sessions.executeUpdate();
                return update.executeUpdate() == 1;
            }
        });
    }

    public boolean removeUser(String name) {
        return database.transaction("remove a user", c -> {
            try (PreparedStatement sessions = c.prepareStatement("DELETE FROM access_sessions WHERE user_name = ?");
                    PreparedStatement delete = c.prepareStatement("DELETE FROM access_users WHERE name = ?")) {
                sessions.setString(1, name);
                sessions.executeUpdate();
                delete.setString(1, name);
                return delete.executeUpdate() == 1;
            }
        });
    }

    public Optional<User> user(String name) {
        return database.run("read a user", c -> {
            try (PreparedStatement select = c.prepareStatement(
                    "SELECT name, role, password_hash, created_at FROM access_users WHERE name = ?")) {
                select.setString(1, name);
                try (ResultSet rows = select.executeQuery()) {
                    return rows.next() ? Optional.of(toUser(rows)) : Optional.empty();
                }
            }
        });
    }

    public List<User> users() {
        return database.run("list users", c -> {
            List<User> out = new ArrayList<>();
            try (PreparedStatement select = c.prepareStatement(
                    "SELECT name, role, password_hash, created_at FROM access_users ORDER BY name");
                    ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    out.add(toUser(rows));
                }
            }
            return out;
        });
    }

    /** Stores a new token's hash; false when a live token already has that name. */
    public boolean addToken(String id, String name, String role, String tokenHash, String createdBy) {
        return database.transaction("add a token", c -> {
            try (PreparedStatement taken = c.prepareStatement(
                    "SELECT COUNT(*) FROM access_tokens WHERE name = ? AND revoked_at IS NULL")) {
                taken.setString(1, name);
                try (ResultSet rows = taken.executeQuery()) {
                    rows.next();
                    if (rows.getLong(1) > 0) {
                        return false;
                    }
                }
            }
            try (PreparedStatement insert = c.prepareStatement("INSERT INTO access_tokens"
                    + " (id, name, role, token_hash, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?)")) {
                insert.setString(1, id);
                insert.setString(2, name);
                insert.setString(3, role);
                insert.setString(4, tokenHash);
                insert.setString(5, createdBy);
                insert.setLong(6, clock.millis());
                insert.executeUpdate();
                return true;
            }
        });
    }

    /** The live (not revoked) token with this hash. */
    public Optional<Token> liveToken(String tokenHash) {
        return database.run("look up a token", c -> {
            try (PreparedStatement select = c.prepareStatement("SELECT " + TOKEN_COLUMNS
                    + " FROM access_tokens WHERE token_hash = ? AND revoked_at IS NULL")) {
                select.setString(1, tokenHash);
                try (ResultSet rows = select.executeQuery()) {
                    return rows.next() ? Optional.of(toToken(rows)) : Optional.empty();
                }
            }
        });
    }

    public void touchToken(String id) {
        database.run("note a token's use", c -> {
            try (PreparedStatement update = c.prepareStatement("UPDATE access_tokens SET last_used_at = ? WHERE id = ?")) {
                update.setLong(1, clock.millis());
                update.setString(2, id);
                return update.executeUpdate();
            }
        });
    }

    /** Every token, live and revoked, newest first. */
    public List<Token> tokens() {
        return database.run("list tokens", c -> {
            List<Token> out = new ArrayList<>();
            try (PreparedStatement select = c.prepareStatement("SELECT " + TOKEN_COLUMNS
                    + " FROM access_tokens ORDER BY created_at DESC, id");
                    ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    out.add(toToken(rows));
                }
            }
            return out;
        });
    }

    /** Revokes the live token with this id or name; the revoked token, or empty when none matched. */
    public Optional<Token> revokeToken(String idOrName) {
        return database.transaction("revoke a token", c -> {
            Optional<Token> found = Optional.empty();
            try (PreparedStatement select = c.prepareStatement("SELECT " + TOKEN_COLUMNS
                    + " FROM access_tokens WHERE (id = ? OR name = ?) AND revoked_at IS NULL")) {
                select.setString(1, idOrName);
                select.setString(2, idOrName);
                try (ResultSet rows = select.executeQuery()) {
                    if (rows.next()) {
                        found = Optional.of(toToken(rows));
                    }
                }
            }
            if (found.isEmpty()) {
                return found;
            }
            long now = clock.millis();
            try (PreparedStatement update = c.prepareStatement("UPDATE access_tokens SET revoked_at = ? WHERE id = ?")) {
                update.setLong(1, now);
                update.setString(2, found.get().id());
                update.executeUpdate();
            }
            Token t = found.get();
            return Optional.of(new Token(t.id(), t.name(), t.role(), t.createdBy(), t.createdAt(), t.lastUsedAt(),
                    Optional.of(Instant.ofEpochMilli(now))));
        });
    }

    private static User toUser(ResultSet rows) throws SQLException {
        return new User(rows.getString(1), rows.getString(2), rows.getString(3), Instant.ofEpochMilli(rows.getLong(4)));
    }

    private static Token toToken(ResultSet rows) throws SQLException {
        return new Token(rows.getString(1), rows.getString(2), rows.getString(3), rows.getString(4),
                Instant.ofEpochMilli(rows.getLong(5)), instant(rows, 6), instant(rows, 7));
    }

    static Optional<Instant> instant(ResultSet rows, int column) throws SQLException {
        long millis = rows.getLong(column);
        return rows.wasNull() ? Optional.empty() : Optional.of(Instant.ofEpochMilli(millis));
    }
}
