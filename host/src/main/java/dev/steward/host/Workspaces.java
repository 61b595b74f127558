package dev.steward.host;

import dev.steward.load.WorkspaceLoader;
import dev.steward.model.Diagnostic;
import dev.steward.model.Workspace;
import dev.steward.plugin.ConnectorFactory;
import dev.steward.rules.RuleSetCompiler;
import dev.steward.run.Connectors;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;

/** Loads a workspace the way every command does, with the connectors on the class path. */
final class Workspaces {

    final Map<String, ConnectorFactory> factories = Connectors.discover(Workspaces.class.getClassLoader());
    final RuleSetCompiler compiler = new RuleSetCompiler();

    Workspace load(Path home) {
        return new WorkspaceLoader(factories, compiler, System::getenv).load(home);
    }

    static void print(Workspace workspace, PrintWriter out) {
        for (Diagnostic diagnostic : workspace.diagnostics()) {
            out.println(diagnostic);
        }
        out.flush();
    }
}
