package dev.steward.load;

import dev.steward.expr.Expressions;
import dev.steward.expr.Literal;
import dev.steward.expr.UnaryTest;
import dev.steward.expr.UnaryTests;
import dev.steward.expr.UnparsableExpressionException;
import dev.steward.model.DecisionTable;
import dev.steward.model.Diagnostic;
import dev.steward.model.SourceLocation;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads a decision table ({@code rules/*.table.yaml}): a header ({@code entity}, {@code hit},
 * optional {@code fields}, {@code complete}, {@code description}) and {@code rows}, each a
 * mapping of condition columns to cells, an {@code outcome} and a {@code message}. Every cell is
 * parsed here, and a cell that does not parse is an error at its own line and column.
 */
final class DecisionTableReader {

    static final String SUFFIX = ".table.yaml";
    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,99}");
    private static final Pattern COLUMN = Pattern.compile("(record\\.)?[A-Za-z_][A-Za-z0-9_]{0,99}");
    /** Columns whose values are names, so a cell may name them without quotes ({@code field: email}). */
    private static final Set<String> NAME_COLUMNS = Set.of("field", "source");

    private final YamlFile yaml;

    DecisionTableReader(YamlFile yaml) {
        this.yaml = yaml;
    }

    static boolean isTable(String fileName) {
        return fileName.endsWith(SUFFIX) || fileName.endsWith(".table.yml");
    }

    Optional<DecisionTable> read(Node node) {
        int before = errors();
        Optional<Map<String, Node>> top = yaml.mapping(node, "a decision table",
                YamlFile.keys("entity", "description", "hit", "fields", "complete", "rows"));
        if (top.isEmpty()) {
            return Optional.empty();
        }
        Map<String, Node> e = top.get();
        Optional<String> entity = yaml.string(e, "entity", node, "a decision table");
        yaml.optionalString(e, "description", "the table");
        Optional<DecisionTable.HitPolicy> hit = yaml.string(e, "hit", node, "a decision table").flatMap(word -> {
            for (DecisionTable.HitPolicy policy : DecisionTable.HitPolicy.values()) {
                if (policy.label().equals(word)) {
                    return Optional.of(policy);
                }
            }
            yaml.error(e.get("hit"), "hit must be unique, first or priority, not '" + word + "'");
            return Optional.empty();
        });
        List<String> fields = e.containsKey("fields") ? yaml.strings(e.get("fields"), "fields").orElse(List.of()) : List.of();
        for (String field : fields) {
            if (!NAME.matcher(field).matches()) {
                yaml.error(e.get("fields"), "'" + field + "' is not a field name");
            }
        }
        boolean complete = false;
        if (e.containsKey("complete")) {
            Optional<String> flag = yaml.string(e.get("complete"), "complete");
            if (flag.isPresent() && !flag.get().equals("true") && !flag.get().equals("false")) {
                yaml.error(e.get("complete"), "complete must be true or false, not '" + flag.get() + "'");
            }
            complete = flag.map("true"::equals).orElse(false);
        }
        List<DecisionTable.Row> rows = new ArrayList<>();
        Set<String> columns = new LinkedHashSet<>();
        if (!e.containsKey("rows")) {
            yaml.error(node, "a decision table needs 'rows'");
        } else if (!(e.get("rows") instanceof SequenceNode sequence) || sequence.getValue().isEmpty()) {
            yaml.error(e.get("rows"), "rows must be a list of rows, each starting with '- '");
        } else {
            int number = 0;
            for (Node item : sequence.getValue()) {
                number++;
                row(item, number, fields, columns).ifPresent(rows::add);
            }
        }
        if (errors() != before || entity.isEmpty() || hit.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new DecisionTable(yaml.file, entity.get(), fields, hit.get(), complete, List.copyOf(columns),
                rows, location(node)));
    }

    private Optional<DecisionTable.Row> row(Node item, int number, List<String> fields, Set<String> columns) {
        Optional<Map<String, Node>> entries = yaml.mapping(item, "row " + number, null);
        if (entries.isEmpty()) {
            return Optional.empty();
        }
        Map<String, UnaryTests> cells = new LinkedHashMap<>();
        Map<String, SourceLocation> cellLocations = new LinkedHashMap<>();
        DecisionTable.Verdict verdict = null;
        String message = null;
        boolean ok = true;
        for (Map.Entry<String, Node> entry : entries.get().entrySet()) {
            String column = entry.getKey();
            Node value = entry.getValue();
            if (column.equals("outcome")) {
                Optional<String> word = yaml.string(value, "outcome");
                if (word.isPresent()) {
                    try {
                        verdict = DecisionTable.Verdict.valueOf(word.get().toUpperCase(Locale.ROOT));
                    } catch (IllegalArgumentException ex) {
                        yaml.error(value, "outcome must be accept, reject or invalid, not '" + word.get() + "'");
                    }
                }
                ok &= verdict != null;
                continue;
            }
            if (column.equals("message")) {
                message = value instanceof ScalarNode s && !YamlFile.isNull(s) ? s.getValue() : null;
                if (message == null) {
                    yaml.error(value, "message must be text");
                    ok = false;
                }
                continue;
            }
            Node keyNode = YamlFile.keyNode(item, column).orElse(item);
            if (!COLUMN.matcher(column).matches()) {
                yaml.error(keyNode, "'" + column + "' is not a column: use field, source, old, new, or a field of the record");
                ok = false;
                continue;
            }
            Optional<UnaryTests> cell = cell(column, value);
            if (cell.isEmpty()) {
                ok = false;
                continue;
            }
            if (cell.get().usesChanged() && DecisionTable.CHANGE_COLUMNS.contains(column)) {
                yaml.error(value, "'changed' tests a field of the record (a column named after it), not the '" + column + "' column");
                ok = false;
            }
            if (column.equals("field") && !fields.isEmpty()) {
                for (UnaryTest test : cell.get().tests()) {
                    if (test instanceof UnaryTest.Comparison c && c.literal().type() == Literal.Type.STRING
                            && !fields.contains((String) c.literal().value())) {
                        yaml.warning(value, "field '" + c.literal().value() + "' is not one of the table's fields "
                                + fields + "; the table never decides its changes");
                    }
                }
            }
            columns.add(column);
            cells.put(column, cell.get());
            cellLocations.put(column, location(value));
        }
        if (verdict == null && ok) {
            yaml.error(item, "row " + number + " needs 'outcome' (accept, reject or invalid)");
            ok = false;
        }
        if (!ok) {
            return Optional.empty();
        }
        return Optional.of(new DecisionTable.Row(number, cells, verdict, message, location(item), cellLocations));
    }

    /**
     * A cell's text, parsed at its position: a plain or single-quoted scalar is the expression
     * as written; a double-quoted one is one text literal (YAML took its quotes); an unquoted
     * {@code [1000..5000]}, which YAML reads as a list, is taken from the line as written.
     */
    private Optional<UnaryTests> cell(String column, Node value) {
        boolean bareWords = NAME_COLUMNS.contains(column);
        int line = YamlFile.line(value);
        int col = YamlFile.column(value);
        String text;
        if (value instanceof ScalarNode scalar) {
            if (YamlFile.isNull(scalar) && scalar.getScalarStyle() == DumperOptions.ScalarStyle.PLAIN) {
                yaml.error(value, "an empty cell; write - for any value, or leave the column out of the row");
                return Optional.empty();
            }
            if (scalar.getScalarStyle() == DumperOptions.ScalarStyle.DOUBLE_QUOTED) {
                return Optional.of(new UnaryTests(false, false,
                        List.of(new UnaryTest.Comparison(UnaryTest.Operator.EQ, Literal.of(scalar.getValue()))),
                        "\"" + scalar.getValue() + "\""));
            }
            text = scalar.getValue();
            if (scalar.getScalarStyle() == DumperOptions.ScalarStyle.SINGLE_QUOTED) {
                col++;
            } else if (scalar.getScalarStyle() == DumperOptions.ScalarStyle.LITERAL
                    || scalar.getScalarStyle() == DumperOptions.ScalarStyle.FOLDED) {
                line++;
                col = indentation(line);
            }
        } else if (value instanceof SequenceNode && value.getStartMark().getLine() == value.getEndMark().getLine()) {
            String source = yaml.lineText(line);
            text = source.substring(value.getStartMark().getColumn(), Math.min(source.length(), value.getEndMark().getColumn()));
        } else {
            yaml.error(value, "a cell must be one line of text, like '[1000..5000]' or 'not matches \"…\"'");
            return Optional.empty();
        }
        try {
            return Optional.of(Expressions.cell(text, line, col, bareWords));
        } catch (UnparsableExpressionException ex) {
            yaml.diagnostics.add(Diagnostic.error(yaml.file, ex.line(), ex.column(), ex.problem()));
            return Optional.empty();
        }
    }

    private int indentation(int line) {
        String text = yaml.lineText(line);
        int i = 0;
        while (i < text.length() && text.charAt(i) == ' ') {
            i++;
        }
        return i + 1;
    }

    private SourceLocation location(Node node) {
        return new SourceLocation(yaml.file, YamlFile.line(node), YamlFile.column(node));
    }

    private int errors() {
        return (int) yaml.diagnostics.stream().filter(Diagnostic::isError).count();
    }
}
