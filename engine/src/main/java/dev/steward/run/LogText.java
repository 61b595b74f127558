package dev.steward.run;

/**
 * A value from outside (a record key, a delivery id, a request path, a target's answer) made safe
 * to put into a log line: control characters and line separators are written as escapes
 * ({@code \r}, {@code \n}, {@code \t}, {@code \u001b}), so a value can never start a forged line
 * of its own or steer a terminal. The one place that does it; every log call that carries such a
 * value goes through {@link #of}.
 */
public final class LogText {

    private LogText() {
    }

    /** The value's text with control characters escaped; {@code "null"} for null. */
    public static String of(Object value) {
        String text = String.valueOf(value);
        StringBuilder out = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            String escape = escape(c);
            if (escape != null && out == null) {
                out = new StringBuilder(text.length() + 16).append(text, 0, i);
            }
            if (out != null) {
                out.append(escape != null ? escape : String.valueOf(c));
            }
        }
        return out == null ? text : out.toString();
    }

    /**
     * Logs a failure at ERROR: {@code line} (whose outside values went through {@link #of}), then the
     * failure with its stack trace. A failure whose message, or a cause's, holds control characters
     * (a {@code NumberFormatException} quoting a payload's text, say) is logged escaped on the line
     * instead, and its stack trace at DEBUG, since the trace would print the message raw.
     */
    public static void error(org.slf4j.Logger log, String line, Throwable failure) {
        if (plain(failure)) {
            log.error("{}", line, failure);
        } else {
            log.error("{}: {}", line, of(failure));
            log.debug("the stack trace of the failure above", failure);
        }
    }

    private static boolean plain(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            String text = t.toString();
            if (!of(text).equals(text)) {
                return false;
            }
        }
        return true;
    }

    private static String escape(char c) {
        return switch (c) {
            case '\r' -> "\\r";
            case '\n' -> "\\n";
            case '\t' -> "\\t";
            default -> Character.isISOControl(c) || c == '\u2028' || c == '\u2029'
                    ? String.format("\\u%04x", (int) c) : null;
        };
    }
}
