package dev.steward.host;

import org.h2.api.Trigger;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An H2 trigger that logs the key of every row written, in the writing transaction: a write
 * rolled back leaves no line, a committed one exactly one. The first column is the key.
 *
 * <p>With the system properties {@value #MARKER} (a file) and {@value #AFTER} (a count), the
 * trigger also creates that file once it has fired that many times in this JVM: a test that
 * kills the writing process can wait for it and kill it mid-input, whatever the machine's speed.
 */
public final class WriteCounter implements Trigger {

    static final String MARKER = "steward.test.writeMarker";
    static final String AFTER = "steward.test.writeMarkerAfter";
    private static final AtomicInteger FIRED = new AtomicInteger();

    @Override
    public void fire(Connection connection, Object[] oldRow, Object[] newRow) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement("INSERT INTO write_log (k) VALUES (?)")) {
            insert.setString(1, String.valueOf(newRow[0]));
            insert.executeUpdate();
        }
        String marker = System.getProperty(MARKER);
        if (marker != null && FIRED.incrementAndGet() == Integer.getInteger(AFTER, 1)) {
            try {
                Files.writeString(Path.of(marker), "written");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
