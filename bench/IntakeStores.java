import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.flywaydb.core.Flyway;

/**
 * The intake's store work on one candidate store, measured alone: bench/intake-stores.sh runs it
 * once per candidate (each in a JVM of its own) and puts the results side by side.
 *
 * <p>What it does, per candidate: creates the events table exactly as Steward has it (H2 and
 * PostgreSQL: Steward's own Flyway migrations from engine/src/main/resources/db/migration, and on
 * H2 the identity cache Database.java sets; SQLite: the same columns, constraints and indexes
 * written out, since the migrations use H2/PostgreSQL syntax), optionally drops secondary indexes
 * (--drop), stores --preload finished events, then for each group size N inserts ~1 KB deal
 * payloads (bench/intake.lua's "deal") with IntakeCommitter's INSERT, N rows in one JDBC batch and
 * one commit, back to back, for --seconds. Meanwhile a second connection runs the dispatcher's
 * claim query (Claims.PENDING_CANDIDATES, LIMIT 64) every --reader-every-ms, as the intake never
 * runs alone.
 *
 * <p>Prints one "RESULT key=value ..." line per group size: events/s, CPU of this process (all
 * threads: writer, reader, JIT, GC, the database's own threads) and of the writer thread alone per
 * event, CPU of the database server's processes (--server-pid: the postmaster and its children,
 * from /proc) per event, bytes handed to write() per event (/proc/PID/io wchar), p50/p99 commit
 * latency, and the reader's queries and p50/p99.
 *
 * <p>With --kill-test it stores batches of 8 until killed, printing "COMMITTED n" after each
 * commit returns (for bench/intake-stores.sh to SIGKILL it); with --count it prints the events
 * stored beyond the preload ("COUNT n") and exits.
 *
 * <p>Usage: java -cp "host/target/lib/*:sqlite-jdbc.jar" bench/IntakeStores.java --name NAME --url URL
 * [--user U] [--password P] [--init "SQL;;SQL"] [--drop idx,idx] [--groups 1,8,32,128] [--seconds 8]
 * [--warmup 4] [--preload 50000] [--reader-every-ms 5] [--server-pid PID] [--hz 100]
 * [--migrations DIR] [--kill-test | --count]
 */
public class IntakeStores {

    /** IntakeCommitter.INSERT, as it is. */
    static final String INSERT = "INSERT INTO events (id, flow_id, delivery_id, entity, record_key, payload,"
            + " status, attempts, received_at, next_attempt_at) VALUES (?, ?, ?, ?, ?, ?, 'PENDING', 0, ?, ?)";

    /** Claims.PENDING_CANDIDATES, as it is. */
    static final String PENDING_CANDIDATES = "SELECT e.id, e.entity, e.record_key, e.seq FROM events e"
            + " WHERE e.status = 'PENDING' AND e.next_attempt_at <= ?"
            + " AND NOT EXISTS (SELECT 1 FROM events p WHERE p.entity = e.entity"
            + " AND p.record_key = e.record_key AND p.seq <> e.seq AND ((p.seq < e.seq AND p.status IN ('PENDING', 'RUNNING'))"
            + " OR (p.status = 'RUNNING' AND p.lease_until > ?)))"
            + " ORDER BY e.status, e.seq LIMIT ?";

    /** The events table after V1..V23 (V1, V5's original_payload, V20's claim_token; V4, V13 indexes; V12 drop). */
    static final String[] SQLITE_SCHEMA = {
        "CREATE TABLE events (seq INTEGER PRIMARY KEY, id VARCHAR(64) NOT NULL, flow_id VARCHAR(200) NOT NULL,"
            + " delivery_id VARCHAR(500), entity VARCHAR(200) NOT NULL, record_key VARCHAR(500) NOT NULL,"
            + " payload VARCHAR NOT NULL, status VARCHAR(16) NOT NULL, attempts INT NOT NULL DEFAULT 0,"
            + " received_at BIGINT NOT NULL, next_attempt_at BIGINT NOT NULL, claimed_by VARCHAR(200), lease_until BIGINT,"
            + " finished_at BIGINT, trace VARCHAR, last_error VARCHAR, original_payload VARCHAR,"
            + " claim_token BIGINT DEFAULT 0 NOT NULL,"
            + " CONSTRAINT events_id_unique UNIQUE (id), CONSTRAINT events_delivery_unique UNIQUE (flow_id, delivery_id))",
        "CREATE INDEX events_record ON events (entity, record_key, seq)",
        "CREATE INDEX events_flow ON events (flow_id, seq)",
        "CREATE INDEX events_status_seq ON events (status, seq)",
        "CREATE INDEX events_open_by_key ON events (record_key, status)",
    };

    static final String[] STAGES = {"appointmentscheduled", "qualifiedtobuy", "presentationscheduled",
        "decisionmakerboughtin", "contractsent", "negotiation", "proposal", "closedwon", "renewal", "closedlost"};
    static final String DESCRIPTION = "Renewal of the platform licence for three plants, with the maintenance contract, "
            + "on-site training for twelve operators and the migration of the legacy order data. "
            + "Procurement asked for a second quote; legal reviews the data processing agreement.";
    static final int KEYS = 5000;

    final Map<String, String> options;
    final String name;
    final String url;
    final Random random = new Random(42);
    long delivery;
    /** Commits of new events in this run, warm-up included (for syncs per commit). */
    long commits;

    IntakeStores(Map<String, String> options) {
        this.options = options;
        this.name = options.getOrDefault("name", "store");
        this.url = options.get("url");
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException("expected --option, got " + args[i]);
            }
            String key = args[i].substring(2);
            boolean flag = i + 1 >= args.length || args[i + 1].startsWith("--");
            options.put(key, flag ? "true" : args[++i]);
        }
        if (!options.containsKey("url")) {
            throw new IllegalArgumentException("--url is required");
        }
        new IntakeStores(options).run();
    }

    Connection connect() throws SQLException {
        Connection c = DriverManager.getConnection(url, options.getOrDefault("user", ""), options.getOrDefault("password", ""));
        for (String sql : options.getOrDefault("init", "").split(";;")) {
            if (!sql.isBlank()) {
                try (Statement s = c.createStatement()) {
                    s.execute(sql.trim());
                }
            }
        }
        return c;
    }

    boolean sqlite() {
        return url.startsWith("jdbc:sqlite:");
    }

    void run() throws Exception {
        if (options.containsKey("count")) {
            try (Connection c = connect(); Statement s = c.createStatement();
                 ResultSet rows = s.executeQuery("SELECT COUNT(*) FROM events WHERE status = 'PENDING'")) {
                rows.next();
                System.out.println("COUNT " + rows.getLong(1));
            }
            return;
        }
        createSchema();
        try (Connection writer = connect()) {
            describe(writer);
            preload(writer, Integer.parseInt(options.getOrDefault("preload", "50000")));
            if (options.containsKey("kill-test")) {
                killTest(writer);
                return;
            }
            double warmup = Double.parseDouble(options.getOrDefault("warmup", "4"));
            double seconds = Double.parseDouble(options.getOrDefault("seconds", "8"));
            List<Integer> groups = Arrays.stream(options.getOrDefault("groups", "1,8,32,128").split(","))
                    .map(String::trim).map(Integer::parseInt).toList();
            Reader reader = new Reader(connect(), Long.parseLong(options.getOrDefault("reader-every-ms", "5")));
            if (url.startsWith("jdbc:postgresql:")) {
                try (Statement s = reader.connection.createStatement(); ResultSet rows = s.executeQuery("SELECT pg_backend_pid()")) {
                    rows.next();
                    reader.backendPid = rows.getLong(1);
                }
            }
            Thread readerThread = Thread.ofPlatform().name("claim-reader").start(reader);
            while (reader.threadId < 0) {
                Thread.onSpinWait();
            }
            try {
                // JIT and caches: the first cell would otherwise pay this (and group 1 comes first)
                cell(writer, 32, warmup, reader, false);
                for (int group : groups) {
                    cell(writer, group, seconds, reader, true);
                }
            } finally {
                reader.stop.set(true);
                readerThread.join();
                reader.connection.close();
            }
            System.out.println("TOTAL name=" + name + " commits=" + commits);
        }
    }

    void createSchema() throws SQLException {
        try (Connection c = connect(); Statement s = c.createStatement()) {
            if (sqlite()) {
                for (String sql : SQLITE_SCHEMA) {
                    s.execute(sql);
                }
            } else {
                Flyway.configure()
                        .dataSource(url, options.getOrDefault("user", ""), options.getOrDefault("password", ""))
                        .locations("filesystem:" + options.getOrDefault("migrations", "engine/src/main/resources/db/migration"))
                        .load()
                        .migrate();
                if (url.startsWith("jdbc:h2:")) {
                    // Database.cacheIdentities: as Steward opens an H2 store
                    List<String[]> columns = new ArrayList<>();
                    try (ResultSet rows = s.executeQuery("SELECT TABLE_NAME, COLUMN_NAME FROM INFORMATION_SCHEMA.COLUMNS"
                            + " WHERE TABLE_SCHEMA = CURRENT_SCHEMA AND IS_IDENTITY = 'YES' AND IDENTITY_CACHE < 4096")) {
                        while (rows.next()) {
                            columns.add(new String[] {rows.getString(1), rows.getString(2)});
                        }
                    }
                    for (String[] column : columns) {
                        s.execute("ALTER TABLE \"" + column[0] + "\" ALTER COLUMN \"" + column[1] + "\" SET CACHE 4096");
                    }
                }
            }
            for (String index : options.getOrDefault("drop", "").split(",")) {
                if (!index.isBlank()) {
                    s.execute("DROP INDEX " + index.trim());
                }
            }
        }
    }

    /** Prints the events table's indexes as the database reports them, so a reader can check the schema. */
    void describe(Connection c) throws SQLException {
        DatabaseMetaData meta = c.getMetaData();
        String table = url.startsWith("jdbc:h2:") ? "EVENTS" : "events";
        Map<String, List<String>> indexes = new LinkedHashMap<>();
        Map<String, Boolean> unique = new LinkedHashMap<>();
        try (ResultSet rows = meta.getIndexInfo(null, null, table, false, false)) {
            while (rows.next()) {
                String index = rows.getString("INDEX_NAME");
                if (index == null) {
                    continue;
                }
                indexes.computeIfAbsent(index, k -> new ArrayList<>()).add(rows.getString("COLUMN_NAME").toLowerCase(Locale.ROOT));
                unique.put(index, !rows.getBoolean("NON_UNIQUE"));
            }
        }
        StringBuilder line = new StringBuilder("SCHEMA name=" + name + " " + meta.getDatabaseProductName() + " "
                + meta.getDatabaseProductVersion() + " events indexes:");
        indexes.forEach((index, columns) -> line.append(' ').append(index.toLowerCase(Locale.ROOT))
                .append(unique.get(index) ? "(unique " : "(").append(String.join(",", columns)).append(')'));
        if (sqlite()) {
            line.append(" + the table's own B-tree keyed by seq (rowid)");
        }
        System.out.println(line);
    }

    String payload(int n) {
        return String.format(Locale.ROOT,
                "{\"id\":\"D-%d\",\"name\":\"Deal %d: Account %d platform renewal\",\"stage\":\"%s\",\"amount\":%d.%02d,"
                + "\"currency\":\"EUR\",\"probability\":%d,\"close_date\":\"2027-%02d-%02d\",\"pipeline\":\"enterprise\","
                + "\"region\":\"EMEA\",\"lead_source\":\"partner referral\",\"next_step\":\"Send the revised quote by Friday\","
                + "\"owner\":{\"id\":\"U-%d\",\"name\":\"Owner %d\",\"email\":\"owner%d@example.com\"},"
                + "\"company\":{\"id\":\"A-%d\",\"name\":\"Account %d GmbH\",\"domain\":\"account%d.example.com\","
                + "\"industry\":\"manufacturing\",\"employees\":%d},"
                + "\"contacts\":[{\"id\":\"P-%d-1\",\"email\":\"buyer@account%d.example.com\",\"role\":\"buyer\"},"
                + "{\"id\":\"P-%d-2\",\"email\":\"it@account%d.example.com\",\"role\":\"technical\"}],"
                + "\"tags\":[\"renewal\",\"priority\",\"q4\"],\"description\":\"%s\","
                + "\"created_at\":\"2026-01-15T09:30:00Z\",\"updated_at\":\"%s\"}",
                n, n, n, STAGES[random.nextInt(STAGES.length)], 1000 + random.nextInt(499_001), random.nextInt(100),
                10 * (1 + random.nextInt(9)), 1 + n % 12, 1 + n % 28, n % 50, n % 50, n % 50,
                n, n, n, 10 + n % 990, n, n, n, n, DESCRIPTION, Instant.ofEpochSecond(System.currentTimeMillis() / 1000));
    }

    void bind(PreparedStatement insert) throws SQLException {
        int n = 1 + random.nextInt(KEYS);
        long now = System.currentTimeMillis();
        insert.setString(1, "evt_" + UUID.randomUUID());
        insert.setString(2, "crm-deal");
        insert.setString(3, name + "-" + ProcessHandle.current().pid() + "-" + (++delivery));
        insert.setString(4, "deal");
        insert.setString(5, "D-" + n);
        insert.setString(6, payload(n));
        insert.setLong(7, now);
        insert.setLong(8, now);
    }

    /** Finished events, so that the B-trees have some depth before the measurement. */
    void preload(Connection c, int count) throws SQLException {
        c.setAutoCommit(false);
        try (PreparedStatement insert = c.prepareStatement(INSERT.replace("'PENDING'", "'SUCCEEDED'"))) {
            for (int i = 1; i <= count; i++) {
                bind(insert);
                insert.addBatch();
                if (i % 1000 == 0 || i == count) {
                    insert.executeBatch();
                    c.commit();
                }
            }
        }
    }

    /** One group size for {@code seconds}: N rows, one JDBC batch, one commit, back to back. */
    void cell(Connection c, int group, double seconds, Reader reader, boolean print) throws Exception {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long serverPid = Long.parseLong(options.getOrDefault("server-pid", "0"));
        long hz = Long.parseLong(options.getOrDefault("hz", "100"));
        long[] latencies = new long[1 << 16];
        int commits = 0;
        long events = 0;
        reader.reset();
        long serverTicks0 = serverPid > 0 ? serverTicks(serverPid) : 0;
        long readerTicks0 = reader.backendPid > 0 ? ticks(reader.backendPid) : 0;
        long serverWritten0 = serverPid > 0 ? serverWritten(serverPid) : 0;
        long written0 = written(ProcessHandle.current().pid());
        long process0 = os.getProcessCpuTime();
        long thread0 = threads.getCurrentThreadCpuTime();
        long reader0 = threads.getThreadCpuTime(reader.threadId);
        long startMillis = System.currentTimeMillis();
        long start = System.nanoTime();
        long end = start + (long) (seconds * 1e9);
        c.setAutoCommit(false);
        try (PreparedStatement insert = c.prepareStatement(INSERT)) {
            while (System.nanoTime() < end) {
                long t0 = System.nanoTime();
                for (int i = 0; i < group; i++) {
                    bind(insert);
                    insert.addBatch();
                }
                insert.executeBatch();
                c.commit();
                long t1 = System.nanoTime();
                if (commits == latencies.length) {
                    latencies = Arrays.copyOf(latencies, commits * 2);
                }
                latencies[commits++] = t1 - t0;
                this.commits++;
                events += group;
            }
        }
        long elapsed = System.nanoTime() - start;
        long endMillis = System.currentTimeMillis();
        long thread = threads.getCurrentThreadCpuTime() - thread0;
        long readerCpu = threads.getThreadCpuTime(reader.threadId) - reader0;
        long process = os.getProcessCpuTime() - process0;
        long written = written(ProcessHandle.current().pid()) - written0;
        double serverMs = serverPid > 0 ? (serverTicks(serverPid) - serverTicks0) * 1000.0 / hz : 0;
        double readerBackendMs = reader.backendPid > 0 ? (ticks(reader.backendPid) - readerTicks0) * 1000.0 / hz : 0;
        long serverWritten = serverPid > 0 ? serverWritten(serverPid) - serverWritten0 : 0;
        if (!print) {
            return;
        }
        long[] sorted = Arrays.copyOf(latencies, commits);
        Arrays.sort(sorted);
        long[] reads = reader.latencies();
        System.out.printf(Locale.ROOT, "RESULT name=%s group=%d events=%d seconds=%.1f events_per_s=%.0f"
                        + " client_cpu_ms_per_event=%.3f writer_cpu_ms_per_event=%.3f reader_cpu_ms_per_event=%.3f"
                        + " server_cpu_ms_per_event=%.3f server_reader_cpu_ms_per_event=%.3f"
                        + " client_kb_written_per_event=%.2f server_kb_written_per_event=%.2f"
                        + " commit_p50_ms=%.2f commit_p99_ms=%.2f reader_queries=%d reader_p50_ms=%.2f reader_p99_ms=%.2f"
                        + " load1=%s commits=%d from_ms=%d to_ms=%d%n",
                name, group, events, elapsed / 1e9, events / (elapsed / 1e9),
                process / 1e6 / events, thread / 1e6 / events, readerCpu / 1e6 / events, serverMs / events,
                readerBackendMs / events,
                written / 1024.0 / events, serverWritten / 1024.0 / events,
                percentile(sorted, 50) / 1e6, percentile(sorted, 99) / 1e6,
                reads.length, percentile(reads, 50) / 1e6, percentile(reads, 99) / 1e6, load(), commits,
                startMillis, endMillis);
        System.out.flush();
    }

    /** Batches of 8 until the process is killed; "COMMITTED n" once each commit has returned. */
    void killTest(Connection c) throws SQLException {
        c.setAutoCommit(false);
        long committed = 0;
        try (PreparedStatement insert = c.prepareStatement(INSERT)) {
            while (true) {
                for (int i = 0; i < 8; i++) {
                    bind(insert);
                    insert.addBatch();
                }
                insert.executeBatch();
                c.commit();
                committed += 8;
                System.out.println("COMMITTED " + committed);
                System.out.flush();
            }
        }
    }

    static long percentile(long[] sorted, int p) {
        if (sorted.length == 0) {
            return 0;
        }
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1)];
    }

    static String load() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (IOException e) {
            return "?";
        }
    }

    /** utime + stime (clock ticks) of the server's main process and all its children. */
    static long serverTicks(long pid) throws IOException {
        long ticks = 0;
        for (long p : family(pid)) {
            ticks += ticks(p);
        }
        return ticks;
    }

    /** utime + stime (clock ticks) of one process; 0 once it is gone. */
    static long ticks(long pid) {
        String[] f = stat(pid);
        return f == null ? 0 : Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    static long serverWritten(long pid) throws IOException {
        long bytes = 0;
        for (long p : family(pid)) {
            bytes += written(p);
        }
        return bytes;
    }

    /** The process and its direct children (the postmaster's backends and auxiliary processes). */
    static List<Long> family(long pid) throws IOException {
        List<Long> pids = new ArrayList<>(List.of(pid));
        try (var dirs = Files.list(Path.of("/proc"))) {
            for (Path dir : dirs.toList()) {
                String file = dir.getFileName().toString();
                if (file.chars().allMatch(Character::isDigit)) {
                    String[] f = stat(Long.parseLong(file));
                    if (f != null && Long.parseLong(f[1]) == pid) {
                        pids.add(Long.parseLong(file));
                    }
                }
            }
        }
        return pids;
    }

    /** /proc/PID/stat's fields after the command name: [0] is state, [1] ppid, [11] utime, [12] stime. */
    static String[] stat(long pid) {
        try {
            String s = Files.readString(Path.of("/proc/" + pid + "/stat"));
            return s.substring(s.lastIndexOf(')') + 2).split(" ");
        } catch (IOException e) {
            return null; // gone meanwhile
        }
    }

    /** Bytes the process handed to write() and friends (wchar of /proc/PID/io), 0 if unreadable. */
    static long written(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/io"))) {
                if (line.startsWith("wchar:")) {
                    return Long.parseLong(line.substring(6).trim());
                }
            }
        } catch (IOException e) {
            // not ours to read
        }
        return 0;
    }

    /** The dispatcher's claim query (candidates only, as Claims' first, unlocked step) every few ms. */
    static final class Reader implements Runnable {
        final Connection connection;
        final long everyMs;
        final AtomicBoolean stop = new AtomicBoolean();
        volatile long threadId = -1;
        /** On PostgreSQL, the server process serving the reader's connection (its CPU is the claim query's). */
        long backendPid;
        private long[] latencies = new long[1 << 14];
        private int count;

        Reader(Connection connection, long everyMs) {
            this.connection = connection;
            this.everyMs = everyMs;
        }

        synchronized void reset() {
            count = 0;
        }

        synchronized long[] latencies() {
            long[] sorted = Arrays.copyOf(latencies, count);
            Arrays.sort(sorted);
            return sorted;
        }

        private synchronized void add(long nanos) {
            if (count == latencies.length) {
                latencies = Arrays.copyOf(latencies, count * 2);
            }
            latencies[count++] = nanos;
        }

        @Override
        public void run() {
            threadId = Thread.currentThread().threadId();
            try (PreparedStatement select = connection.prepareStatement(PENDING_CANDIDATES)) {
                while (!stop.get()) {
                    long t0 = System.nanoTime();
                    long now = System.currentTimeMillis();
                    select.setLong(1, now);
                    select.setLong(2, now);
                    select.setInt(3, 64);
                    int rows = 0;
                    try (ResultSet rs = select.executeQuery()) {
                        while (rs.next()) {
                            rows++;
                        }
                    }
                    add(System.nanoTime() - t0);
                    Thread.sleep(everyMs);
                }
            } catch (SQLException | InterruptedException e) {
                System.err.println("reader failed: " + e);
                System.exit(2);
            }
        }
    }
}
