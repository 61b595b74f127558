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
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * A throwaway PostgreSQL server of one test class's own, for the tests that stop it under load
 * ({@code pg_ctl stop -m immediate}) and start it again on the same port and data, which the
 * shared {@link PostgresCluster} must never be. Initialised in a temp folder from the local server
 * binaries (as {@link PostgresCluster} finds them; under root as the {@code postgres} user),
 * listening on a free port of 127.0.0.1 only, with one database, {@code steward}. Skips the test
 * when there are no binaries, fails it under {@code CI=true}. {@link #close} stops and deletes it.
 * Not thread-safe: one test drives it.
 */
public final class PostgresServer implements AutoCloseable {

    private final Path bin;
    private final Path dir;
    private final boolean root;
    private final int port;

    private PostgresServer(Path bin, Path dir, boolean root, int port) {
        this.bin = bin;
        this.dir = dir;
        this.root = root;
        this.port = port;
    }

    /** Initialises and starts a server with an empty {@code steward} database. */
    public static PostgresServer start() {
        Path bin = PostgresCluster.findBinaries();
        if (bin == null) {
            String why = "no PostgreSQL server binaries (initdb, pg_ctl under /usr/lib/postgresql/<version>/bin or STEWARD_PG_BIN)";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                throw new IllegalStateException("PostgreSQL is required when CI=true: " + why);
            }
            Assumptions.abort(why);
        }
        boolean root = "root".equals(System.getProperty("user.name"));
        Path dir;
        try {
            dir = Files.createTempDirectory("steward-pg-own-");
            if (root) {
                UserPrincipal postgres = dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("postgres");
                Files.setOwner(dir, postgres);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot prepare a folder for a throwaway PostgreSQL server: " + e, e);
        }
        PostgresServer server = new PostgresServer(bin, dir, root, freePort());
        server.run("initdb", List.of(bin.resolve("initdb").toString(), "-D", server.data().toString(), "-U", "postgres",
                "-A", "trust", "-E", "UTF8", "--no-sync"));
        server.startAgain();
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + server.port + "/postgres", "postgres", null);
                Statement statement = c.createStatement()) {
            statement.execute("CREATE DATABASE steward");
        } catch (SQLException e) {
            throw new IllegalStateException("throwaway PostgreSQL refused CREATE DATABASE: " + e.getMessage(), e);
        }
        return server;
    }

    /** The {@code steward} database's JDBC URL; user {@code postgres}, no password. */
    public String url() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/steward";
    }

    public int port() {
        return port;
    }

    /** {@code pg_ctl stop -m immediate}: every backend killed at once, no checkpoint, as a crash. */
    public void stopImmediately() {
        run("pg_ctl-stop", List.of(bin.resolve("pg_ctl").toString(), "-D", data().toString(), "-m", "immediate", "-w", "stop"));
    }

    /**
     * Starts the server on its port and data (after {@link #stopImmediately}: with crash
     * recovery). Commits are synchronous, unlike the shared cluster's: an immediate stop must not
     * lose a commit that was answered. {@code fsync=off} only risks an operating system crash.
     */
    public void startAgain() {
        String options = "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1 -c fsync=off"
                + " -c max_connections=100";
        run("pg_ctl-start", List.of(bin.resolve("pg_ctl").toString(), "-D", data().toString(), "-l",
                dir.resolve("server.log").toString(), "-o", options, "-w", "-t", "60", "start"));
    }

    @Override
    public void close() {
        try {
            if (Files.exists(data().resolve("postmaster.pid"))) {
                stopImmediately();
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

    private Path data() {
        return dir.resolve("data");
    }

    private void run(String name, List<String> command) {
        List<String> full = new ArrayList<>();
        if (root) {
            full.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        full.addAll(command);
        // To a file, not a pipe: pg_ctl leaves a server running that must not hold our pipe open.
        Path output = dir.resolve(name + ".out");
        try {
            Process process = new ProcessBuilder(full).redirectErrorStream(true).redirectOutput(output.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            if (!process.waitFor(120, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException(name + " did not finish in 120 s");
            }
            if (process.exitValue() != 0) {
                throw new IllegalStateException(name + " exited with " + process.exitValue() + ": " + Files.readString(output));
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + String.join(" ", full) + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + name, e);
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
