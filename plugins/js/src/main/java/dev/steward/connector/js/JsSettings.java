package dev.steward.connector.js;

import dev.steward.plugin.ConfigProblem;
import dev.steward.plugin.SystemConfig;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import dev.steward.plugin.DurationSetting;
import java.time.Duration;
import java.util.List;

/** The settings of a {@code js} system, read once and checked. */
record JsSettings(String script, Duration timeout, int maxOutput) {


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
        Object rawTimeout = config.settings().get("timeout");
        if (rawTimeout != null) {
            java.util.Optional<Duration> parsed = DurationSetting.parse(rawTimeout);
            if (parsed.isPresent()) {
                timeout = parsed.get();
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
