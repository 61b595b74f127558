package dev.steward.store;

import dev.steward.plugin.SecretStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.security.GeneralSecurityException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The connectors' secrets in the store ({@code connector_secrets}, V19), encrypted with a
 * {@link SecretCipher}: one {@link SecretStore} per system. Without a key (no
 * {@value SecretCipher#KEY_VARIABLE}) nothing is stored: a system's secrets are kept in memory
 * only, and the first one kept says so once in a WARN (which names the variable, never a value).
 * Values are never logged; a value that does not decrypt (stored under another key) reads as
 * absent, with a WARN naming the system and the secret's name. Thread-safe.
 */
final class SecretTable {

    private static final Logger LOG = LoggerFactory.getLogger(SecretTable.class);
    /** The longest system or secret name (the table's columns). */
    static final int MAX_NAME = 200;

    private final Database database;
    private final Clock clock;

    SecretTable(Database database, Clock clock) {
        this.database = database;
        this.clock = clock;
    }

    SecretStore forSystem(String system, Optional<SecretCipher> cipher) {
        checkName(system, "system");
        return cipher.<SecretStore>map(c -> new Encrypted(system, c)).orElseGet(() -> new MemoryOnly(system));
    }

    private static void checkName(String name, String what) {
        Objects.requireNonNull(name, what);
        if (name.isEmpty() || name.length() > MAX_NAME) {
            throw new IllegalArgumentException("a secret's " + what + " name must have 1 to " + MAX_NAME + " characters");
        }
    }

    private final class Encrypted implements SecretStore {

        private final String system;
        private final SecretCipher cipher;

        Encrypted(String system, SecretCipher cipher) {
            this.system = system;
            this.cipher = cipher;
        }

        @Override
        public Optional<String> get(String name) {
            checkName(name, "secret");
            return database.run("read a connector secret", c -> row(c, name)).flatMap(sealed -> open(name, sealed));
        }

        @Override
        public void put(String name, String value) {
            checkName(name, "secret");
            Objects.requireNonNull(value, "value");
            SecretCipher.Sealed sealed = cipher.seal(system, value);
            database.run("store a connector secret", c -> {
                // Update, else insert; another host inserting in between makes the insert fail, then update again.
                for (int attempt = 1; ; attempt++) {
                    if (update(c, name, sealed, null) == 1) {
                        return null;
                    }
                    try {
                        insert(c, name, sealed);
                        return null;
                    } catch (SQLException e) {
                        if (!Database.isUniqueViolation(e) || attempt == 3) {
                            throw e;
                        }
                    }
                }
            });
        }

        @Override
        public boolean replace(String name, Optional<String> expected, String value) {
            checkName(name, "secret");
            Objects.requireNonNull(value, "value");
            SecretCipher.Sealed sealed = cipher.seal(system, value);
            return database.run("replace a connector secret", c -> {
                Optional<SecretCipher.Sealed> current = row(c, name);
                if (expected.isEmpty()) {
                    if (current.isPresent()) {
                        return false;
                    }
                    try {
                        insert(c, name, sealed);
                        return true;
                    } catch (SQLException e) {
                        if (Database.isUniqueViolation(e)) {
                            return false; // another host stored one first
                        }
                        throw e;
                    }
                }
                if (current.isEmpty() || !open(name, current.get()).equals(expected)) {
                    return false;
                }
                // The compare-and-set: only if the row still holds the ciphertext just read.
                return update(c, name, sealed, current.get().ciphertext()) == 1;
            });
        }

        private Optional<SecretCipher.Sealed> row(Connection c, String name) throws SQLException {
            try (PreparedStatement select = c.prepareStatement("SELECT ciphertext, nonce FROM connector_secrets"
                    + " WHERE system_name = ? AND secret_name = ?")) {
                select.setString(1, system);
                select.setString(2, name);
                try (ResultSet rows = select.executeQuery()) {
                    return rows.next() ? Optional.of(new SecretCipher.Sealed(rows.getString(1), rows.getString(2)))
                            : Optional.empty();
                }
            }
        }

        private Optional<String> open(String name, SecretCipher.Sealed sealed) {
            try {
                return Optional.of(cipher.open(system, sealed));
            } catch (GeneralSecurityException e) {
                LOG.warn("secret '{}' of system {} does not decrypt with {} (stored under another key?); it is treated as"
                        + " absent", name, system, SecretCipher.KEY_VARIABLE);
                return Optional.empty();
            }
        }

        /** Rows changed: 1, or 0 when there is no row (or, with {@code expected}, it holds another ciphertext). */
        private int update(Connection c, String name, SecretCipher.Sealed sealed, String expected) throws SQLException {
            try (PreparedStatement update = c.prepareStatement("UPDATE connector_secrets SET ciphertext = ?, nonce = ?,"
                    + " updated_at = ? WHERE system_name = ? AND secret_name = ?"
                    + (expected == null ? "" : " AND ciphertext = ?"))) {
                update.setString(1, sealed.ciphertext());
                update.setString(2, sealed.nonce());
                update.setLong(3, clock.millis());
                update.setString(4, system);
                update.setString(5, name);
                if (expected != null) {
                    update.setString(6, expected);
                }
                return update.executeUpdate();
            }
        }

        private void insert(Connection c, String name, SecretCipher.Sealed sealed) throws SQLException {
            try (PreparedStatement insert = c.prepareStatement("INSERT INTO connector_secrets (system_name, secret_name,"
                    + " ciphertext, nonce, updated_at) VALUES (?, ?, ?, ?, ?)")) {
                insert.setString(1, system);
                insert.setString(2, name);
                insert.setString(3, sealed.ciphertext());
                insert.setString(4, sealed.nonce());
                insert.setLong(5, clock.millis());
                insert.executeUpdate();
            }
        }

        @Override
        public String toString() {
            return "secrets of system " + system + " (encrypted in the store)";
        }
    }

    /** Without a key: the values live in this process only. */
    private static final class MemoryOnly implements SecretStore {

        private final String system;
        private final SecretStore memory = SecretStore.inMemory();
        private final AtomicBoolean warned = new AtomicBoolean();

        MemoryOnly(String system) {
            this.system = system;
        }

        @Override
        public Optional<String> get(String name) {
            return memory.get(name);
        }

        @Override
        public void put(String name, String value) {
            warnOnce(name);
            memory.put(name, value);
        }

        @Override
        public boolean replace(String name, Optional<String> expected, String value) {
            warnOnce(name);
            return memory.replace(name, expected, value);
        }

        private void warnOnce(String name) {
            if (warned.compareAndSet(false, true)) {
                LOG.warn("{} is not set, so secret '{}' of system {} is not stored: it is kept in memory only and is"
                        + " lost when Steward stops (other hosts do not see it either). Set {} to 32 random bytes in"
                        + " base64 (openssl rand -base64 32) to keep connector secrets encrypted in the store",
                        SecretCipher.KEY_VARIABLE, name, system, SecretCipher.KEY_VARIABLE);
            }
        }

        @Override
        public String toString() {
            return "secrets of system " + system + " (in memory only)";
        }
    }
}
