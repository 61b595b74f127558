package dev.steward.rules;

import java.util.List;
import java.util.regex.Pattern;

/**
 * Makes the fact model visible to a DRL file that does not import it, without moving any line:
 * the import declarations go on the line of the {@code package} statement, right after it, or at
 * the start of line 1 when there is none. Columns on that one line shift, and {@link #column}
 * shifts them back.
 */
final class DrlPreamble {

    /** The fact model a rule may use by its simple name. */
    static final List<Class<?>> FACT_MODEL = List.of(FieldChange.class, Record.class, Decision.class, Outcome.class);

    private static final Pattern PACKAGE_NAME = Pattern.compile("package\\s+([\\w.]+)\\s*(;?)");

    final String text;
    /** The package the file declares, or null. */
    final String packageName;
    private final int line;
    private final int column;
    private final int length;

    private DrlPreamble(String text, String packageName, int line, int column, int length) {
        this.text = text;
        this.packageName = packageName;
        this.line = line;
        this.column = column;
        this.length = length;
    }

    static DrlPreamble of(String drl) {
        StringBuilder imports = new StringBuilder();
        for (Class<?> type : FACT_MODEL) {
            if (!Pattern.compile("import\\s+" + Pattern.quote(type.getName()) + "\\s*;?").matcher(drl).find()) {
                imports.append("import ").append(type.getName()).append("; ");
            }
        }
        int start = firstToken(drl);
        var pkg = PACKAGE_NAME.matcher(drl).region(start, drl.length());
        if (pkg.lookingAt()) {
            String inserted = (pkg.group(2).isEmpty() ? "; " : " ") + imports;
            return insert(drl, pkg.end(), inserted, pkg.group(1));
        }
        return insert(drl, 0, imports.toString(), null);
    }

    private static DrlPreamble insert(String drl, int at, String inserted, String packageName) {
        int line = 1;
        int lineStart = 0;
        for (int i = 0; i < at; i++) {
            if (drl.charAt(i) == '\n') {
                line++;
                lineStart = i + 1;
            }
        }
        String text = drl.substring(0, at) + inserted + drl.substring(at);
        return new DrlPreamble(text, packageName, line, at - lineStart + 1, inserted.length());
    }

    /** A compiler's 1-based column on {@code line} of the patched text, as a column of the user's text. */
    int column(int messageLine, int messageColumn) {
        if (messageLine != line || messageColumn < column) {
            return messageColumn;
        }
        return messageColumn < column + length ? column : messageColumn - length;
    }

    /** Where the first token is, past white space and comments. */
    private static int firstToken(String drl) {
        int i = 0;
        while (i < drl.length()) {
            char c = drl.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if (drl.startsWith("//", i) || c == '#') {
                int end = drl.indexOf('\n', i);
                i = end < 0 ? drl.length() : end + 1;
            } else if (drl.startsWith("/*", i)) {
                int end = drl.indexOf("*/", i + 2);
                i = end < 0 ? drl.length() : end + 2;
            } else {
                return i;
            }
        }
        return i;
    }
}
