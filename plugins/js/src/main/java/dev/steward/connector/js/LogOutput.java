package dev.steward.connector.js;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * A script's {@code console.log} and {@code print}: each line goes to the script's logger at
 * INFO, cut at {@link #MAX_LINE} bytes so that a script cannot fill the heap through its output.
 * Used by one context, so by one thread at a time.
 */
final class LogOutput extends OutputStream {

    static final int MAX_LINE = 2000;

    private final System.Logger logger;
    private final String script;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();
    private boolean cut;

    LogOutput(System.Logger logger, String script) {
        this.logger = logger;
        this.script = script;
    }

    @Override
    public void write(int b) {
        if (b == '\n') {
            flushLine();
        } else if (line.size() < MAX_LINE) {
            line.write(b);
        } else {
            cut = true;
        }
    }

    @Override
    public void flush() {
        if (line.size() > 0) {
            flushLine();
        }
    }

    private void flushLine() {
        String text = line.toString(StandardCharsets.UTF_8) + (cut ? "…" : "");
        line.reset();
        cut = false;
        log(logger, script, text);
    }

    static void log(System.Logger logger, String script, String text) {
        String shown = text.length() > MAX_LINE ? text.substring(0, MAX_LINE) + "…" : text;
        logger.log(System.Logger.Level.INFO, "{0}: {1}", script, shown);
    }
}
