package dev.steward.connector.jdbc;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.steward.plugin.ConfigProblem;
import dev.steward.plugin.Connector;
import dev.steward.plugin.ConnectorContext;
import dev.steward.plugin.ConnectorException;
import dev.steward.plugin.ConnectorFactory;
import dev.steward.plugin.JdbcUrlSetting;
import dev.steward.plugin.SystemConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Makes {@code jdbc} connectors: a system whose records are rows of a relational database.
 *
 * <p>System settings: {@code url} (required), {@code user}, {@code password}, {@code init} (a
 * SQL script in the workspace, run when the connector is created), {@code poolSize} (default
 * 5), {@code connectTimeout} (how long to wait for a connection, default 10s), {@code statements}
 * (named SQL with {@code :name} parameters, for flows' {@code call} steps). URL parameters
 * must be on a short per-driver allowlist ({@link JdbcUrlSetting}, shared with the store); relative H2 and SQLite
 * files live in the workspace. Entity settings: {@code table} and {@code key} (the key column);
 * fields map canonical names to columns. The JDBC driver comes from the host's classpath.
 *
 * <p>Stateless and thread-safe; found through {@link java.util.ServiceLoader}.
 */
public final class JdbcConnectorFactory implements ConnectorFactory {

    @Override
    public String type() {
        return "jdbc";
    }

    @Override
    public List<ConfigProblem> validate(SystemConfig config) {
        List<ConfigProblem> problems = new ArrayList<>();
        JdbcSettings.read(config, problems);
        return List.copyOf(problems);
    }

    @Override
    public List<ConfigProblem> validate(SystemConfig config, Path workspace) {
        List<ConfigProblem> problems = new ArrayList<>();
        JdbcSettings.read(config, workspace, problems);
        return List.copyOf(problems);
    }

    /** Every mapped table lists, in key order. */
    @Override
    public boolean lists(SystemConfig config, String entity) {
        return config.entity(entity).isPresent();
    }

    @Override
    public Connector create(SystemConfig config, ConnectorContext context) {
        List<ConfigProblem> problems = new ArrayList<>();
        JdbcSettings settings = JdbcSettings.read(config, problems);
        String script = checkedScript(config, settings, context.workspace(), problems);
        if (!problems.isEmpty()) {
            ConfigProblem first = problems.getFirst();
            throw new ConnectorException("system " + config.name() + " is not valid: " + (first.file() == null
                    ? first.path() : first.file() + ":" + first.line()) + ": " + first.message(), false, null);
        }
        String url = settings.resolvedUrl(context.workspace());
        JdbcSettings.databaseFolder(url).ifPresent(folder -> createFolder(config.name(), folder));
        HikariDataSource pool = new HikariDataSource(poolConfig(config.name(), settings, url));
        try {
            if (script != null) {
                runInit(config.name(), pool, script, settings.init());
            }
        } catch (RuntimeException e) {
            pool.close();
            throw e;
        }
        String unreachable = script == null ? probe(pool) : null;
        if (unreachable != null) {
            context.logger().log(System.Logger.Level.WARNING, "{0}: the database cannot be reached ({1}); calls fail"
                    + " and retry until it answers, and /health says degraded until then", config.name(), unreachable);
        } else {
            context.logger().log(System.Logger.Level.INFO, "{0}: jdbc pool of {1} ready", config.name(),
                    settings.poolSize());
        }
        return new JdbcConnector(config.name(), pool, unreachable, settings.statements());
    }

    /**
     * The init script's text, if any, checked again on the very text that runs (whatever changed
     * since the workspace loaded), and the database file's place; problems are added, not thrown.
     */
    private static String checkedScript(SystemConfig config, JdbcSettings settings, Path workspace,
                                        List<ConfigProblem> problems) {
        JdbcUrlSetting.fileProblem(settings.url(), workspace,
                        Boolean.parseBoolean(config.setting(JdbcUrlSetting.OUTSIDE_DATA).orElse("false")))
                .ifPresent(p -> problems.add(new ConfigProblem("url", p)));
        if (settings.init() == null) {
            return null;
        }
        String script = InitFile.read(workspace, settings.init(), problems).orElse(null);
        if (script != null) {
            InitScriptCheck.check(script).stream().findFirst().ifPresent(f -> problems.add(
                    ConfigProblem.inFile("init", settings.init(), f.line(), f.column(), f.message())));
        }
        return script;
    }

    /** Why no connection could be had within the connect timeout, or null when one could. */
    private static String probe(HikariDataSource pool) {
        try (Connection ignored = pool.getConnection()) {
            return null;
        } catch (SQLException e) {
            Throwable root = e;
            while (root.getCause() != null && root.getCause() != root) {
                root = root.getCause();
            }
            return root == e || root.getMessage() == null ? e.getMessage() : e.getMessage() + ": " + root.getMessage();
        }
    }

    static HikariConfig poolConfig(String system, JdbcSettings settings, String url) {
        HikariConfig hikari = new HikariConfig();
        hikari.setPoolName("steward-" + system);
        // what Steward writes and then records as written must outlive a killed process
        hikari.setJdbcUrl(JdbcUrlSetting.durable(url));
        if (url.startsWith("jdbc:postgresql:")) {
            // A batch of single-row INSERTs (upsertAll's INSERT ... ON CONFLICT, one per record) sent
            // as multi-row INSERTs: a third to a half less of the server's CPU a row (bench/batch.md,
            // round 5). A driver default, so the URL's own reWriteBatchedInserts=false still wins.
            hikari.addDataSourceProperty("reWriteBatchedInserts", "true");
        }
        hikari.setUsername(settings.user());
        hikari.setPassword(settings.password());
        hikari.setMaximumPoolSize(settings.poolSize());
        hikari.setMinimumIdle(1);
        hikari.setConnectionTimeout(settings.connectTimeout().toMillis());
        // a database that is down at start must not stop the workspace: calls fail and retry
        hikari.setInitializationFailTimeout(-1);
        return hikari;
    }

    private static void createFolder(String system, Path folder) {
        try {
            Files.createDirectories(folder);
        } catch (IOException e) {
            throw new ConnectorException(system + ": cannot create the database folder " + folder
                    + ": " + e.getMessage(), false, e);
        }
    }

    private static void runInit(String system, HikariDataSource pool, String script, String name) {
        InitScript.Statement current = null;
        try (Connection connection = pool.getConnection(); Statement statement = connection.createStatement()) {
            for (InitScript.Statement each : InitScript.split(script)) {
                current = each;
                statement.execute(each.sql());
            }
        } catch (SQLException e) {
            String where = current == null ? name : name + ", statement at line " + current.line();
            throw SqlErrors.classify(system, "run init script " + where, e);
        }
    }
}
