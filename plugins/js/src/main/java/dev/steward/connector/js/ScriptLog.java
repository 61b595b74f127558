package dev.steward.connector.js;

import java.nio.charset.StandardCharsets;

/**
 * Where one context's script logs ({@code ctx.log}, {@code console.log}, {@code print}): each
 * line to the script's logger at INFO, prefixed with the script's name, control characters
 * escaped (a CR or LF in a value cannot forge a log line), cut at {@link #MAX_LINE} characters.
 * One call may log {@link #MAX_LINES} lines and {@link #MAX_BYTES} bytes; the rest is dropped
 * and counted in one line when the call ends. Used by one context, so by one thread at a time.
 */
final class ScriptLog {

    static final int MAX_LINE = 2000;
    static final int MAX_LINES = 100;
    static final int MAX_BYTES = 16 * 1024;

    private final System.Logger logger;
    private final String script;
    private int lines;
    private int bytes;
    private int dropped;

    ScriptLog(System.Logger logger, String script) {
        this.logger = logger;
        this.script = script;
    }

    /** A call starts: its budget is whole again. */
    void start() {
        lines = 0;
        bytes = 0;
        dropped = 0;
    }

    void line(String text) {
        String shown = escape(text.length() > MAX_LINE ? text.substring(0, MAX_LINE) + "…" : text);
        int size = shown.getBytes(StandardCharsets.UTF_8).length;
        if (dropped > 0 || lines >= MAX_LINES || bytes + size > MAX_BYTES) {
            dropped++;
            return;
        }
        lines++;
        bytes += size;
        logger.log(System.Logger.Level.INFO, "{0}: {1}", script, shown);
    }

    /** A call ended: says how much of its output was dropped, if any was. */
    void end() {
        if (dropped > 0) {
            logger.log(System.Logger.Level.WARNING, "{0}: {1} more log lines of this call dropped (a call may log {2}"
                    + " lines and {3} KiB)", script, Integer.toString(dropped), Integer.toString(MAX_LINES),
                    Integer.toString(MAX_BYTES / 1024));
            dropped = 0;
        }
    }

    /** CR, LF and the other control characters (and U+2028, U+2029) as escapes: one call, one line each. */
    static String escape(String text) {
        StringBuilder out = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean control = Character.isISOControl(c) || c == '\u2028' || c == '\u2029';
            if (control && out == null) {
                out = new StringBuilder(text.length() + 16).append(text, 0, i);
            }
            if (out == null) {
                continue;
            }
            if (!control) {
                out.append(c);
            } else if (c == '\n') {
                out.append("\\n");
            } else if (c == '\r') {
                out.append("\\r");
            } else if (c == '\t') {
                out.append("\\t");
            } else {
                out.append(String.format("\\u%04x", (int) c));
            }
        }
        return out == null ? text : out.toString();
    }
}
