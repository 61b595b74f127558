package dev.steward.host;

import dev.steward.Engine;
import dev.steward.StewardException;
import dev.steward.api.BatchProgress;
import dev.steward.api.BatchRefusedException;
import dev.steward.api.BatchRequest;
import dev.steward.api.BatchSummary;
import dev.steward.api.FirstSyncReport;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code steward batch}: a CSV or JSON Lines file, or a system's listing, through a flow, written
 * in bulk, resumable after an interruption. A progress bar on a terminal, plain lines otherwise,
 * a summary at the end. Exits 0 when every record went through, 1 when some were rejected (the
 * count is printed), 2 when the batch could not run, 130 when stopped by Ctrl-C (run it again to
 * go on).
 */
@Command(name = "batch", mixinStandardHelpOptions = true,
        description = "Run a CSV/JSONL file, or a system's records, through a flow: bulk writes, resumable.")
final class BatchCommand implements Callable<Integer> {

    @Option(names = "--home", description = "The workspace folder (default: the current one).", defaultValue = ".")
    Path home;

    @Option(names = "--flow", required = true, description = "The flow the records go through (crm-customer).")
    String flow;

    @ArgGroup(multiplicity = "1")
    Source source;

    static final class Source {
        @Option(names = "--input", description = "A .csv file (header row first) or a .jsonl file (one object a line).")
        Path input;

        @Option(names = "--from", description = "A system whose records to list through its connector.")
        String from;
    }

    @Option(names = "--dry-run", description = "Report what the batch would do (records matched in each system,"
            + " duplicate keys, mastership conflicts, invalid records); write nothing.")
    boolean dryRun;

    @Option(names = "--chunk", description = "Records per bulk write and checkpoint (default: ${DEFAULT-VALUE}).",
            defaultValue = "" + BatchRequest.DEFAULT_CHUNK)
    int chunk;

    @Option(names = "--concurrency", description = "Requests at once to a target written a record at a time (http;"
            + " default: ${DEFAULT-VALUE}).", defaultValue = "" + BatchRequest.DEFAULT_CONCURRENCY)
    int concurrency;

    @Option(names = "--rejects", description = "Where rejected records go (default: <input>.rejects.jsonl, or"
            + " data/batch/<flow>-<system>.rejects.jsonl).")
    Path rejects;

    @Option(names = "--restart", description = "Start from the first record even if an earlier run stopped midway.")
    boolean restart;

    /** The environment, for ${VARIABLE}s in the workspace's files; tests give their own. */
    java.util.function.Function<String, String> env = System::getenv;

    @Override
    public Integer call() throws Exception {
        PrintStream out = System.out;
        PrintStream err = System.err;
        BatchRequest request;
        try {
            request = new BatchRequest(flow, Optional.ofNullable(source.input), Optional.ofNullable(source.from), dryRun,
                    chunk, concurrency, Optional.ofNullable(rejects), restart);
        } catch (IllegalArgumentException e) {
            err.println("steward: " + e.getMessage());
            return 2;
        }
        Progress progress = new Progress(err, System.console() != null);
        CountDownLatch finished = new CountDownLatch(1);
        Thread hook = Thread.ofPlatform().unstarted(() -> {
            progress.stop.set(true);
            try {
                // Let the chunk under way commit, so that the next run goes on after it.
                finished.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            BatchSummary summary = Engine.batch(home, Engine.Options.oneShot(env), request, progress);
            progress.end();
            summary.report().ifPresent(report -> print(report, out));
            print(summary, out);
            if (progress.stop.get()) {
                err.println("steward: stopped after record " + summary.records() + "; run the same command again to go on");
                return 130;
            }
            if (summary.rejected() > 0) {
                err.println("steward: " + summary.rejected() + " records " + (dryRun ? "would be " : "")
                        + "rejected" + summary.rejectsFile().map(f -> "; see " + f).orElse(""));
                return 1;
            }
            return 0;
        } catch (BatchRefusedException e) {
            progress.end();
            err.println("steward: " + e.getMessage());
            return 2;
        } catch (java.io.IOException e) {
            progress.end();
            err.println("steward: " + e.getMessage());
            return 2;
        } catch (dev.steward.UnavailableException e) {
            progress.end();
            err.println("steward: the store cannot be reached: " + e.getMessage() + "\nsteward: an embedded store cannot"
                    + " be shared with a running steward serve; run the same command again to go on after the last"
                    + " committed chunk");
            return 2;
        } catch (StewardException e) {
            progress.end();
            err.println("steward: the batch stopped: " + e.getMessage()
                    + (dryRun ? "" : "\nsteward: run the same command again to go on after the last committed chunk"));
            return 2;
        } finally {
            finished.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running: it waited for us
            }
        }
    }

    static void print(BatchSummary s, PrintStream out) {
        double seconds = Math.max(1, s.millis()) / 1000.0;
        long thisRun = s.records() - s.resumedFrom();
        out.printf(Locale.ROOT, "%sbatch %s, flow %s, %s: %,d records, %,d %s, %,d unchanged, %,d rejected"
                        + " (%,d in %.1f s, %,.0f records/s%s)%n",
                s.report().isPresent() ? "dry run of " : "", s.batchId(), s.flowId(), s.input(), s.records(), s.written(),
                s.report().isPresent() ? "would be written" : "written", s.unchanged(), s.rejected(), thisRun, seconds,
                thisRun / seconds, s.resumedFrom() > 0 ? ", resumed after record " + s.resumedFrom() : "");
        s.rejectsFile().ifPresent(f -> out.println("rejected records: " + f));
    }

    static void print(FirstSyncReport r, PrintStream out) {
        out.printf(Locale.ROOT, "first-sync report (nothing written): %,d records%n", r.records());
        r.matched().forEach((system, n) -> out.printf(Locale.ROOT, "  %s: %,d matched by key, %,d missing%n", system, n,
                r.missing().getOrDefault(system, 0L)));
        r.wouldWrite().forEach((system, n) -> out.printf(Locale.ROOT, "  would write %,d records to %s%n", n, system));
        out.printf(Locale.ROOT, "  duplicate keys: %,d%n", r.duplicateKeys());
        r.duplicateExamples().forEach(d -> out.println("    " + d));
        out.printf(Locale.ROOT, "  mastership conflicts (a subscriber holds another value than the master): %,d%n",
                r.conflicts());
        r.conflictExamples().forEach(c -> out.printf("    %s %s: %s (master) has %s, %s has %s%n", c.key(), c.field(),
                c.master(), c.masterValue(), c.subscriber(), c.subscriberValue()));
        out.printf(Locale.ROOT, "  invalid records: %,d%n", r.invalid());
        r.invalidExamples().forEach(i -> out.println("    " + i.at() + (i.key() == null ? "" : " " + i.key()) + ": "
                + i.reason()));
    }

    /** A bar on a terminal (count, rate, ETA), redrawn at most every 200 ms; a line every 5 s otherwise. */
    static final class Progress implements BatchProgress {
        final AtomicBoolean stop = new AtomicBoolean();
        private final PrintStream err;
        private final boolean terminal;
        private long started = System.nanoTime();
        private long resumedFrom;
        private double fractionAtStart;
        private long shown;
        private boolean drawn;

        Progress(PrintStream err, boolean terminal) {
            this.err = err;
            this.terminal = terminal;
        }

        @Override
        public void begin(long resumedFrom, double fraction) {
            this.started = System.nanoTime();
            this.shown = started;
            this.resumedFrom = resumedFrom;
            this.fractionAtStart = Math.max(0, fraction);
        }

        @Override
        public void update(long records, long written, long rejected, double fraction) {
            long now = System.nanoTime();
            if (now - shown < (terminal ? 200_000_000L : 5_000_000_000L)) {
                return;
            }
            shown = now;
            double seconds = (now - started) / 1e9;
            double rate = (records - resumedFrom) / Math.max(seconds, 1e-3);
            double done = fraction - fractionAtStart;
            String eta = fraction > 0 && fraction < 1 && done > 0
                    ? " ETA " + clock((long) (seconds / done * (1 - fraction))) : "";
            if (terminal) {
                int width = 30;
                int full = fraction < 0 ? 0 : (int) Math.round(fraction * width);
                String bar = fraction < 0 ? "" : "[" + "#".repeat(full) + " ".repeat(width - full) + "] "
                        + String.format(Locale.ROOT, "%3.0f%% ", fraction * 100);
                err.printf(Locale.ROOT, "\r%s%,d records, %,d written, %,d rejected, %,.0f/s%s   ", bar, records, written,
                        rejected, rate, eta);
                drawn = true;
            } else {
                err.printf(Locale.ROOT, "batch: %,d records%s, %,d written, %,d rejected, %,.0f/s%s%n", records,
                        fraction < 0 ? "" : String.format(Locale.ROOT, " (%.0f%%)", fraction * 100), written, rejected,
                        rate, eta);
            }
        }

        @Override
        public boolean stopRequested() {
            return stop.get();
        }

        void end() {
            if (drawn) {
                err.println();
                drawn = false;
            }
        }

        private static String clock(long seconds) {
            return seconds >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", seconds / 3600, seconds / 60 % 60, seconds % 60)
                    : String.format(Locale.ROOT, "%d:%02d", seconds / 60, seconds % 60);
        }
    }
}
