import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;

import java.io.FileInputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;

/**
 * The baseline of bench/batch.sh: the same CSV read with the same Jackson CSV parser, and the
 * same columns Steward's batch writes (key, email, phone) inserted with plain JDBC batches of
 * 1000 rows, one commit each, into an empty table. No rules, no store, no checkpoint.
 * Usage: java -cp "host/target/lib/*" bench/BatchBaseline.java FILE.csv JDBC_URL USER PASSWORD
 */
public class BatchBaseline {
    public static void main(String[] args) throws Exception {
        long started = System.nanoTime();
        long rows = 0;
        try (Connection c = DriverManager.getConnection(args[1], args[2], args[3]);
             MappingIterator<String[]> it = CsvMapper.builder().enable(CsvParser.Feature.WRAP_AS_ARRAY).build()
                     .readerFor(String[].class).readValues(new InputStreamReader(new FileInputStream(args[0]),
                             StandardCharsets.UTF_8))) {
            try (Statement s = c.createStatement()) {
                s.execute("DROP TABLE IF EXISTS customers_plain");
                s.execute("CREATE TABLE customers_plain (crm_id VARCHAR(64) PRIMARY KEY, email VARCHAR(200), phone VARCHAR(50))");
            }
            c.setAutoCommit(false);
            String[] header = it.nextValue();
            int id = index(header, "id"), email = index(header, "email"), phone = index(header, "phone");
            try (PreparedStatement insert = c.prepareStatement("INSERT INTO customers_plain (crm_id, email, phone) VALUES (?, ?, ?)")) {
                while (it.hasNextValue()) {
                    String[] row = it.nextValue();
                    insert.setString(1, row[id]);
                    insert.setString(2, row[email]);
                    insert.setString(3, row[phone]);
                    insert.addBatch();
                    if (++rows % 1000 == 0) {
                        insert.executeBatch();
                        c.commit();
                    }
                }
                insert.executeBatch();
                c.commit();
            }
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        System.out.printf("plain JDBC batch insert: %d rows in %.1f s, %.0f rows/s%n", rows, seconds, rows / seconds);
    }

    private static int index(String[] header, String name) {
        for (int i = 0; i < header.length; i++) {
            if (header[i].equals(name)) {
                return i;
            }
        }
        throw new IllegalArgumentException("no column " + name);
    }
}
