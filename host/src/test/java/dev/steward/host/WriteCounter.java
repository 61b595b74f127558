package dev.steward.host;

import org.h2.api.Trigger;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

/**
 * An H2 trigger that logs the key of every row written, in the writing transaction: a write
 * rolled back leaves no line, a committed one exactly one. The first column is the key.
 */
public final class WriteCounter implements Trigger {

    @Override
    public void fire(Connection connection, Object[] oldRow, Object[] newRow) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement("INSERT INTO write_log (k) VALUES (?)")) {
            insert.setString(1, String.valueOf(newRow[0]));
            insert.executeUpdate();
        }
    }
}
