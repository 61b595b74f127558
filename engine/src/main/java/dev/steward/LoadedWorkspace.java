package dev.steward;

import dev.steward.load.HomeLoader;
import dev.steward.model.Diagnostic;
import dev.steward.model.Workspace;
import dev.steward.plugin.EntityConfig;
import dev.steward.plugin.SystemConfig;
import dev.steward.run.Connectors;
import dev.steward.run.NoSuchRecordTypeException;

import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A workspace loaded and not running: its model and diagnostics, for {@code validate} and the
 * other one-shot commands, or to {@link #start} once its diagnostics have been shown. Keeps the
 * workspace's plugin jars open until closed (or, once started, until the engine closes).
 */
public final class LoadedWorkspace implements AutoCloseable {

    private final HomeLoader loader;
    private final Workspace workspace;
    /** Its transforms, still compiling (see {@link Engine#load(java.nio.file.Path, Engine.Options, boolean)}), or null. */
    private final dev.steward.run.PendingTransforms pending;
    private boolean started;

    LoadedWorkspace(HomeLoader loader, Workspace workspace, dev.steward.run.PendingTransforms pending) {
        this.loader = loader;
        this.workspace = workspace;
        this.pending = pending;
    }

    public Workspace workspace() {
        return workspace;
    }

    public List<Diagnostic> diagnostics() {
        return workspace.diagnostics();
    }

    /**
     * One record's native fields as a system holds it, read through a connector opened for this
     * call only; empty when the system has no such record.
     *
     * @throws NoSuchRecordTypeException when there is no such system or entity
     */
    public Optional<Map<String, Object>> readNative(String system, String entity, String key) {
        SystemConfig config = workspace.systems().get(system);
        if (config == null) {
            throw new NoSuchRecordTypeException("no system '" + system + "' (there are: "
                    + String.join(", ", new java.util.TreeSet<>(workspace.systems().keySet())) + ")");
        }
        EntityConfig entityConfig = config.entity(entity).orElseThrow(() -> new NoSuchRecordTypeException(
                "system '" + system + "' has no entity '" + entity + "'"));
        try (Connectors connectors = Connectors.open(Map.of(system, config), loader.factories(), workspace.home(),
                Clock.systemUTC())) {
            return connectors.get(system).orElseThrow().read(entityConfig, key);
        }
    }

    /**
     * Opens the store, activates the valid flows and (when {@link Engine.Options#runWorkers()})
     * starts the workers. The engine then owns the plugin jars. Once only.
     */
    public Engine start(Engine.Options options) {
        if (started) {
            throw new IllegalStateException("started already");
        }
        Engine engine = Engine.begin(workspace, loader, true, options, pending);
        started = true;
        return engine;
    }

    /**
     * Lets the transforms of a load that did not wait for them begin to compile (and the script
     * engine start): {@code steward serve} calls it once it listens, so that they do not compete
     * with the rest of the start for the CPU. The workers start once they have compiled. Nothing
     * for a load that compiled them at once.
     */
    public void compileTransforms() {
        if (pending != null) {
            pending.release();
        }
    }

    /** Closes the plugin jars and the transforms compiled for it, unless an engine was started with them (it closes them). */
    @Override
    public void close() {
        if (!started) {
            if (pending != null) {
                pending.closeAll();
            }
            loader.close();
        }
    }
}
