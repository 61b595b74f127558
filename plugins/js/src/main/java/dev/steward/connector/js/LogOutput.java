package dev.steward.connector.js;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * A script's {@code console.log} and {@code print}: each line goes to its {@link ScriptLog},
 * cut at {@link ScriptLog#MAX_LINE} bytes so that a script cannot fill the heap through its
 * output. Used by one context, so by one thread at a time.
 */
final class LogOutput extends OutputStream {

    private final ScriptLog log;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();
    private boolean cut;

    LogOutput(ScriptLog log) {
        this.log = log;
    }

    @Override
    public void write(int b) {
        if (b == '\n') {
            flushLine();
        } else if (line.size() < ScriptLog.MAX_LINE) {
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
        log.line(text);
    }
}
