package dev.steward.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.steward.model.StoreSettings;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import org.flywaydb.core.Flyway;

/**
 * The connection pool and the one place where {@link SQLException} becomes
 * {@link StoreUnavailableException}. Thread-safe.
 */
final class Database implements AutoCloseable {

    /** SQLSTATE for a unique or primary key violation, on H2 and PostgreSQL alike. */
    static final String UNIQUE_VIOLATION = "23505";

    @FunctionalInterface
    interface Work<T> {
        T run(Connection connection) throws SQLException;
    }

    private final HikariDataSource pool;
    private final String description;
    private final boolean postgres;
    /** Whether the record keys compare in Java's order ({@link #keysInJavaOrder}); set once at open. */
    private volatile boolean keysInJavaOrder;

    private Database(HikariDataSource pool, String description, boolean postgres) {
        this.pool = pool;
        this.description = description;
        this.postgres = postgres;
    }

    /**
     * Whether this is PostgreSQL. The SQL is the same on both; only a plan differs: PostgreSQL
     * looks up {@code a = ? AND b IN (...)} on an index of (a, b) key by key, H2 only by {@code a}.
     */
    boolean isPostgres() {
        return postgres;
    }

    /**
     * Whether the database orders the {@code record_key} columns as {@link String#compareTo}
     * does, so that a range between a list's least and greatest key in Java's order holds every
     * key of the list: H2 without a collation (its default) and plain {@code VARCHAR} columns.
     * False for PostgreSQL, whose order is its collation's.
     */
    boolean keysInJavaOrder() {
        return keysInJavaOrder;
    }

    static Database open(StoreSettings settings) {
        String description = describe(settings);
        createH2Folder(settings.url());
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(cachingQueries(closedBySteward(patient(durable(settings.url())))));
        config.setUsername(settings.user());
        config.setPassword(settings.password());
        config.setMaximumPoolSize(Math.max(2, settings.poolSize()));
        config.setPoolName("steward-store");
        // Fail fast at start: a store that is not there should say so, not hang the host.
        config.setConnectionTimeout(10_000);
        if (settings.isPostgres()) {
            // A host frozen inside a transaction (a GC pause, SIGSTOP) would hold its row locks, and
            // the other hosts would skip those records until it woke. Its session ends instead once
            // it has been idle in a transaction for a quarter of the lease (Steward's transactions
            // take milliseconds), so its events are taken over when the lease ends.
            config.setConnectionInitSql("SET idle_in_transaction_session_timeout = "
                    + Math.max(1_000, settings.lease().toMillis() / 4));
        }
        HikariDataSource pool;
        try {
            pool = new HikariDataSource(config);
        } catch (RuntimeException e) {
            throw new StoreUnavailableException(
                    "Cannot open the event store at " + description + ": " + rootMessage(e), e);
        }
        Database database = new Database(pool, description, settings.isPostgres());
        if (!database.migrated()) {
            try {
                Flyway.configure()
                        .dataSource(pool)
                        .locations("classpath:db/migration")
                        .load()
                        .migrate();
            } catch (RuntimeException e) {
                database.close();
                throw new StoreUnavailableException(
                        "Cannot migrate the event store at " + description + ": " + rootMessage(e), e);
            }
        }
        if (settings.isPostgres()) {
            try {
                database.run("create the claim indexes", Database::createClaimIndexes);
            } catch (StoreUnavailableException e) {
                // Only a matter of speed (no right to create an index, another host creating it
                // at the same moment): claims work without them, slower under a large backlog.
                org.slf4j.LoggerFactory.getLogger(Database.class).warn("{}", e.getMessage());
            }
        }
        if (!settings.isPostgres() && settings.url().startsWith("jdbc:h2:")) {
            try {
                database.run("cache identity values", Database::cacheIdentities);
            } catch (StoreUnavailableException e) {
                // Only a matter of speed (a read-only file, say): the store works as it is.
                org.slf4j.LoggerFactory.getLogger(Database.class).warn("{}", e.getMessage());
            }
            try {
                database.keysInJavaOrder = database.run("read the key order", Database::binaryKeyOrder);
            } catch (StoreUnavailableException e) {
                // Only a matter of speed: the state reads then look every key up.
                org.slf4j.LoggerFactory.getLogger(Database.class).warn("{}", e.getMessage());
            }
        }
        return database;
    }

    /** PostgreSQL's partial indexes for the claim query ({@link Claims#POSTGRES_INDEXES}); a no-op once they exist. */
    private static Void createClaimIndexes(Connection c) throws SQLException {
        for (String ddl : Claims.POSTGRES_INDEXES) {
            try (Statement create = c.createStatement()) {
                create.execute(ddl);
            }
        }
        return null;
    }

    /** How many identity values H2 hands out between two writes of a sequence's position. */
    static final int IDENTITY_CACHE = 4096;

    /**
     * H2 writes an identity column's position to disk, in a commit of its own that stores every
     * page changed since the last one, each time its cache of values runs out: 32 values by
     * default, so every 32 rows of {@code writes}, {@code recent_writes}, {@code attempts} and
     * {@code events}. That was about half of the outcome commit's time (profile of bench/e2e.sh;
     * see bench/drain.md). With a larger cache the values are still handed out in order by one
     * counter for the whole database, so seq order stays receipt order; a crash only skips the
     * values not yet used, as H2 starts again after the last position written. (PostgreSQL's
     * cache is per session, which would break that order: it keeps its default.)
     */
    private static Void cacheIdentities(Connection c) throws SQLException {
        List<String[]> columns = new ArrayList<>();
        try (Statement select = c.createStatement();
             ResultSet rows = select.executeQuery("SELECT TABLE_NAME, COLUMN_NAME FROM INFORMATION_SCHEMA.COLUMNS"
                     + " WHERE TABLE_SCHEMA = CURRENT_SCHEMA AND IS_IDENTITY = 'YES' AND IDENTITY_CACHE < " + IDENTITY_CACHE)) {
            while (rows.next()) {
                columns.add(new String[] {rows.getString(1), rows.getString(2)});
            }
        }
        for (String[] column : columns) {
            try (Statement alter = c.createStatement()) {
                alter.execute("ALTER TABLE \"" + column[0] + "\" ALTER COLUMN \"" + column[1] + "\" SET CACHE " + IDENTITY_CACHE);
            }
        }
        return null;
    }

    /** The tables {@link RecordStateProbe} reads by a range of {@code record_key}. */
    private static final List<String> KEYED_TABLES = List.of("BATCH_RECORDS", "KNOWN_VALUES", "RECENT_WRITES", "HOLDS");

    /**
     * H2: no {@code COLLATION} set (H2 then compares text as {@link String#compareTo}) and every
     * {@code record_key} column of {@link #KEYED_TABLES} plain {@code CHARACTER VARYING} (not
     * {@code VARCHAR_IGNORECASE}, which a database created with {@code IGNORECASE=TRUE} has).
     */
    private static boolean binaryKeyOrder(Connection c) throws SQLException {
        try (Statement select = c.createStatement();
             ResultSet rows = select.executeQuery("SELECT COUNT(*) FROM INFORMATION_SCHEMA.SETTINGS"
                     + " WHERE SETTING_NAME = 'COLLATION'")) {
            if (!rows.next() || rows.getLong(1) != 0) {
                return false;
            }
        }
        int plain = 0;
        try (Statement select = c.createStatement();
             ResultSet rows = select.executeQuery("SELECT TABLE_NAME, DATA_TYPE FROM INFORMATION_SCHEMA.COLUMNS"
                     + " WHERE TABLE_SCHEMA = CURRENT_SCHEMA AND COLUMN_NAME = 'RECORD_KEY'")) {
            while (rows.next()) {
                if (KEYED_TABLES.contains(rows.getString(1))) {
                    if (!"CHARACTER VARYING".equals(rows.getString(2))) {
                        return false;
                    }
                    plain++;
                }
            }
        }
        return plain == KEYED_TABLES.size();
    }

    /** The store's migrations: the scripts in {@code classpath:db/migration}, as Flyway finds them. */
    private static final String MIGRATIONS = "db/migration";

    /**
     * Whether Flyway's history already lists every migration on the class path, applied with
     * the same checksum, and nothing else, none failed: then there is nothing to migrate, and
     * Flyway, whose set-up and validation were a tenth of the host's start (its plugin scan, a
     * lock, the scripts read and compared), is not started. Any doubt (no history table, another
     * version's migrations, a script that reads differently, a failure) answers false, and Flyway
     * migrates and validates as it always did.
     */
    boolean migrated() {
        Map<String, Integer> expected = migrationChecksums();
        if (expected.isEmpty()) {
            return false;
        }
        Map<String, Integer> applied = new HashMap<>();
        try (Connection connection = pool.getConnection();
             Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery(
                     "SELECT \"version\", \"checksum\", \"type\", \"success\" FROM \"flyway_schema_history\"")) {
            while (rows.next()) {
                String version = rows.getString(1);
                int checksum = rows.getInt(2);
                boolean noChecksum = rows.wasNull();
                String type = rows.getString(3);
                if (rows.getBoolean(4) && version == null && !"SQL".equals(type)) {
                    continue; // Flyway's own rows: the history table, or the schema, it created
                }
                if (!rows.getBoolean(4) || !"SQL".equals(type) || version == null || noChecksum
                        || applied.put(version, checksum) != null) {
                    return false;
                }
            }
        } catch (SQLException | RuntimeException e) {
            return false; // no history yet, or one this check does not understand: Flyway decides
        }
        return applied.equals(expected);
    }

    /**
     * The version and Flyway checksum of each {@code V<version>__<description>.sql} in the
     * migrations folder; empty when the folder cannot be listed (or holds anything else).
     * Flyway's checksum: CRC-32 of the script's lines in UTF-8, without line breaks, a leading
     * byte order mark dropped.
     */
    static Map<String, Integer> migrationChecksums() {
        Map<String, Integer> checksums = new HashMap<>();
        try {
            for (String name : migrationNames()) {
                java.util.regex.Matcher versioned = VERSIONED.matcher(name);
                if (!versioned.matches()) {
                    return Map.of();
                }
                try (InputStream in = Database.class.getClassLoader().getResourceAsStream(MIGRATIONS + "/" + name)) {
                    if (in == null) {
                        return Map.of();
                    }
                    checksums.put(versioned.group(1), checksum(new String(in.readAllBytes(), StandardCharsets.UTF_8)));
                }
            }
        } catch (IOException | RuntimeException e) {
            return Map.of();
        }
        return checksums;
    }

    private static final java.util.regex.Pattern VERSIONED = java.util.regex.Pattern.compile("V([0-9]+(?:[._][0-9]+)*)__[^/]*\\.sql");

    static int checksum(String script) {
        CRC32 crc = new CRC32();
        String text = script.startsWith("\uFEFF") ? script.substring(1) : script;
        try (BufferedReader lines = new BufferedReader(new StringReader(text))) {
            String line;
            while ((line = lines.readLine()) != null) {
                crc.update(line.getBytes(StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return (int) crc.getValue();
    }

    /** The file names in the migrations folder: in the engine's jar, or a classes folder (tests). */
    private static List<String> migrationNames() throws IOException {
        java.net.URL folder = Database.class.getClassLoader().getResource(MIGRATIONS);
        if (folder == null) {
            return List.of();
        }
        List<String> names = new ArrayList<>();
        if (folder.getProtocol().equals("jar")) {
            java.net.JarURLConnection connection = (java.net.JarURLConnection) folder.openConnection();
            connection.setUseCaches(false);
            try (java.util.jar.JarFile jar = connection.getJarFile()) {
                String prefix = MIGRATIONS + "/";
                jar.stream().map(java.util.zip.ZipEntry::getName)
                        .filter(n -> n.startsWith(prefix) && n.length() > prefix.length() && !n.endsWith("/"))
                        .forEach(n -> names.add(n.substring(prefix.length())));
            }
        } else if (folder.getProtocol().equals("file")) {
            try (java.util.stream.Stream<Path> files = Files.list(Path.of(java.net.URI.create(folder.toString())))) {
                files.forEach(f -> names.add(f.getFileName().toString()));
            }
        } else {
            return List.of();
        }
        // another class path entry with the same folder: Flyway would read it too, so let Flyway decide
        if (java.util.Collections.list(Database.class.getClassLoader().getResources(MIGRATIONS)).size() != 1) {
            return List.of();
        }
        return names;
    }

    /** Runs {@code work} on a connection in auto-commit mode. */
    <T> T run(String what, Work<T> work) {
        try (Connection connection = pool.getConnection()) {
            return work.run(connection);
        } catch (SQLException e) {
            throw failure(what, e);
        }
    }

    /** Runs {@code work} in one transaction: committed if it returns, rolled back if it throws. */
    <T> T transaction(String what, Work<T> work) {
        try (Connection connection = pool.getConnection()) {
            connection.setAutoCommit(false);
            try {
                T result = work.run(connection);
                connection.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            }
            // No need to restore auto-commit: the pool resets it when the connection is returned.
        } catch (SQLException e) {
            throw failure(what, e);
        }
    }

    StoreUnavailableException failure(String what, SQLException e) {
        return new StoreUnavailableException(
                "The event store at " + description + " failed to " + what + ": " + e.getMessage(), e);
    }

    static boolean isUniqueViolation(SQLException e) {
        return UNIQUE_VIOLATION.equals(e.getSQLState());
    }

    /** Deadlock or serialization failure: the statement lost a race and may simply be skipped. */
    static boolean isLostRace(SQLException e) {
        String state = e.getSQLState();
        return state != null && (state.equals("40001") || state.equals("40P01") || state.startsWith("HYT"));
    }

    @Override
    public void close() {
        pool.close();
    }

    static String describe(StoreSettings settings) {
        return dev.steward.plugin.JdbcUrlSetting.shown(settings.url()) + (settings.user() == null || settings.user().isEmpty() ? "" : " as " + settings.user());
    }

    /** The store's URL with every commit written before it returns: {@link dev.steward.plugin.JdbcUrlSetting#durable}. */
    static String durable(String url) {
        return dev.steward.plugin.JdbcUrlSetting.durable(url);
    }

    /**
     * H2 gives up on a row or table lock after one second by default; with intake batches,
     * workers and (in tests, or a CLI beside a host) a second store on the same file, a busy
     * moment is longer than that. Ten seconds turns those into waits instead of failed
     * intakes. A URL that sets {@code LOCK_TIMEOUT} itself is left as it is.
     */
    static String patient(String url) {
        if (!url.startsWith("jdbc:h2:") || url.toUpperCase(java.util.Locale.ROOT).contains("LOCK_TIMEOUT")) {
            return url;
        }
        return url + ";LOCK_TIMEOUT=10000";
    }

    /**
     * H2 keeps the last 8 parsed statements of each connection by default; the run path uses
     * more than that on one connection, and parsing them again showed in profiles. A URL that sets
     * {@code QUERY_CACHE_SIZE} itself is left as it is.
     */
    static String cachingQueries(String url) {
        if (!url.startsWith("jdbc:h2:") || url.toUpperCase(java.util.Locale.ROOT).contains("QUERY_CACHE_SIZE")) {
            return url;
        }
        return url + ";QUERY_CACHE_SIZE=64";
    }

    /**
     * An embedded H2 database closes itself in a JVM shutdown hook by default, which runs at the
     * same time as Steward's own stop: running events then failed with "Database is already
     * closed" and ran again after a restart. {@code DB_CLOSE_ON_EXIT=FALSE} leaves closing to
     * {@link #close()}, which Steward calls last. A URL that sets it itself, or a server URL, is
     * left as it is.
     */
    static String closedBySteward(String url) {
        if (!url.startsWith("jdbc:h2:") || url.toUpperCase(java.util.Locale.ROOT).contains("DB_CLOSE_ON_EXIT")) {
            return url;
        }
        String rest = url.substring("jdbc:h2:".length());
        return rest.startsWith("tcp:") || rest.startsWith("ssl:") ? url : url + ";DB_CLOSE_ON_EXIT=FALSE";
    }

    /** H2 creates the database file but not its folder. */
    private static void createH2Folder(String url) {
        if (!url.startsWith("jdbc:h2:")) {
            return;
        }
        String rest = url.substring("jdbc:h2:".length());
        int options = rest.indexOf(';');
        if (options >= 0) {
            rest = rest.substring(0, options);
        }
        if (rest.startsWith("file:")) {
            rest = rest.substring("file:".length());
        } else if (rest.startsWith("mem:") || rest.startsWith("tcp:") || rest.startsWith("ssl:")
                || rest.startsWith("zip:") || rest.startsWith("~")) {
            return;
        }
        Path parent = Path.of(rest).toAbsolutePath().getParent();
        if (parent == null) {
            return;
        }
        try {
            Files.createDirectories(parent);
        } catch (IOException e) {
            throw new StoreUnavailableException("Cannot create the event store folder " + parent + ": " + e, e);
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() == null ? root.toString() : root.getMessage();
    }
}
