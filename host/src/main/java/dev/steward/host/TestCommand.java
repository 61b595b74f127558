package dev.steward.host;

import dev.steward.load.ScenarioReader;
import dev.steward.model.Diagnostic;
import dev.steward.model.Workspace;
import dev.steward.scenario.JUnitReport;
import dev.steward.scenario.Scenario;
import dev.steward.scenario.ScenarioResult;
import dev.steward.scenario.ScenarioRunner;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

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
        Path root = home.toAbsolutePath().normalize();
        List<Path> chosen = files.isEmpty() ? discover(root) : files.stream().map(f -> resolve(root, f)).toList();
        int problems = 0;
        List<ScenarioResult> results = new ArrayList<>();
        try (Workspaces workspaces = new Workspaces()) {
            Workspace workspace = workspaces.load(root);
            ScenarioRunner runner = new ScenarioRunner(workspace, workspaces.compiler);
            for (Path file : chosen) {
                String relative = file.startsWith(root) ? root.relativize(file).toString().replace('\\', '/') : file.toString();
                if (!Files.isRegularFile(file)) {
                    out.println(relative + ": error: no such scenario file");
                    problems++;
                    continue;
                }
                ScenarioReader.ScenarioFile read = ScenarioReader.read(file, relative);
                for (Diagnostic diagnostic : read.diagnostics()) {
                    out.println(diagnostic);
                    problems += diagnostic.isError() ? 1 : 0;
                }
                for (Scenario scenario : read.scenarios()) {
                    ScenarioResult result = runner.run(scenario);
                    results.add(result);
                    out.println(scenario.location() + ": " + (result.passed() ? "PASS " : "FAIL ") + scenario.name());
                    result.differences().forEach(d -> out.println("    " + d));
                }
            }
        }
        long failed = results.stream().filter(r -> !r.passed()).count();
        out.printf("%d scenarios: %d passed, %d failed%s%n", results.size(), results.size() - failed, failed,
                problems == 0 ? "" : "; " + problems + " errors in scenario files");
        if (junit != null) {
            Files.writeString(junit, JUnitReport.xml(results), StandardCharsets.UTF_8);
        }
        return failed == 0 && problems == 0 ? 0 : 1;
    }

    private static List<Path> discover(Path root) throws IOException {
        Path folder = root.resolve("rules/tests");
        if (!Files.isDirectory(folder)) {
            return List.of();
        }
        try (Stream<Path> list = Files.list(folder)) {
            return list.filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml"))
                    .sorted(Comparator.comparing(Path::toString)).toList();
        }
    }

    /** A file as given, or else under the workspace ({@code rules/tests/x.yaml} from anywhere). */
    private static Path resolve(Path root, Path file) {
        Path given = file.toAbsolutePath().normalize();
        return Files.exists(given) || file.isAbsolute() ? given : root.resolve(file).normalize();
    }
}
