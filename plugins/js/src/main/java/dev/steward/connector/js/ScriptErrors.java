package dev.steward.connector.js;

import dev.steward.plugin.ScriptFailedException;
import dev.steward.plugin.ScriptFailedException.Reason;
import dev.steward.plugin.ScriptRejectedException;
import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.SourceSection;

/** Turns GraalVM's exceptions into Steward's, with the script's name and line. */
final class ScriptErrors {

    private ScriptErrors() {
    }

    static ScriptRejectedException rejected(String script, PolyglotException e) {
        SourceSection at = e.getSourceLocation();
        int line = at == null ? 0 : at.getStartLine();
        int column = at == null ? 0 : at.getStartColumn();
        return new ScriptRejectedException(script, line, column, syntaxReason(e.getMessage()), e);
    }

    /** "SyntaxError: t.js:2:12 Expected an operand but found ;\n  code\n  ^" -> the words only. */
    private static String syntaxReason(String message) {
        String first = message == null ? "does not parse" : message.lines().findFirst().orElse(message);
        first = first.replaceFirst("^SyntaxError: ", "");
        first = first.replaceFirst("^\\S+:\\d+:\\d+ ", "");
        return first.isBlank() ? "does not parse" : first;
    }

    static ScriptFailedException failed(String script, String function, PolyglotException e) {
        int line = lineIn(script, e);
        String message = e.getMessage() == null ? e.toString() : e.getMessage();
        if (e.isCancelled() || e.isInterrupted()) {
            return new ScriptFailedException(script, line, Reason.TIMEOUT, function + " was cancelled", e);
        }
        if (e.isResourceExhausted()) {
            return new ScriptFailedException(script, line, Reason.MEMORY, function + " ran out of resources: " + message, e);
        }
        if (e.isHostException()) {
            // only our own callbacks (ctx.log) are host code; they do not throw on purpose
            return new ScriptFailedException(script, line, Reason.THREW, function + " failed in Steward's context object: "
                    + e.asHostException(), e);
        }
        Reason reason = isForbidden(message) ? Reason.FORBIDDEN : Reason.THREW;
        String said = reason == Reason.FORBIDDEN ? "tried what the sandbox forbids: " : "threw ";
        return new ScriptFailedException(script, line, reason, function + " " + said + message, e);
    }

    private static boolean isForbidden(String message) {
        return message.contains("Access to host class")
                || message.contains("Operation is not allowed")
                || message.startsWith("ReferenceError: require is not defined")
                || message.contains("not allowed") && message.contains("host");
    }

    /** The line of the innermost frame in this script (stack traces also hold Steward's glue). */
    private static int lineIn(String script, PolyglotException e) {
        for (PolyglotException.StackFrame frame : e.getPolyglotStackTrace()) {
            SourceSection at = frame.getSourceLocation();
            if (frame.isGuestFrame() && at != null && script.equals(at.getSource().getName())) {
                return at.getStartLine();
            }
        }
        return 0;
    }
}
