package dev.steward.connector.js;

import dev.steward.plugin.ConfigProblem;
import dev.steward.plugin.SystemConfig;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The settings of a {@code js} system, read once and checked. */
record JsSettings(String script, Duration timeout, int maxOutput) {

    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m)");

    static JsSettings read(SystemConfig config, List<ConfigProblem> problems) {
        String script = config.setting("script").orElse(null);
        if (script == null || script.isBlank()) {
            problems.add(new ConfigProblem("script", "a js system needs 'script': the workspace file that defines "
                    + "read(entity, key, ctx) and upsert(entity, key, fields, ctx)"));
        } else {
            try {
                Path path = Path.of(script);
                if (path.isAbsolute() || path.normalize().startsWith("..")) {
                    problems.add(new ConfigProblem("script", "'" + script + "' must be a path inside the workspace"));
                }
            } catch (InvalidPathException e) {
                problems.add(new ConfigProblem("script", "'" + script + "' is not a file path"));
            }
        }
        Duration timeout = Duration.ofSeconds(5);
        String rawTimeout = config.setting("timeout").orElse(null);
        if (rawTimeout != null) {
            Matcher m = DURATION.matcher(rawTimeout.trim());
            if (m.matches() && Long.parseLong(m.group(1)) > 0) {
                long n = Long.parseLong(m.group(1));
                timeout = switch (m.group(2)) {
                    case "ms" -> Duration.ofMillis(n);
                    case "s" -> Duration.ofSeconds(n);
                    default -> Duration.ofMinutes(n);
                };
            } else {
                problems.add(new ConfigProblem("timeout", "'" + rawTimeout + "' is not a positive duration such as 500ms, 5s or 1m"));
            }
        }
        int maxOutput = 1 << 20;
        Object rawMax = config.settings().get("maxOutput");
        if (rawMax != null) {
            if (rawMax instanceof Number n && n.longValue() > 0 && n.longValue() <= Integer.MAX_VALUE) {
                maxOutput = n.intValue();
            } else {
                problems.add(new ConfigProblem("maxOutput", "'" + rawMax + "' is not a positive number of characters"));
            }
        }
        return new JsSettings(script, timeout, maxOutput);
    }
}
