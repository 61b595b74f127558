package dev.steward.connector.jdbc;

import dev.steward.plugin.ConnectorException;
import dev.steward.plugin.SystemUnavailableException;
import dev.steward.plugin.WriteRefusedException;
import java.sql.BatchUpdateException;
import java.sql.SQLException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientException;
import java.util.Set;

/** Sorts database errors into the ones that may pass by themselves and the ones that will not. */
final class SqlErrors {

    static final int MAX_ANSWER = 2000;

    /**
     * SQLState classes that are about the connection or the server's state rather than the
     * statement: 08 connection, 40 rollback (deadlock, serialization), 53 resources,
     * 57 operator intervention (shutdown, cancel), HY timeouts.
     */
    private static final Set<String> TRANSIENT_CLASSES = Set.of("08", "40", "53", "57");
    /** Timeouts, and H2's own states for a broken or closing connection (90067, 90098, 90121). */
    private static final Set<String> TRANSIENT_STATES = Set.of("HYT00", "HYT01", "HY008",
            "90067", "90098", "90121");

    private SqlErrors() {
    }

    static boolean isUniqueViolation(SQLException batchOrSingle) {
        SQLException e = cause(batchOrSingle);
        if ("23505".equals(e.getSQLState())) {
            return true;
        }
        // SQLite has no SQLState: SQLITE_CONSTRAINT (19), _PRIMARYKEY (1555), _UNIQUE (2067)
        String message = e.getMessage() == null ? "" : e.getMessage();
        return isSqlite(e) && (e.getErrorCode() == 1555 || e.getErrorCode() == 2067
                || (e.getErrorCode() == 19 && (message.contains("UNIQUE") || message.contains("PRIMARY KEY"))));
    }

    /** SQLITE_BUSY (5) and SQLITE_LOCKED (6): another connection holds the database file. */
    private static boolean isSqliteBusy(SQLException e) {
        int primary = e.getErrorCode() & 0xFF;
        return isSqlite(e) && (primary == 5 || primary == 6);
    }

    private static boolean isSqlite(SQLException e) {
        return e.getClass().getName().startsWith("org.sqlite.");
    }

    static ConnectorException classify(String system, String doing, SQLException batchOrSingle) {
        SQLException e = cause(batchOrSingle);
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        String answer = shorten(e.getMessage());
        if (e instanceof SQLTransientException || e instanceof SQLRecoverableException
                || TRANSIENT_STATES.contains(state) || isSqliteBusy(e)
                || (state.length() >= 2 && TRANSIENT_CLASSES.contains(state.substring(0, 2)))) {
            return new SystemUnavailableException(system + " could not " + doing + ": " + answer, batchOrSingle);
        }
        return new WriteRefusedException(system + " refused to " + doing + ": " + answer, 0, answer, batchOrSingle);
    }

    /**
     * The error behind a failed batch: drivers wrap it in a {@link BatchUpdateException} whose
     * own message may quote every statement of the batch with its values (PostgreSQL's does).
     */
    static SQLException cause(SQLException e) {
        if (e instanceof BatchUpdateException) {
            if (e.getNextException() != null) {
                return e.getNextException();
            }
            if (e.getCause() instanceof SQLException cause) {
                return cause;
            }
        }
        return e;
    }

    private static String shorten(String message) {
        String text = message == null ? "" : message.strip();
        return text.length() <= MAX_ANSWER ? text : text.substring(0, MAX_ANSWER) + "...";
    }
}
