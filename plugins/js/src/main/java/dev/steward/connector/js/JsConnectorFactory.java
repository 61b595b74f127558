package dev.steward.connector.js;

import dev.steward.plugin.ConfigProblem;
import dev.steward.plugin.Connector;
import dev.steward.plugin.ConnectorContext;
import dev.steward.plugin.ConnectorException;
import dev.steward.plugin.ScriptLimits;
import dev.steward.plugin.SystemConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Makes {@code js} connectors: a system whose {@code read} and {@code upsert} are JavaScript
 * functions in a workspace file, run in the same sandbox as transforms.
 *
 * <p>System settings: {@code script} (required: a {@code .js} file inside the workspace that
 * defines {@code function read(entity, key, ctx)} and {@code function upsert(entity, key, fields,
 * ctx)}), {@code timeout} (per call, default {@code 5s}), {@code maxOutput} (characters of JSON a
 * read may return, default 1048576). Entities need no settings of their own. Stateless and
 * thread-safe; found through {@link java.util.ServiceLoader}.
 */
public final class JsConnectorFactory implements dev.steward.plugin.ConnectorFactory {

    private final JsEngine engine;

    public JsConnectorFactory() {
        this(null);
    }

    /** A factory on an engine of its own (tests). */
    public JsConnectorFactory(JsEngine engine) {
        this.engine = engine;
    }

    @Override
    public String type() {
        return "js";
    }

    @Override
    public List<ConfigProblem> validate(SystemConfig config) {
        List<ConfigProblem> problems = new ArrayList<>();
        JsSettings.read(config, problems);
        return List.copyOf(problems);
    }

    @Override
    public Connector create(SystemConfig config, ConnectorContext context) {
        List<ConfigProblem> problems = new ArrayList<>();
        JsSettings settings = JsSettings.read(config, problems);
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("system " + config.name() + " is not valid: "
                    + problems.getFirst().path() + ": " + problems.getFirst().message());
        }
        Path workspace = context.workspace().toAbsolutePath().normalize();
        Path file = workspace.resolve(settings.script()).normalize();
        if (!file.startsWith(workspace)) {
            throw new ConnectorException(config.name() + ": script " + settings.script()
                    + " is outside the workspace", false);
        }
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new ConnectorException(config.name() + ": cannot read script " + settings.script() + ": "
                    + e.getMessage(), false, e);
        }
        ScriptLimits limits = ScriptLimits.DEFAULTS.withTimeout(settings.timeout())
                .withMaxOutputChars(settings.maxOutput());
        ScriptPool pool = ScriptPool.compile(engine == null ? JsEngine.shared() : engine, settings.script(), text,
                List.of("read", "upsert"), limits, context.logger());
        return new JsConnector(config.name(), pool);
    }
}
