package dev.steward.host;

import dev.steward.load.PluginJars;
import dev.steward.load.WorkspaceLoader;
import dev.steward.model.Diagnostic;
import dev.steward.model.Workspace;
import dev.steward.plugin.ConnectorFactory;
import dev.steward.plugin.TransformFactory;
import dev.steward.rules.RuleSetCompiler;
import dev.steward.run.Connectors;
import dev.steward.run.Transforms;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;

/**
 * Loads a workspace the way every command does: the connectors on the class path plus the
 * workspace's plugin jars, the transform languages on the class path. Keeps the plugins' class
 * loaders open until closed, after the engine that uses them.
 */
final class Workspaces implements AutoCloseable {

    private final Map<String, ConnectorFactory> builtIns = Connectors.discover(Workspaces.class.getClassLoader());
    final Map<String, TransformFactory> transforms = Transforms.discover(Workspaces.class.getClassLoader());
    /** Made by the first load: it keeps compiled DRL under that workspace's {@code data/cache/drl}. */
    RuleSetCompiler compiler;
    private PluginJars plugins;

    Workspace load(Path home) {
        return load(home, null);
    }

    /** Loads as if {@code host.bind} were {@code bind} when that is not null ({@code serve --bind}). */
    Workspace load(Path home, String bind) {
        if (plugins != null) {
            plugins.close();
        }
        plugins = PluginJars.open(home, builtIns, Workspaces.class.getClassLoader());
        if (compiler == null) {
            compiler = new RuleSetCompiler(RuleSetCompiler.DEFAULT_MAX_FIRINGS, RuleSetCompiler.DEFAULT_CACHE_SIZE,
                    RuleSetCompiler.DEFAULT_BUDGET, home.toAbsolutePath().normalize().resolve("data").resolve("cache").resolve("drl"));
        }
        return new WorkspaceLoader(plugins.factories(), transforms, compiler, System::getenv).load(home, plugins.diagnostics(), bind);
    }

    /** The connector factories of the last workspace loaded: built in and from its plugin jars. */
    Map<String, ConnectorFactory> factories() {
        return plugins == null ? builtIns : plugins.factories();
    }

    static void print(Workspace workspace, PrintWriter out) {
        for (Diagnostic diagnostic : workspace.diagnostics()) {
            out.println(diagnostic);
        }
        out.flush();
    }

    @Override
    public void close() {
        if (plugins != null) {
            plugins.close();
        }
    }
}
