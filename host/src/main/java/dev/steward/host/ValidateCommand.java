package dev.steward.host;

import dev.steward.Engine;
import dev.steward.model.Diagnostic;
import dev.steward.model.Workspace;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code steward validate}: checks every flow and rule file; exits 1 on any error. */
@Command(name = "validate", mixinStandardHelpOptions = true,
        description = "Check steward.yaml, every flow and every rule file; print file:line:column messages.")
final class ValidateCommand implements Callable<Integer> {

    @Option(names = "--home", description = "The workspace folder (default: the current one).", defaultValue = ".")
    Path home;

    @Override
    public Integer call() {
        Workspace workspace = Engine.check(home);
        PrintWriter out = new PrintWriter(System.out, true);
        ServeCommand.print(workspace, out);
        long errors = workspace.diagnostics().stream().filter(Diagnostic::isError).count();
        long warnings = workspace.diagnostics().size() - errors;
        out.printf("%s: %d flows valid, %d with errors; %d errors, %d warnings%n", workspace.home(),
                workspace.flows().size(), workspace.brokenFlows().size(), errors, warnings);
        return errors == 0 ? 0 : 1;
    }
}
