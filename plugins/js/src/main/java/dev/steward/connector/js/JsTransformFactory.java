package dev.steward.connector.js;

import dev.steward.plugin.ScriptLimits;
import dev.steward.plugin.Transform;
import dev.steward.plugin.TransformFactory;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Compiles JavaScript transforms: a script that defines {@code function transform(record, ctx)}
 * and returns the new record as an object. Runs in a sandbox with no host classes, files,
 * network, threads or modules; {@code ctx} carries the caller's facts and a {@code log}
 * function. Each call starts from a clean scope: nothing one record leaves behind reaches the
 * next (see {@link ScriptPool}). Found through {@link java.util.ServiceLoader}; thread-safe.
 */
public final class JsTransformFactory implements TransformFactory {

    private static final System.Logger LOGGER = System.getLogger("dev.steward.transform");

    private final JsEngine engine;
    private final System.Logger logger;

    /**
     * The factory {@link java.util.ServiceLoader} makes: on the process's shared engine, made on
     * a background thread by {@link #prepare()} or at the first compile (see {@link JsEngine#prepareShared()}).
     */
    public JsTransformFactory() {
        this(null);
    }

    /** Starts making the shared engine on a background thread (for a workspace with scripts). */
    @Override
    public void prepare() {
        if (engine == null) {
            JsEngine.prepareShared();
        }
    }

    /** A factory on an engine of its own (tests, benchmarks). */
    public JsTransformFactory(JsEngine engine) {
        this(engine, LOGGER);
    }

    /** A factory whose scripts log to {@code logger} (tests). */
    JsTransformFactory(JsEngine engine, System.Logger logger) {
        this.engine = engine;
        this.logger = logger;
    }

    @Override
    public String language() {
        return "js";
    }

    @Override
    public Transform compile(String name, String source, ScriptLimits limits) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(limits, "limits");
        JsEngine on = engine == null ? JsEngine.shared() : engine;
        return new JsTransform(ScriptPool.compile(on, name, source, List.of("transform"), limits, logger));
    }

    private record JsTransform(ScriptPool pool) implements Transform {

        @Override
        public String name() {
            return pool.name();
        }

        @Override
        public Map<String, Object> apply(Map<String, Object> record, Map<String, Object> context) {
            Objects.requireNonNull(record, "record");
            return pool.call("transform", List.of(record), context == null ? Map.of() : context,
                    (result, maxChars) -> GuestValues.object(result, maxChars, "the result of transform"));
        }

        @Override
        public void close() {
            pool.close();
        }
    }
}
