package dev.steward.host;

import dev.steward.Engine;
import dev.steward.UnavailableException;
import dev.steward.api.Preview;
import dev.steward.plugin.DurationSetting;
import dev.steward.run.Values;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * {@code steward preview}: the rules files on disk against the decisions the stored events
 * recorded when they ran (under the rules version each ran with): which field decisions would
 * change, how often, with sample events. Writes nothing; exits 0 whatever it finds (2 when the
 * store cannot be opened).
 */
@Command(name = "preview", mixinStandardHelpOptions = true,
        description = "Replay recent stored events through the rules files on disk and show which field decisions"
                + " would change against what the events recorded when they ran. Writes nothing.")
final class PreviewCommand implements Callable<Integer> {

    @Option(names = "--home", description = "The workspace folder (default: the current one).", defaultValue = ".")
    Path home;

    @Option(names = "--since", paramLabel = "DURATION", description = "Only events received this long ago or later (24h, 90m, 7d).")
    String since;

    @Option(names = "--limit", paramLabel = "N", description = "The newest N events (default: ${DEFAULT-VALUE}; at most 10000).",
            defaultValue = "1000")
    int limit;

    @Option(names = "--json", description = "Print the result as JSON (the shape of POST /api/preview).")
    boolean json;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = new PrintWriter(System.out, true);
        PrintWriter err = new PrintWriter(System.err, true);
        Optional<Duration> window = Optional.empty();
        if (since != null) {
            window = DurationSetting.parse(since);
            if (window.isEmpty()) {
                err.println("steward: --since must be a duration like 24h, 90m or 7d, not '" + since + "'");
                return 2;
            }
        }
        if (limit < 1 || limit > Preview.MAX_EVENTS) {
            err.println("steward: --limit must be from 1 to " + Preview.MAX_EVENTS);
            return 2;
        }
        Preview preview;
        try {
            preview = Engine.previewHome(home, window, limit);
        } catch (UnavailableException e) {
            err.println("steward: cannot open the store: " + ServeCommand.rootMessage(e));
            err.println("  With the embedded store, stop `steward serve` first, or use POST /api/preview.");
            return 2;
        }
        if (json) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("current", preview.current());
            body.put("draft", preview.draft());
            body.put("events", preview.events());
            body.put("changed", preview.changed());
            body.put("elapsedMs", preview.elapsedMs());
            body.put("flows", preview.flows());
            body.put("differences", preview.differences());
            if (!preview.notes().isEmpty()) {
                body.put("notes", preview.notes());
            }
            out.println(Values.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(body));
            return 0;
        }
        out.printf("rules on disk %s against %d stored events (last ran with rules %s): %d would be decided otherwise (%d ms)%n",
                preview.draft(), preview.events(), preview.current() == null ? "-" : preview.current(), preview.changed(),
                preview.elapsedMs());
        preview.notes().forEach(note -> out.println("note: " + note));
        if (preview.differences().isEmpty()) {
            out.println("no field decision changes");
            return 0;
        }
        String format = "%-16s %-24s %-22s %6s  %s%n";
        out.printf(format, "FLOW", "FIELD", "BEFORE -> AFTER", "COUNT", "DECIDED BY (before -> after); sample events");
        for (Preview.Difference d : preview.differences()) {
            out.printf(format, d.flow(), d.entity() + "." + d.field(), d.before() + " -> " + d.after(), d.count(),
                    (d.beforeBy() == null ? "-" : d.beforeBy()) + " -> " + (d.afterBy() == null ? "-" : d.afterBy())
                            + "; " + String.join(", ", d.samples()));
        }
        return 0;
    }
}
