package dev.steward.plugin;

/**
 * A user's script could not be compiled: it does not parse, or it does not define the function
 * Steward calls. Thrown when the script is loaded, never while an event runs; the loader turns it
 * into a diagnostic at {@link #script()}:{@link #line()}:{@link #column()}. Not retryable: the
 * file must change.
 */
public class ScriptRejectedException extends ConnectorException {

    private final String script;
    private final int line;
    private final int column;
    private final String reason;

    /**
     * @param script the script's name as given to the compiler (a workspace path)
     * @param line   1-based line of the problem, or 0 when the script as a whole is at fault
     * @param column 1-based column, or 0 when unknown
     * @param reason what is wrong, without the location
     */
    public ScriptRejectedException(String script, int line, int column, String reason, Throwable cause) {
        super(script + ":" + line + ":" + column + ": " + reason, false, cause);
        this.script = script;
        this.line = line;
        this.column = column;
        this.reason = reason;
    }

    public String script() {
        return script;
    }

    public int line() {
        return line;
    }

    public int column() {
        return column;
    }

    /** The problem in words, without the location (for a diagnostic that carries it apart). */
    public String reason() {
        return reason;
    }
}
