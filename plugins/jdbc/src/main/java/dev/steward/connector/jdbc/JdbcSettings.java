package dev.steward.connector.jdbc;

import dev.steward.plugin.DurationSetting;

import dev.steward.plugin.ConfigProblem;
import dev.steward.plugin.EntityConfig;
import dev.steward.plugin.JdbcUrlSetting;
import dev.steward.plugin.SystemConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The jdbc connector's settings for one system, read once and checked. Immutable.
 *
 * @param url      the JDBC URL as written
 * @param user     the database user, if any
 * @param password the database password, if any; never logged
 * @param init     a SQL script to run at creation, relative to the workspace, if any
 * @param poolSize the most connections held open at once
 * @param connectTimeout how long a call may wait for a connection before the database counts
 *                       as unavailable
 * @param statements the {@code statements:} that flows' {@code call} steps run, by name
 */
record JdbcSettings(String url, String user, String password, String init, int poolSize,
                    Duration connectTimeout, Map<String, NamedStatement> statements) {

    JdbcSettings(String url, String user, String password, String init, int poolSize, Duration connectTimeout) {
        this(url, user, password, init, poolSize, connectTimeout, Map.of());
    }

    static final int DEFAULT_POOL_SIZE = 5;
    static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
    /** The pool cannot wait less than this. */
    static final Duration MIN_CONNECT_TIMEOUT = Duration.ofMillis(250);
    static final int MAX_POOL_SIZE = 100;

    /** An H2 database file given relative to the working directory ({@code ./data/erp}, {@code data/erp}). */
    private static final Pattern RELATIVE_H2 = Pattern.compile("jdbc:h2:(file:)?(?![/\\\\~])([^;:]+)(;.*)?");
    /** A SQLite database file given relative to the working directory ({@code jdbc:sqlite:data/erp.db}). */
    private static final Pattern RELATIVE_SQLITE = Pattern.compile("jdbc:sqlite:(?!file:|:memory:|/|[A-Za-z]:)([^?]+)(\\?.*)?");

    /** Reads the settings, adding a problem for each one that is wrong; never throws. */
    static JdbcSettings read(SystemConfig config, List<ConfigProblem> problems) {
        return read(config, null, problems);
    }

    /**
     * Reads the settings and, when the workspace is known, checks the files they name: the
     * database file stays under {@code data/} and the init script is there, readable and safe.
     */
    static JdbcSettings read(SystemConfig config, Path workspace, List<ConfigProblem> problems) {
        String url = config.setting("url").map(String::trim).orElse("");
        if (url.isEmpty()) {
            problems.add(new ConfigProblem("url",
                    "url is missing: give the database's JDBC URL, like jdbc:postgresql://db.example.com/erp"));
        } else if (!url.startsWith("jdbc:")) {
            problems.add(new ConfigProblem("url", "url must be a JDBC URL starting with jdbc:"));
        } else {
            JdbcUrlSetting.parameterProblem(url).ifPresent(p -> problems.add(new ConfigProblem("url", p)));
            if (workspace != null) {
                boolean outsideData = Boolean.parseBoolean(config.setting(JdbcUrlSetting.OUTSIDE_DATA).orElse("false"));
                JdbcUrlSetting.fileProblem(url, workspace, outsideData)
                        .ifPresent(p -> problems.add(new ConfigProblem("url", p)));
            }
        }
        String init = config.setting("init").map(String::trim).orElse(null);
        if (init != null && !insideWorkspace(init)) {
            problems.add(new ConfigProblem("init",
                    "init must be a SQL file inside the workspace, like systems/erp.sql"));
        } else if (init != null && workspace != null) {
            problems.addAll(InitFile.check(workspace, init));
        }
        int poolSize = poolSize(config.settings().get("poolSize"), problems);
        Duration connectTimeout = connectTimeout(config.settings().get("connectTimeout"), problems);
        for (EntityConfig entity : config.entities().values()) {
            entity(entity, problems);
        }
        Map<String, NamedStatement> statements = statements(config.settings().get("statements"), problems);
        return new JdbcSettings(url, config.setting("user").orElse(null),
                config.setting("password").orElse(null), init, poolSize, connectTimeout, statements);
    }

    /**
     * {@code statements: { createOrder: "INSERT ... VALUES (:deal, :amount)" }}: each one
     * statement with {@code :name} parameters, refused where an init script would be (code, files).
     */
    private static Map<String, NamedStatement> statements(Object value, List<ConfigProblem> problems) {
        if (value == null) {
            return Map.of();
        }
        if (!(value instanceof Map<?, ?> map)) {
            problems.add(new ConfigProblem("statements", "statements is a mapping of name: SQL, like"
                    + " { createOrder: \"INSERT INTO orders (deal_id) VALUES (:deal)\" }"));
            return Map.of();
        }
        Map<String, NamedStatement> out = new java.util.LinkedHashMap<>();
        map.forEach((k, v) -> {
            String name = String.valueOf(k);
            String key = "statements." + name;
            if (!name.matches("[A-Za-z_][A-Za-z0-9_-]{0,99}")) {
                problems.add(new ConfigProblem(key, "a statement name is letters, digits, - and _"));
            } else if (!(v instanceof String sql)) {
                problems.add(new ConfigProblem(key, "a statement is SQL text"));
            } else {
                try {
                    NamedStatement statement = NamedStatement.parse(name, sql);
                    InitScriptCheck.check(sql).stream().findFirst().ifPresentOrElse(
                            f -> problems.add(new ConfigProblem(key, "refused: " + f.message())),
                            () -> out.put(name, statement));
                } catch (IllegalArgumentException e) {
                    problems.add(new ConfigProblem(key, e.getMessage()));
                }
            }
        });
        return Map.copyOf(out);
    }

    /**
     * The URL to connect with: an H2 file named relative to the working directory
     * ({@code jdbc:h2:./data/erp}) is moved under the workspace, so that the workspace, not
     * where the JVM started, decides where the data lives.
     */
    String resolvedUrl(Path workspace) {
        Matcher sqlite = RELATIVE_SQLITE.matcher(url);
        if (sqlite.matches()) {
            Path file = workspace.toAbsolutePath().resolve(sqlite.group(1)).normalize();
            return "jdbc:sqlite:" + file.toString().replace('\\', '/') + (sqlite.group(2) == null ? "" : sqlite.group(2));
        }
        Matcher m = RELATIVE_H2.matcher(url);
        if (!m.matches()) {
            return url;
        }
        Path file = workspace.toAbsolutePath().resolve(m.group(2)).normalize();
        return "jdbc:h2:file:" + file.toString().replace('\\', '/') + (m.group(3) == null ? "" : m.group(3));
    }

    /** The folder an H2 or SQLite file database lives in, for the resolved URL, if it is one. */
    static Optional<Path> databaseFolder(String resolvedUrl) {
        Matcher m = Pattern.compile("jdbc:(?:h2:file:([^;]+)(?:;.*)?|sqlite:(/[^?]+)(?:\\?.*)?)").matcher(resolvedUrl);
        if (!m.matches()) {
            return Optional.empty();
        }
        return Optional.ofNullable(Path.of(m.group(1) != null ? m.group(1) : m.group(2)).getParent());
    }

    private static boolean insideWorkspace(String file) {
        try {
            Path path = Path.of(file);
            return !file.isEmpty() && !path.isAbsolute() && !path.normalize().startsWith("..");
        } catch (java.nio.file.InvalidPathException e) {
            return false;
        }
    }

    private static Duration connectTimeout(Object value, List<ConfigProblem> problems) {
        if (value == null) {
            return DEFAULT_CONNECT_TIMEOUT;
        }
        Optional<Duration> parsed = DurationSetting.parse(value);
        if (parsed.isEmpty() || parsed.get().compareTo(MIN_CONNECT_TIMEOUT) < 0) {
            problems.add(new ConfigProblem("connectTimeout", "connectTimeout '" + value
                    + "' is not a duration of at least 250ms: write it like 5s or 500ms"));
            return DEFAULT_CONNECT_TIMEOUT;
        }
        return parsed.get();
    }

    private static int poolSize(Object value, List<ConfigProblem> problems) {
        if (value == null) {
            return DEFAULT_POOL_SIZE;
        }
        try {
            int size = Integer.parseInt(String.valueOf(value).trim());
            if (size >= 1 && size <= MAX_POOL_SIZE) {
                return size;
            }
        } catch (NumberFormatException notANumber) {
            // reported below
        }
        problems.add(new ConfigProblem("poolSize",
                "poolSize must be a whole number from 1 to " + MAX_POOL_SIZE + ", not '" + value + "'"));
        return DEFAULT_POOL_SIZE;
    }

    private static void entity(EntityConfig entity, List<ConfigProblem> problems) {
        String prefix = "entities." + entity.name() + ".";
        Optional<String> table = entity.setting("table");
        if (table.isEmpty() || table.get().isBlank()) {
            problems.add(new ConfigProblem(prefix + "table", "table is missing: name the table that holds "
                    + entity.name() + " records"));
        } else if (!SqlIdentifiers.isTableName(table.get())) {
            problems.add(new ConfigProblem(prefix + "table", "'" + table.get() + "' is not a plain table name: "
                    + SqlIdentifiers.RULE + " (optionally schema.table)"));
        }
        Optional<String> key = entity.setting("key");
        if (key.isEmpty() || key.get().isBlank()) {
            problems.add(new ConfigProblem(prefix + "key", "key is missing: name the column that holds the "
                    + entity.name() + "'s key"));
        } else if (!SqlIdentifiers.isColumnName(key.get())) {
            problems.add(new ConfigProblem(prefix + "key", "'" + key.get() + "' is not a plain column name: "
                    + SqlIdentifiers.RULE));
        }
        for (Map.Entry<String, String> field : entity.fields().entrySet()) {
            if (!SqlIdentifiers.isColumnName(field.getValue())) {
                problems.add(new ConfigProblem(prefix + "fields." + field.getKey(), "'" + field.getValue()
                        + "' is not a plain column name: " + SqlIdentifiers.RULE));
            }
        }
    }
}
