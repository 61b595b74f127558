package dev.steward.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * A PostgreSQL server for tests, shared by every test class of one test run.
 *
 * <p>Where it comes from, in order:
 * <ol>
 *   <li>{@code STEWARD_PG_URL} (with {@code STEWARD_PG_USER} and {@code STEWARD_PG_PASSWORD},
 *       both optional): an existing database; the user needs {@code CREATE} on it (schemas are
 *       created and dropped in it).
 *   <li>Local server binaries ({@code /usr/lib/postgresql/<version>/bin/initdb} and {@code pg_ctl},
 *       or the folder in {@code STEWARD_PG_BIN}): a throwaway cluster is initialised in a temp
 *       folder, started on a free 127.0.0.1 port with its socket in that folder, and stopped and
 *       deleted by a shutdown hook. Under root it runs as the {@code postgres} user via
 *       {@code runuser}, since PostgreSQL refuses to run as root.
 *   <li>Otherwise the test is skipped ({@link Assumptions#abort}), except when the environment
 *       variable {@code CI=true}: then it fails, because CI installs PostgreSQL and a silent skip
 *       would hide that the PostgreSQL tests never ran.
 * </ol>
 *
 * <p>Each {@link #createDatabase()} is a fresh schema of its own. Most tests do not call this class
 * directly; they use {@link PostgresExtension}:
 *
 * <pre>{@code
 * @ExtendWith(PostgresExtension.class)
 * class MyThingIT {
 *     @Test
 *     void works(PostgresDatabase db) {        // a fresh schema for this test
 *         try (Store store = Store.open(db.storeSettings(), Clock.systemUTC())) { ... }
 *     }
 * }
 * }</pre>
 *
 * Thread-safe.
 */
public final class PostgresCluster {

    private static final Object LOCK = new Object();
    private static PostgresCluster shared;
    private static String unavailable;

    private final String url;
    private final String user;
    private final String password;
    private final AtomicInteger schemas = new AtomicInteger();

    private PostgresCluster(String url, String user, String password) {
        this.url = url;
        this.user = user;
        this.password = password;
    }

    /**
     * The cluster of this test run, started on first use. Aborts the calling test when PostgreSQL
     * is not available (fails it under {@code CI=true}).
     */
    public static PostgresCluster shared() {
        synchronized (LOCK) {
            if (shared == null && unavailable == null) {
                try {
                    shared = locate();
                } catch (RuntimeException e) {
                    unavailable = e.getMessage();
                }
            }
            if (shared == null) {
                if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                    throw new IllegalStateException("PostgreSQL is required when CI=true: " + unavailable);
                }
                Assumptions.abort("PostgreSQL not available: " + unavailable);
            }
            return shared;
        }
    }

    /** A new, empty schema; the returned URL selects it. */
    public PostgresDatabase createDatabase() {
        String schema = "t" + schemas.incrementAndGet() + "_" + Long.toHexString(System.nanoTime() & 0xffffffL);
        execute("CREATE SCHEMA " + schema);
        String schemaUrl = url + (url.contains("?") ? "&" : "?") + "currentSchema=" + schema;
        return new PostgresDatabase(schemaUrl, user, password, schema);
    }

    public void drop(PostgresDatabase database) {
        execute("DROP SCHEMA IF EXISTS " + database.schema() + " CASCADE");
    }

    private void execute(String sql) {
        try (Connection connection = DriverManager.getConnection(url, user, password);
                Statement statement = connection.createStatement()) {
            statement.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException("PostgreSQL at " + url + " refused `" + sql + "`: " + e.getMessage(), e);
        }
    }

    private static PostgresCluster locate() {
        String url = System.getenv("STEWARD_PG_URL");
        if (url != null && !url.isBlank()) {
            PostgresCluster cluster = new PostgresCluster(url, envOr("STEWARD_PG_USER", null), envOr("STEWARD_PG_PASSWORD", null));
            try (Connection ignored = DriverManager.getConnection(url, cluster.user, cluster.password)) {
                return cluster;
            } catch (SQLException e) {
                // Someone asked for this database explicitly: not reaching it is a failure, not a skip.
                throw new IllegalStateException("STEWARD_PG_URL=" + url + " cannot be reached: " + e.getMessage(), e);
            }
        }
        Path bin = findBinaries();
        if (bin == null) {
            throw new IllegalStateException("set STEWARD_PG_URL or install postgresql (initdb and pg_ctl"
                    + " under /usr/lib/postgresql/<version>/bin, or STEWARD_PG_BIN)");
        }
        return LocalServer.start(bin);
    }

    /** The newest local server binaries (initdb, pg_ctl), or STEWARD_PG_BIN; null when there are none. */
    static Path findBinaries() {
        String explicit = System.getenv("STEWARD_PG_BIN");
        if (explicit != null && !explicit.isBlank()) {
            return Path.of(explicit);
        }
        Path root = Path.of("/usr/lib/postgresql");
        if (!Files.isDirectory(root)) {
            return null;
        }
        try (Stream<Path> versions = Files.list(root)) {
            return versions.map(v -> v.resolve("bin"))
                    .filter(b -> Files.isExecutable(b.resolve("initdb")) && Files.isExecutable(b.resolve("pg_ctl")))
                    .max(Comparator.comparingInt(PostgresCluster::majorVersion))
                    .orElse(null);
        } catch (IOException e) {
            return null;
        }
    }

    private static int majorVersion(Path bin) {
        try {
            return Integer.parseInt(bin.getParent().getFileName().toString());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static String envOr(String name, String fallback) {
        String value = System.getenv(name);
        return value == null ? fallback : value;
    }

    /** A throwaway cluster in a temp folder, stopped and deleted when the JVM exits. */
    private static final class LocalServer {

        static PostgresCluster start(Path bin) {
            boolean root = "root".equals(System.getProperty("user.name"));
            Path dir;
            try {
                dir = Files.createTempDirectory("steward-pg-");
                if (root) {
                    UserPrincipal postgres = dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("postgres");
                    Files.setOwner(dir, postgres);
                }
            } catch (IOException e) {
                throw new IllegalStateException("cannot prepare a folder for a throwaway PostgreSQL cluster"
                        + (root ? " (is there a `postgres` user?)" : "") + ": " + e, e);
            }
            Path data = dir.resolve("data");
            Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(root, bin, dir), "steward-pg-stop"));
            run(root, dir, "initdb", List.of(bin.resolve("initdb").toString(), "-D", data.toString(), "-U", "postgres",
                    "-A", "trust", "-E", "UTF8", "--no-sync"));
            int port = freePort();
            String options = "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1 -c fsync=off"
                    + " -c synchronous_commit=off -c full_page_writes=off -c max_connections=200";
            run(root, dir, "pg_ctl-start", List.of(bin.resolve("pg_ctl").toString(), "-D", data.toString(),
                    "-l", dir.resolve("server.log").toString(), "-o", options, "-w", "-t", "60", "start"));
            String admin = "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
            try (Connection connection = DriverManager.getConnection(admin, "postgres", null);
                    Statement statement = connection.createStatement()) {
                statement.execute("CREATE DATABASE steward_test");
            } catch (SQLException e) {
                throw new IllegalStateException("throwaway PostgreSQL on port " + port + " refused CREATE DATABASE: "
                        + e.getMessage(), e);
            }
            return new PostgresCluster("jdbc:postgresql://127.0.0.1:" + port + "/steward_test", "postgres", null);
        }

        private static void stop(boolean root, Path bin, Path dir) {
            try {
                if (Files.exists(dir.resolve("data").resolve("postmaster.pid"))) {
                    run(root, dir, "pg_ctl-stop", List.of(bin.resolve("pg_ctl").toString(), "-D",
                            dir.resolve("data").toString(), "-m", "immediate", "-w", "stop"));
                }
            } catch (RuntimeException e) {
                System.err.println("Could not stop the throwaway PostgreSQL in " + dir + ": " + e.getMessage());
            }
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                System.err.println("Could not delete " + dir + ": " + e);
            }
        }

        private static void run(boolean root, Path dir, String name, List<String> command) {
            List<String> full = new ArrayList<>();
            if (root) {
                full.addAll(List.of("runuser", "-u", "postgres", "--"));
            }
            full.addAll(command);
            // Output goes to a file, not a pipe: pg_ctl leaves a server running that must not hold our pipe open.
            Path output = dir.resolve(name + ".out");
            try {
                Process process = new ProcessBuilder(full).redirectErrorStream(true)
                        .redirectOutput(output.toFile()).redirectInput(ProcessBuilder.Redirect.from(nullFile()))
                        .start();
                if (!process.waitFor(120, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    throw new IllegalStateException(name + " did not finish in 120 s: " + tail(output));
                }
                if (process.exitValue() != 0) {
                    throw new IllegalStateException(name + " exited with " + process.exitValue() + ": " + tail(output)
                            + tail(dir.resolve("server.log")));
                }
            } catch (IOException e) {
                throw new IllegalStateException("cannot run " + String.join(" ", full) + ": " + e, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while running " + name, e);
            }
        }

        private static java.io.File nullFile() {
            return new java.io.File(System.getProperty("os.name").toLowerCase(Locale.ROOT).startsWith("windows") ? "NUL" : "/dev/null");
        }

        private static String tail(Path file) {
            try {
                String text = Files.readString(file);
                return text.length() > 2000 ? "..." + text.substring(text.length() - 2000) : text;
            } catch (IOException e) {
                return "";
            }
        }

        private static int freePort() {
            try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                return socket.getLocalPort();
            } catch (IOException e) {
                throw new IllegalStateException("no free port: " + e, e);
            }
        }
    }
}
