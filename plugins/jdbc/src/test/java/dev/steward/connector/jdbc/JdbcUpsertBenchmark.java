package dev.steward.connector.jdbc;

import dev.steward.plugin.Connector;
import dev.steward.plugin.EntityConfig;
import dev.steward.plugin.RecordWrite;
import dev.steward.plugin.SystemConfig;
import dev.steward.plugin.WriteOptions;
import dev.steward.testing.PostgresCluster;
import dev.steward.testing.PostgresDatabase;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Upsert throughput of the jdbc connector in batches, next to a plain JDBC batch insert of the
 * same rows in the same run, on H2 (a file in a temp folder) and PostgreSQL (the test harness's
 * throwaway cluster, or {@code STEWARD_PG_URL}). Not a test: run it by hand, see
 * {@code bench/jdbc.md}. Arguments: rows (default 20000), batch size (default 500).
 */
public final class JdbcUpsertBenchmark {

    private static final EntityConfig ACCOUNT = new EntityConfig("account", Map.of("table", "accounts", "key", "id"),
            JdbcConnectorTest.ordered("email", "email", "creditLimit", "credit_limit", "note", "note"));
    private static final int ROUNDS = 3;

    private final int rows;
    private final int batch;

    private JdbcUpsertBenchmark(int rows, int batch) {
        this.rows = rows;
        this.batch = batch;
    }

    public static void main(String[] args) throws Exception {
        int rows = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        int batch = args.length > 1 ? Integer.parseInt(args[1]) : 500;
        JdbcUpsertBenchmark bench = new JdbcUpsertBenchmark(rows, batch);
        System.out.printf("rows=%d batch=%d, best of %d rounds after a warm-up; JDK %s%n", rows, batch, ROUNDS,
                Runtime.version());
        Path workspace = Files.createTempDirectory("steward-jdbc-bench");
        Files.writeString(workspace.resolve("accounts.sql"), JdbcConnectorContract.SCHEMA);
        bench.run("H2 (file)", workspace, Map.of("url", "jdbc:h2:./data/bench"),
                "jdbc:h2:" + workspace.resolve("data/bench"), null, null);
        PostgresDatabase pg;
        try {
            pg = PostgresCluster.shared().createDatabase();
        } catch (RuntimeException | Error e) {
            System.out.println("PostgreSQL: skipped (" + e.getMessage() + ")");
            return;
        }
        Map<String, Object> settings = new HashMap<>(Map.of("url", pg.url(), "user", pg.user()));
        if (pg.password() != null) {
            settings.put("password", pg.password());
        }
        bench.run("PostgreSQL 127.0.0.1", workspace, settings, pg.url(), pg.user(), pg.password());
        System.exit(0); // the cluster's shutdown hook stops it
    }

    private void run(String name, Path workspace, Map<String, Object> settings, String url, String user,
                     String password) throws SQLException {
        Map<String, Object> all = new HashMap<>(settings);
        all.put("init", "accounts.sql");
        all.put("poolSize", 2);
        try (Connector connector = new JdbcConnectorFactory().create(
                new SystemConfig("bench", "jdbc", all, Map.of("account", ACCOUNT)), new TestContext(workspace));
             Connection plain = DriverManager.getConnection(url, user, password)) {
            // warm-up: the same work, fewer rows, results thrown away
            JdbcUpsertBenchmark warm = new JdbcUpsertBenchmark(Math.min(rows, 5_000), batch);
            for (int i = 0; i < 2; i++) {
                warm.measure(connector, plain);
            }
            double[][] results = new double[ROUNDS][];
            for (int round = 0; round < ROUNDS; round++) {
                results[round] = measure(connector, plain);
            }
            String[] labels = {"plain JDBC batch INSERT (new rows)", "upsertAll, all rows new (UPDATE batch + INSERT batch)",
                    "upsertAll, all rows exist (UPDATE batch)", "upsert one at a time, rows exist"};
            System.out.println(name + ":");
            for (int i = 0; i < labels.length; i++) {
                int column = i;
                double best = Arrays.stream(results).mapToDouble(r -> r[column]).max().orElseThrow();
                System.out.printf("  %-58s %,10.0f rows/s%n", labels[i], best);
            }
        }
    }

    /** Rows per second: plain insert, upsertAll of new rows, upsertAll of existing rows, single upserts. */
    private double[] measure(Connector connector, Connection plain) throws SQLException {
        truncate(plain);
        double insert = timed(rows, () -> plainInsert(plain));
        truncate(plain);
        double fresh = timed(rows, () -> upsertAll(connector, "v1"));
        double existing = timed(rows, () -> upsertAll(connector, "v2"));
        int singles = Math.min(rows, 2_000);
        double single = timed(singles, () -> {
            for (int i = 0; i < singles; i++) {
                connector.upsert(ACCOUNT, key(i), fields(i, "v3"), new WriteOptions("bench", "bench"));
            }
        });
        return new double[] {insert, fresh, existing, single};
    }

    private void plainInsert(Connection connection) {
        try {
            connection.setAutoCommit(false);
            try (PreparedStatement insert = connection.prepareStatement(
                    "INSERT INTO accounts (id, email, credit_limit, note) VALUES (?, ?, ?, ?)")) {
                for (int i = 0; i < rows; i++) {
                    Map<String, Object> fields = fields(i, "v1");
                    insert.setString(1, key(i));
                    insert.setObject(2, fields.get("email"));
                    insert.setObject(3, fields.get("credit_limit"));
                    insert.setObject(4, fields.get("note"));
                    insert.addBatch();
                    if ((i + 1) % batch == 0 || i == rows - 1) {
                        insert.executeBatch();
                        connection.commit();
                    }
                }
            }
            connection.setAutoCommit(true);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private void upsertAll(Connector connector, String version) {
        WriteOptions options = new WriteOptions("bench", "bench");
        List<RecordWrite> writes = new ArrayList<>(batch);
        for (int i = 0; i < rows; i++) {
            writes.add(RecordWrite.of(key(i), fields(i, version), options));
            if (writes.size() == batch || i == rows - 1) {
                connector.upsertAll(ACCOUNT, writes);
                writes = new ArrayList<>(batch);
            }
        }
    }

    private static void truncate(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute("DELETE FROM accounts");
        }
    }

    private static double timed(int count, Runnable work) {
        long start = System.nanoTime();
        work.run();
        return count / ((System.nanoTime() - start) / 1e9);
    }

    private static String key(int i) {
        return String.format("R-%07d", i);
    }

    private static Map<String, Object> fields(int i, String version) {
        return Map.of("email", "user" + i + "@" + version + ".example", "credit_limit", BigDecimal.valueOf(i % 100_000, 2),
                "note", "note " + version + " " + i);
    }
}
