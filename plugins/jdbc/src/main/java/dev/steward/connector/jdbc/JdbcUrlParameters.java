package dev.steward.connector.jdbc;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Refuses JDBC URL parameters outside a short allowlist per driver. Some drivers run code or
 * write files because of a URL parameter (H2's {@code INIT=RUNSCRIPT FROM ...} and
 * {@code TRACE_LEVEL_FILE}, PostgreSQL's {@code socketFactory}, {@code sslfactory} and
 * {@code loggerFile}, SQLite's {@code enable_load_extension}), and a URL is a setting a user
 * types into {@code steward.yaml}: only parameters known to be harmless pass.
 */
final class JdbcUrlParameters {

    /** H2 settings are case-insensitive; AUTO_SERVER is not here: it opens a TCP server. */
    private static final Set<String> H2 = Set.of("MODE", "DB_CLOSE_DELAY", "DB_CLOSE_ON_EXIT",
            "DATABASE_TO_UPPER", "DATABASE_TO_LOWER", "CASE_INSENSITIVE_IDENTIFIERS", "NON_KEYWORDS",
            "IFEXISTS", "LOCK_TIMEOUT", "DEFAULT_NULL_ORDERING", "LOCK_MODE");
    /** pgjdbc's property names are case-sensitive. */
    private static final Set<String> POSTGRESQL = Set.of("ssl", "sslmode", "currentSchema", "ApplicationName",
            "connectTimeout", "socketTimeout", "loginTimeout", "tcpKeepAlive", "targetServerType",
            "stringtype", "reWriteBatchedInserts", "prepareThreshold", "user", "password");
    private static final Set<String> SQLITE = Set.of("journal_mode", "busy_timeout", "foreign_keys",
            "synchronous");

    private JdbcUrlParameters() {
    }

    /** What is wrong with the URL's parameters, if anything, in words a user can act on. */
    static Optional<String> problem(String url) {
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

    private static List<String> query(String url) {
        int q = url.indexOf('?');
        return q < 0 ? List.of() : names(url.substring(q + 1), "&", false);
    }

    private static List<String> names(String params, String separator, boolean upper) {
        List<String> names = new ArrayList<>();
        for (String param : params.split(java.util.regex.Pattern.quote(separator))) {
            if (param.isBlank()) {
                continue;
            }
            int eq = param.indexOf('=');
            String name = URLDecoder.decode(eq < 0 ? param : param.substring(0, eq), StandardCharsets.UTF_8).strip();
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
}
