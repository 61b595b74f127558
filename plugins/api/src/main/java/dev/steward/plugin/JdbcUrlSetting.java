package dev.steward.plugin;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Checks a JDBC URL as users write it in {@code steward.yaml}, for the event store and for jdbc
 * systems alike, so that both follow one rule. Shared here, like {@link DurationSetting}, because
 * the engine and the jdbc connector both need it and may meet only in this module.
 *
 * <p>Two checks. Parameters: some drivers run code or write files because of a URL parameter
 * (H2's {@code INIT=RUNSCRIPT FROM ...} and {@code TRACE_LEVEL_FILE}, PostgreSQL's
 * {@code socketFactory}, {@code sslfactory} and {@code loggerFile}, SQLite's
 * {@code enable_load_extension}), so only parameters on a short per-driver allowlist pass.
 * Files: an embedded database (an H2 or SQLite file) lives under the workspace's {@code data/}
 * folder unless the setting beside the URL allows a path outside it; a path with {@code ..} is
 * refused either way. Stateless and thread-safe.
 */
public final class JdbcUrlSetting {

    /** The setting, beside a {@code url}, that lets an embedded database file live outside {@code data/}. */
    public static final String OUTSIDE_DATA = "allowPathOutsideData";

    /** H2 settings are case-insensitive; AUTO_SERVER is not here: it opens a TCP server. */
    private static final Set<String> H2 = Set.of("MODE", "DB_CLOSE_DELAY", "DB_CLOSE_ON_EXIT",
            "DATABASE_TO_UPPER", "DATABASE_TO_LOWER", "CASE_INSENSITIVE_IDENTIFIERS", "NON_KEYWORDS",
            "IFEXISTS", "LOCK_TIMEOUT", "DEFAULT_NULL_ORDERING", "LOCK_MODE", "WRITE_DELAY");
    /** pgjdbc's property names are case-sensitive. */
    private static final Set<String> POSTGRESQL = Set.of("ssl", "sslmode", "currentSchema", "ApplicationName",
            "connectTimeout", "socketTimeout", "loginTimeout", "tcpKeepAlive", "targetServerType",
            "stringtype", "reWriteBatchedInserts", "prepareThreshold", "user", "password");
    private static final Set<String> SQLITE = Set.of("journal_mode", "busy_timeout", "foreign_keys",
            "synchronous");
    /** An H2 file system prefix other than file: (zip:, split:, nio:, memFS:, async: ...). */
    private static final Pattern H2_PREFIX = Pattern.compile("([A-Za-z][A-Za-z0-9]+):.*", Pattern.DOTALL);

    private JdbcUrlSetting() {
    }

    /** What is wrong with the URL's parameters, if anything, in words a user can act on. */
    public static Optional<String> parameterProblem(String url) {
        String lower = url.toLowerCase(Locale.ROOT);
        if (lower.startsWith("jdbc:h2:")) {
            return check("H2", names(url.substring(url.indexOf(';') < 0 ? url.length() : url.indexOf(';') + 1),
                    ";", true), H2, true);
        }
        if (lower.startsWith("jdbc:postgresql:")) {
            return check("PostgreSQL", query(url), POSTGRESQL, false);
        }
        if (lower.startsWith("jdbc:sqlite:")) {
            return check("SQLite", query(url), SQLITE, false);
        }
        if (url.indexOf('?') >= 0 || url.indexOf(';') >= 0) {
            return Optional.of("Steward knows which URL parameters are safe only for h2, postgresql and sqlite:"
                    + " remove the parameters from this URL");
        }
        return Optional.empty();
    }

    /**
     * What is wrong with where an embedded database's file would be, if anything.
     *
     * @param workspace    the workspace folder that relative paths ({@code ./data/erp}) are resolved against
     * @param outsideData  whether {@code steward.yaml} allows a path outside {@code data/}
     */
    public static Optional<String> fileProblem(String url, Path workspace, boolean outsideData) {
        String lower = url.toLowerCase(Locale.ROOT);
        String path;
        if (lower.startsWith("jdbc:h2:")) {
            String rest = url.substring("jdbc:h2:".length());
            rest = rest.indexOf(';') < 0 ? rest : rest.substring(0, rest.indexOf(';'));
            String restLower = rest.toLowerCase(Locale.ROOT);
            if (restLower.startsWith("mem:") || restLower.startsWith("tcp://") || restLower.startsWith("ssl://")) {
                return Optional.empty();
            }
            if (restLower.startsWith("file:")) {
                path = rest.substring("file:".length());
            } else if (H2_PREFIX.matcher(rest).matches()) {
                return Optional.of("H2 file system '" + rest.substring(0, rest.indexOf(':') + 1)
                        + "' is not allowed: use a file under data/ (jdbc:h2:./data/erp), mem: or tcp://");
            } else {
                path = rest;
            }
        } else if (lower.startsWith("jdbc:sqlite:")) {
            String rest = url.substring("jdbc:sqlite:".length());
            rest = rest.indexOf('?') < 0 ? rest : rest.substring(0, rest.indexOf('?'));
            if (rest.isEmpty() || rest.equals(":memory:") || rest.startsWith("file::memory:")) {
                return Optional.empty();
            }
            if (rest.startsWith(":")) {
                return Optional.of("SQLite '" + rest.substring(0, rest.indexOf(':', 1) < 0 ? rest.length()
                        : rest.indexOf(':', 1) + 1) + "' is not allowed: use a file under data/ (jdbc:sqlite:data/erp.db)"
                        + " or :memory:");
            }
            path = rest.startsWith("file:") ? rest.substring("file:".length()) : rest;
        } else {
            return Optional.empty();
        }
        return location(path, workspace, outsideData);
    }

    /**
     * The URL as it may be shown in a message or a log: a password in its parameters or its
     * user info ({@code //user:secret@host}) is replaced by {@code ***}.
     */
    public static String shown(String url) {
        return url.replaceAll("(?i)([?&;]password=)[^&;]*", "$1***").replaceAll("(//[^/:@?;]*:)[^@/?;]*@", "$1***@");
    }

    private static Optional<String> location(String path, Path workspace, boolean outsideData) {
        String where = "the database file '" + path + "'";
        if (Pattern.compile("(^|[/\\\\])\\.\\.([/\\\\]|$)").matcher(path).find()) {
            return Optional.of(where + " climbs out with '..': name it from the workspace, like ./data/erp");
        }
        Path file;
        try {
            file = path.startsWith("~") ? null : Path.of(path);
        } catch (InvalidPathException e) {
            return Optional.of(where + " is not a valid path");
        }
        Path data = workspace.toAbsolutePath().normalize().resolve("data");
        boolean inside = file != null && workspace.toAbsolutePath().normalize().resolve(file).normalize().startsWith(data);
        if (inside || (outsideData && file != null && file.isAbsolute()) || (outsideData && path.startsWith("~"))) {
            return Optional.empty();
        }
        if (file != null && !file.isAbsolute() && !path.startsWith("~")) {
            return Optional.of(where + " is outside the workspace's data/ folder: put it under data/, like ./data/erp");
        }
        return Optional.of(where + " is outside the workspace's data/ folder: put it under data/ (like ./data/erp),"
                + " or set " + OUTSIDE_DATA + ": true beside the url to allow an absolute path");
    }

    private static List<String> query(String url) {
        int q = url.indexOf('?');
        return q < 0 ? List.of() : names(url.substring(q + 1), "&", false);
    }

    private static List<String> names(String params, String separator, boolean upper) {
        List<String> names = new ArrayList<>();
        for (String param : params.split(Pattern.quote(separator))) {
            if (param.isBlank()) {
                continue;
            }
            int eq = param.indexOf('=');
            String raw = eq < 0 ? param : param.substring(0, eq);
            String name;
            try {
                name = URLDecoder.decode(raw, StandardCharsets.UTF_8).strip();
            } catch (IllegalArgumentException badEscape) {
                name = raw.strip();
            }
            names.add(upper ? name.toUpperCase(Locale.ROOT) : name);
        }
        return names;
    }

    private static Optional<String> check(String driver, List<String> names, Set<String> allowed,
                                          boolean caseInsensitive) {
        Set<String> refused = new TreeSet<>();
        for (String name : names) {
            if (!allowed.contains(name)) {
                refused.add(name);
            }
        }
        if (refused.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(driver + " URL parameter" + (refused.size() == 1 ? " " : "s ") + String.join(", ", refused)
                + (refused.size() == 1 ? " is" : " are") + " not allowed; allowed are "
                + String.join(", ", new TreeSet<>(allowed)) + (caseInsensitive ? "" : " (case matters)"));
    }

    /**
     * An embedded H2 file database keeps commits in memory for up to a second by default
     * ({@code WRITE_DELAY}), so a process killed with SIGKILL loses commits it had already
     * reported: events answered 202 in the store (CrashRecoveryIT), rows written to a target whose
     * writes Steward has already recorded (BatchKillIT). {@code WRITE_DELAY=0} writes each commit
     * to the file before the commit returns, which a killed process cannot undo (a power cut
     * still can: H2 does not fsync each commit). Other URLs, and one that sets
     * {@code WRITE_DELAY} itself, are left as they are.
     */
    public static String durable(String url) {
        if (!url.startsWith("jdbc:h2:") || url.toUpperCase(java.util.Locale.ROOT).contains("WRITE_DELAY")) {
            return url;
        }
        String rest = url.substring("jdbc:h2:".length());
        if (rest.startsWith("mem:") || rest.startsWith("tcp:") || rest.startsWith("ssl:") || rest.startsWith("zip:")) {
            return url;
        }
        return url + ";WRITE_DELAY=0";
    }
}
