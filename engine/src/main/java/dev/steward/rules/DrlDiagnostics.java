package dev.steward.rules;

import dev.steward.model.Diagnostic;
import org.kie.api.builder.Message;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
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
    private static final Pattern GENERATED_SOURCE = Pattern.compile("^Java source of (\\S+) in error:\\s*");
    private static final String JAVA_SOURCES = "src/main/java/";
    /** What a message without a line quotes: {@code Unable to find class: Order}. */
    private static final Pattern QUOTED = Pattern.compile(
            "^(?:Unable to parse left part of expression|Unable to find class|Unknown class|Unable to resolve [\\w ]+): (.+)$");
    private static final Pattern MVEL_ERROR = Pattern.compile("^\\[Error: (.*)]$");

    private DrlDiagnostics() {
    }

    /**
     * @param fileOf which written file a message's path names, or null when it names none
     */
    static List<Diagnostic> of(List<Message> messages, Function<String, DrlFile> fileOf) {
        return of(messages, fileOf, List.of());
    }

    /**
     * As {@link #of(List, Function)}, placing the executable model's messages too: those about
     * the Java it generated from a consequence ({@code src/main/java/rules/P1A/LambdaConsequence...java:25:830})
     * land on the line of {@code files} that the generated line copies, and those without a line
     * ({@code Unable to find class: Order}) on the first place the file names what they quote.
     */
    static List<Diagnostic> of(List<Message> messages, Function<String, DrlFile> fileOf, Collection<DrlFile> files) {
        Map<String, Boolean> filesWithErrors = messages.stream()
                .filter(m -> m.getLevel() == Message.Level.ERROR && !m.getText().strip().equals(NULL_PACKAGE))
                .collect(Collectors.toMap(m -> String.valueOf(m.getPath()), m -> true, (a, b) -> a));
        Map<String, String> generated = new HashMap<>();
        for (Message m : messages) {
            Matcher source = GENERATED_SOURCE.matcher(m.getText());
            if (source.find()) {
                generated.put(source.group(1), m.getText().substring(source.end()));
            }
        }
        List<Diagnostic> diagnostics = new ArrayList<>();
        for (Message m : messages) {
            String path = m.getPath() == null ? "" : m.getPath();
            if (m.getText().strip().equals(NULL_PACKAGE) && filesWithErrors.containsKey(String.valueOf(m.getPath()))
                    || GENERATED_SOURCE.matcher(m.getText()).find()) {
                continue;
            }
            DrlFile file = fileOf.apply(path);
            if (file == null && path.startsWith(JAVA_SOURCES) && !files.isEmpty()) {
                diagnostics.add(inGeneratedJava(m, generated.get(path), files));
            } else if (file != null && m.getLine() <= 0) {
                diagnostics.add(quoted(diagnostic(m, file), file));
            } else {
                diagnostics.add(diagnostic(m, file));
            }
        }
        return List.copyOf(diagnostics);
    }

    /** A message about generated Java, at the DRL line the generated line copies. */
    private static Diagnostic inGeneratedJava(Message m, String source, Collection<DrlFile> files) {
        String text = oneLine(m.getText().strip());
        Diagnostic.Severity severity = m.getLevel() == Message.Level.ERROR ? Diagnostic.Severity.ERROR : Diagnostic.Severity.WARNING;
        List<String> lines = source == null ? List.of() : source.lines().toList();
        if (m.getLine() >= 1 && m.getLine() <= lines.size()) {
            String generatedLine = lines.get(m.getLine() - 1);
            int at = Math.max(m.getColumn() - 1, 0);
            DrlFile best = null;
            int bestLine = 0;
            int bestColumn = 0;
            int bestIndex = -1;
            for (DrlFile file : files) {
                List<String> drl = file.source().text().lines().toList();
                for (int i = 0; i < drl.size(); i++) {
                    String code = drl.get(i).strip();
                    int index = code.length() < 4 ? -1 : generatedLine.indexOf(code);
                    if (index >= 0 && index <= at && index > bestIndex) {
                        best = file;
                        bestIndex = index;
                        bestLine = i + 1;
                        bestColumn = drl.get(i).indexOf(code) + 1;
                    }
                }
            }
            if (best != null) {
                return new Diagnostic(best.source().file(), bestLine, bestColumn, severity, text);
            }
        }
        return new Diagnostic(files.iterator().next().source().file(), 0, 0, severity, text);
    }

    /** A diagnostic without a line, placed where the file first spells what the message quotes. */
    private static Diagnostic quoted(Diagnostic d, DrlFile file) {
        Matcher quote = QUOTED.matcher(d.message());
        if (!quote.find()) {
            return d;
        }
        String wanted = quote.group(1).strip();
        Matcher at = Pattern.compile((Character.isJavaIdentifierStart(wanted.charAt(0)) ? "\\b" : "")
                + Pattern.quote(wanted)).matcher(file.source().text());
        if (!at.find()) {
            return d;
        }
        String before = file.source().text().substring(0, at.start());
        int line = (int) before.chars().filter(c -> c == '\n').count() + 1;
        int column = at.start() - (before.lastIndexOf('\n') + 1) + 1;
        return new Diagnostic(d.file(), line, column, d.severity(), d.message());
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
