package dev.steward.plugin;

import java.util.OptionalInt;

/**
 * One call into a user's script failed: it ran past its time or memory budget, threw, reached
 * for something the sandbox forbids, or returned something Steward cannot take. The script stays
 * usable for the next call. Not retryable: the same record would fail the same way, so the event
 * goes to the dead letters with {@link #getMessage()}, which names the script and, where known,
 * the line.
 */
public class ScriptFailedException extends ConnectorException {

    /** Why the call failed. */
    public enum Reason {
        /** Ran past {@link ScriptLimits#timeout()} and was cancelled. */
        TIMEOUT,
        /** Allocated more than {@link ScriptLimits#maxAllocatedBytes()} and was cancelled. */
        MEMORY,
        /** Returned a result larger than {@link ScriptLimits#maxOutputChars()}. */
        OUTPUT_TOO_LARGE,
        /** Returned something other than what the caller expects (not an object, a function...). */
        BAD_RESULT,
        /** Reached for something the sandbox does not offer (host classes, files, modules). */
        FORBIDDEN,
        /** Threw an error of its own (a {@code throw}, a TypeError...). */
        THREW
    }

    private final String script;
    private final int line;
    private final Reason reason;

    /**
     * @param script the script's name
     * @param line   1-based line where it failed, or 0 when unknown
     */
    public ScriptFailedException(String script, int line, Reason reason, String message, Throwable cause) {
        super(script + (line > 0 ? ":" + line : "") + ": " + message, false, cause);
        this.script = script;
        this.line = line;
        this.reason = reason;
    }

    public String script() {
        return script;
    }

    public OptionalInt line() {
        return line > 0 ? OptionalInt.of(line) : OptionalInt.empty();
    }

    public Reason reason() {
        return reason;
    }
}
