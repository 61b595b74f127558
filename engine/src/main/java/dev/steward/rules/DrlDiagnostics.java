package dev.steward.rules;

import dev.steward.model.Diagnostic;
import org.kie.api.builder.Message;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Turns KIE builder messages into diagnostics of the user's file. KIE's {@link Message} carries
 * the line but mostly leaves the column 0; the parser and MVEL put a 0-based column in the text
 * instead ({@code Line 8:0 mismatched input}, {@code [Line: 5, Column: 4]}), counted in the
 * text the compiler saw, imports included. This takes the column from there, maps it back to
 * the user's text, and drops the position and the ASCII-art pointer from the message.
 */
final class DrlDiagnostics {

    /** KIE's follow-up to any parse error; it adds nothing to the error itself. */
    private static final String NULL_PACKAGE = "Parser returned a null Package";
    private static final Pattern PARSER_POSITION = Pattern.compile("^(\\[ERR \\d+] )?Line (\\d+):(\\d+) ");
    private static final Pattern MVEL_POSITION = Pattern.compile("\\[Line: (\\d+), Column: (\\d+)]");
    /** The Java parser's stack trace inside an executable-model message: frame after frame. */
    private static final Pattern STACK_TRACE = Pattern.compile("\\s*Problem stacktrace :(\\s+[\\w$./<>-]+\\([^)\\s]*\\))*");
    private static final Pattern MVEL_ERROR = Pattern.compile("^\\[Error: (.*)]$");

    private DrlDiagnostics() {
    }

    /**
     * @param fileOf which written file a message's path names, or null when it names none
     */
    static List<Diagnostic> of(List<Message> messages, Function<String, DrlFile> fileOf) {
        Map<String, Boolean> filesWithErrors = messages.stream()
                .filter(m -> m.getLevel() == Message.Level.ERROR && !m.getText().strip().equals(NULL_PACKAGE))
                .collect(Collectors.toMap(m -> String.valueOf(m.getPath()), m -> true, (a, b) -> a));
        return messages.stream()
                .filter(m -> !(m.getText().strip().equals(NULL_PACKAGE) && filesWithErrors.containsKey(String.valueOf(m.getPath()))))
                .map(m -> diagnostic(m, fileOf.apply(m.getPath() == null ? "" : m.getPath())))
                .toList();
    }

    private static Diagnostic diagnostic(Message message, DrlFile file) {
        String text = message.getText().strip();
        int line = Math.max(message.getLine(), 0);
        int column = Math.max(message.getColumn(), 0);
        Matcher parser = PARSER_POSITION.matcher(text);
        Matcher mvel = MVEL_POSITION.matcher(text);
        if (parser.find()) {
            column = column > 0 ? column : Integer.parseInt(parser.group(3)) + 1;
            text = Objects.requireNonNullElse(parser.group(1), "") + text.substring(parser.end());
        } else if (mvel.find()) {
            column = column > 0 ? column : Integer.parseInt(mvel.group(2)) + 1;
            text = mvelText(text);
        }
        if (file != null && column > 0) {
            column = file.preamble().column(line, column);
        }
        Diagnostic.Severity severity = message.getLevel() == Message.Level.ERROR
                ? Diagnostic.Severity.ERROR : Diagnostic.Severity.WARNING;
        String path = file != null ? file.source().file() : message.getPath() == null ? "" : message.getPath();
        return new Diagnostic(path, line, column, severity, oneLine(text));
    }

    /** MVEL's message without its {@code [Near ...]} excerpt, caret and position lines. */
    private static String mvelText(String text) {
        return text.lines().map(String::strip)
                .filter(l -> !l.isEmpty() && !l.startsWith("[Near") && !l.equals("^") && !l.startsWith("[Line:"))
                .map(l -> {
                    Matcher error = MVEL_ERROR.matcher(l);
                    return error.matches() ? error.group(1) : l;
                })
                .collect(Collectors.joining(" "));
    }

    private static String oneLine(String text) {
        return STACK_TRACE.matcher(text).replaceAll("").lines().map(String::strip).filter(l -> !l.isEmpty()).collect(Collectors.joining(" "));
    }
}
