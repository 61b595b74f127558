package dev.steward.plugin;

/**
 * Compiles user functions of one language ({@code js}) into {@link Transform}s.
 *
 * <p>Lifecycle: found once per process through {@link java.util.ServiceLoader} (a file
 * {@code META-INF/services/dev.steward.plugin.TransformFactory} in the plugin's jar) and kept for
 * the process's life; compiling is the expensive part, so Steward compiles when a workspace loads
 * and never while an event runs. Thread safety: thread-safe; factories may cache shared machinery
 * (a language engine) but hold no per-workspace state.
 */
public interface TransformFactory {

    /** The language this factory compiles, as a flow names it ({@code js}). */
    String language();

    /**
     * Compiles a script that defines the transform function.
     *
     * @param name   the script's name in messages: its workspace path ({@code transforms/x.js})
     * @param source the script's text
     * @throws ScriptRejectedException when the script does not parse or defines no transform
     *                                 function, with the line and column
     */
    Transform compile(String name, String source, ScriptLimits limits);

    /**
     * Starts making what compiling needs (a language engine) in the background, without
     * waiting: Steward calls it when a workspace it is about to load runs scripts, so that the
     * engine's start overlaps the rest of the load. A process that never loads scripts (most
     * commands) never pays for the engine. The default does nothing.
     */
    default void prepare() {
    }

    /** {@link #compile(String, String, ScriptLimits)} with {@link ScriptLimits#DEFAULTS}. */
    default Transform compile(String name, String source) {
        return compile(name, source, ScriptLimits.DEFAULTS);
    }
}
