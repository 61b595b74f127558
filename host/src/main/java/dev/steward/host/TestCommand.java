package dev.steward.host;

import dev.steward.Engine;
import dev.steward.api.ScenarioRun;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code steward test}: runs the rule scenarios ({@code rules/tests/*.yaml}, or the files named),
 * prints each with pass or fail and the differences, and exits 1 if any fails.
 */
@Command(name = "test", mixinStandardHelpOptions = true,
        description = "Run the rule scenarios (rules/tests/*.yaml): expected decisions per field; exit 1 on any failure.")
final class TestCommand implements Callable<Integer> {

    @Option(names = "--home", description = "The workspace folder (default: the current one).", defaultValue = ".")
    Path home;

    @Option(names = "--junit", paramLabel = "FILE", description = "Also write the results as JUnit XML to FILE.")
    Path junit;

    @Parameters(paramLabel = "FILE", arity = "0..*", description = "Scenario files (default: every rules/tests/*.yaml).")
    List<Path> files = new ArrayList<>();

    @Override
    public Integer call() throws IOException {
        PrintWriter out = new PrintWriter(System.out, true);
        ScenarioRun run = Engine.testScenarios(home, files);
        run.lines().forEach(out::println);
        out.printf("%d scenarios: %d passed, %d failed%s%n", run.scenarios(), run.scenarios() - run.failed(), run.failed(),
                run.problems() == 0 ? "" : "; " + run.problems() + " errors in scenario files");
        if (junit != null) {
            Files.writeString(junit, run.junitXml(), StandardCharsets.UTF_8);
        }
        return run.passed() ? 0 : 1;
    }
}
