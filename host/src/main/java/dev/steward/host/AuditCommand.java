package dev.steward.host;

import dev.steward.Engine;
import dev.steward.LoadedWorkspace;
import dev.steward.UnavailableException;
import dev.steward.api.AuditReport;
import dev.steward.api.AuditRequest;
import dev.steward.plugin.ConnectorException;
import dev.steward.run.AlertSink;
import dev.steward.run.NoSuchRecordTypeException;
import dev.steward.run.RetryPolicy;
import dev.steward.run.Values;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;

/**
 * {@code steward audit --entity E}: reads the entity's records from every system that holds it and
 * compares each mastered field, master against subscribers; prints each divergence with its last
 * sync and when the values parted. Exit 0 when everything agrees, 1 when something differs, 2 on
 * an error, so that it can run on a schedule. {@code --repair} lists the master's values each
 * subscriber needs; {@code --apply} writes them through events of the master's flow.
 */
@Command(name = "audit", mixinStandardHelpOptions = true,
        description = "Compare the mastered fields of an entity across its systems; exit 0 if they agree, 1 if not, 2 on error.")
final class AuditCommand implements Callable<Integer> {

    @Option(names = "--home", description = "The workspace folder (default: the current one).", defaultValue = ".")
    Path home;

    @Option(names = "--entity", required = true, description = "The entity to audit (customer, product).")
    String entity;

    @Option(names = "--sample", paramLabel = "N", description = "Compare a random sample of N records (default: 100).")
    Integer sample;

    @Option(names = "--all", description = "Compare every record of every system that holds the entity.")
    boolean all;

    @Option(names = "--json", description = "Print the report as JSON instead of a table.")
    boolean json;

    @Option(names = "--html", paramLabel = "FILE", description = "Also write a self-contained HTML report to FILE.")
    Path html;

    @Option(names = "--repair", description = "List the master's values each subscriber needs (a dry run without --apply).")
    boolean repair;

    @Option(names = "--apply", description = "With --repair: write them, through events of the master's flow, and wait for them.")
    boolean apply;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = new PrintWriter(System.out, true);
        PrintWriter err = new PrintWriter(System.err, true);
        if (!Files.isDirectory(home)) {
            err.println("steward: no workspace folder " + home.toAbsolutePath());
            return 2;
        }
        if (all && sample != null) {
            err.println("steward: --sample and --all exclude each other");
            return 2;
        }
        if (apply && !repair) {
            err.println("steward: --apply goes with --repair");
            return 2;
        }
        AuditRequest request;
        try {
            request = new AuditRequest(entity, sample == null ? AuditRequest.DEFAULT_SAMPLE : sample, all, repair, apply);
        } catch (IllegalArgumentException e) {
            err.println("steward: " + e.getMessage());
            return 2;
        }
        // Workers only to run the repairs it enqueues; a read-only audit runs nothing.
        Engine.Options options = new Engine.Options(Clock.systemUTC(), new SplittableRandom(), new SimpleMeterRegistry(),
                "cli-audit", RetryPolicy.DEFAULT, apply, AlertSink.NONE);
        LoadedWorkspace loaded = Engine.load(home, options);
        if (loaded.workspace().hasErrors()) {
            ServeCommand.print(loaded.workspace(), err);
        }
        Engine engine;
        try {
            engine = loaded.start(options);
        } catch (UnavailableException e) {
            loaded.close();
            err.println("steward: cannot open the store: " + ServeCommand.rootMessage(e));
            err.println("  With the embedded store, stop `steward serve` first, or ask the running host: POST /api/audits.");
            return 2;
        } catch (RuntimeException e) {
            loaded.close();
            err.println("steward: cannot start: " + ServeCommand.rootMessage(e));
            return 2;
        }
        AuditReport report;
        try (engine; TerminalProgress progress = TerminalProgress.on(err, System.console() != null)) {
            report = engine.audits().run(request, progress);
        } catch (NoSuchRecordTypeException | ConnectorException e) {
            err.println("steward: " + e.getMessage());
            return 2;
        } catch (UnavailableException e) {
            err.println("steward: the store failed: " + ServeCommand.rootMessage(e));
            return 2;
        }
        if (json) {
            out.println(Values.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(report));
        } else {
            AuditText.print(report, out);
        }
        if (html != null) {
            Files.writeString(html, AuditHtml.page(java.util.List.of(report)), StandardCharsets.UTF_8);
            if (!json) {
                out.println("HTML report: " + html.toAbsolutePath().normalize());
            }
        }
        return report.agrees() ? 0 : 1;
    }
}
