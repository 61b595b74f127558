import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;

/**
 * The CPU a row costs the client and the PostgreSQL server for the jdbc connector's batch upsert
 * (INSERT ... ON CONFLICT (key) DO UPDATE, JDBC batches of 1,000, one commit each) or, with a 4th
 * argument, the plain INSERT of bench/BatchBaseline.java, into a new table; with
 * {@code ?reWriteBatchedInserts=true} on the URL, pgjdbc sends each batch as multi-row INSERTs.
 * The server's CPU is its backend's (utime + stime in /proc), so run it on the server's machine.
 * Usage: java -cp "host/target/lib/*" bench/PgUpsertCost.java JDBC_URL ROWS TABLE [insert]
 * (see bench/batch.md, round 5).
 */
public class PgUpsertCost {
    static long ticks(int pid) throws Exception { // utime + stime, in 10 ms ticks
        String[] f = Files.readString(Path.of("/proc/" + pid + "/stat")).replaceAll(".*\\) ", "").split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    public static void main(String[] a) throws Exception {
        String url = a[0];
        int n = Integer.parseInt(a[1]);
        String table = a[2];
        boolean insert = a.length > 3;
        String[] keys = new String[n], mails = new String[n], phones = new String[n];
        for (int k = 0; k < n; k++) {
            keys[k] = String.format("C%08d", k);
            mails[k] = "c" + k + "@example.com";
            phones[k] = "+1 555 " + k;
        }
        var threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        try (Connection c = DriverManager.getConnection(url, "postgres", "")) {
            try (Statement s = c.createStatement()) {
                s.execute("CREATE TABLE " + table + " (crm_id VARCHAR(64) PRIMARY KEY, account_no VARCHAR(32),"
                        + " email VARCHAR(200), phone VARCHAR(50), credit_limit NUMERIC(14,2))");
            }
            int pid;
            try (ResultSet r = c.createStatement().executeQuery("SELECT pg_backend_pid()")) {
                r.next();
                pid = r.getInt(1);
            }
            c.setAutoCommit(false);
            String sql = "INSERT INTO " + table + " (crm_id, email, phone, credit_limit) VALUES (?, ?, ?, ?)"
                    + (insert ? "" : " ON CONFLICT (crm_id) DO UPDATE SET email = EXCLUDED.email,"
                    + " phone = EXCLUDED.phone, credit_limit = EXCLUDED.credit_limit");
            long client = threads.getCurrentThreadCpuTime(), server = ticks(pid), started = System.nanoTime();
            for (int start = 0; start < n; start += 1000) {
                try (PreparedStatement p = c.prepareStatement(sql)) {
                    for (int k = start; k < Math.min(n, start + 1000); k++) {
                        p.setString(1, keys[k]);
                        p.setString(2, mails[k]);
                        p.setString(3, phones[k]);
                        p.setObject(4, new java.math.BigDecimal(k % 5000));
                        p.addBatch();
                    }
                    p.executeBatch();
                }
                c.commit();
            }
            System.out.printf("%s %s: %.1f us client CPU + %.1f us server CPU a row, %.1f s wall%n",
                    url.contains("reWriteBatchedInserts=true") ? "rewritten" : "plain", insert ? "INSERT" : "ON CONFLICT",
                    (threads.getCurrentThreadCpuTime() - client) / 1e3 / n, (ticks(pid) - server) * 1e4 / n,
                    (System.nanoTime() - started) / 1e9);
        }
    }
}
