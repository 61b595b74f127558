package dev.steward.host;

import dev.steward.api.AuditProgress;

import java.io.PrintWriter;

/**
 * A long command's progress on stderr: a bar redrawn in place on a terminal, plain lines
 * otherwise (a log, a pipe, cron), one when a phase starts and at each tenth of a known total.
 * Redraws at most every 100 ms. Closing it ends the bar's line. Used from one thread.
 */
final class TerminalProgress implements AuditProgress, AutoCloseable {

    private static final int WIDTH = 30;

    private final PrintWriter err;
    private final boolean terminal;
    private String phase;
    private long lastDraw;
    private long lastTenth = -1;
    private boolean drawn;

    private TerminalProgress(PrintWriter err, boolean terminal) {
        this.err = err;
        this.terminal = terminal;
    }

    static TerminalProgress on(PrintWriter err, boolean terminal) {
        return new TerminalProgress(err, terminal);
    }

    @Override
    public void step(String phase, long done, long total) {
        boolean newPhase = !phase.equals(this.phase);
        if (newPhase) {
            endLine();
            this.phase = phase;
            lastTenth = -1;
        }
        boolean finished = total >= 0 && done >= total;
        if (terminal) {
            long now = System.nanoTime();
            if (!newPhase && !finished && now - lastDraw < 100_000_000L) {
                return;
            }
            lastDraw = now;
            err.print("\r" + line(phase, done, total));
            err.flush();
            drawn = true;
        } else {
            long tenth = total > 0 ? done * 10 / total : -1;
            if (newPhase || (tenth != lastTenth && total > 0)) {
                lastTenth = tenth;
                err.println(plain(phase, done, total));
            }
        }
    }

    static String line(String phase, long done, long total) {
        if (total < 0) {
            return String.format(java.util.Locale.ROOT, "%-14s %,d records", phase, done);
        }
        int filled = total == 0 ? WIDTH : (int) Math.min(WIDTH, done * WIDTH / total);
        return String.format(java.util.Locale.ROOT, "%-14s [%s%s] %,d/%,d", phase, "#".repeat(filled), " ".repeat(WIDTH - filled), done, total);
    }

    static String plain(String phase, long done, long total) {
        return total < 0 ? "audit: " + phase + ": " + done + " records so far"
                : "audit: " + phase + ": " + done + "/" + total + (total > 0 ? " (" + done * 100 / total + "%)" : "");
    }

    private void endLine() {
        if (drawn) {
            err.println();
            drawn = false;
        }
    }

    @Override
    public void close() {
        endLine();
        err.flush();
    }
}
