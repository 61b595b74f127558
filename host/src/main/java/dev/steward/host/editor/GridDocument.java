package dev.steward.host.editor;

import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.composer.Composer;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;
import org.yaml.snakeyaml.parser.ParserImpl;
import org.yaml.snakeyaml.reader.StreamReader;
import org.yaml.snakeyaml.resolver.Resolver;

import java.io.StringReader;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A mastership table or a decision table as the editor's grid sees it: rows of cells, read from
 * the file's text and written back into it without losing what a person wrote around them. A
 * row the grid did not change keeps its exact text, comments included; a changed row is written
 * anew (its leading comment kept); the text before the first row (the file's header, and a
 * table's {@code entity}, {@code hit}...) and after the last stays as it was, but for the
 * table's top-level values the grid changed, which are replaced where they stand.
 *
 * <p>A cell is a string, or (mastership's {@code fields} and {@code subscribers}) a list of
 * strings. A decision table's cell is its expression as written: a double-quoted YAML scalar
 * keeps its quotes ({@code "gold"}, one text), since that is what it means there. Cells are
 * written plain when YAML reads them back as the same text, else in single quotes, which a
 * decision table reads as the expression as written.
 */
public final class GridDocument {

    /** Which kind of file: the rows are the top-level list, or a table's {@code rows:} list. */
    public enum Kind { MASTERSHIP, TABLE }

    /** A row: its index in the file, its first line (1-based) and its cells in the file's order. */
    public record Row(int id, int line, Map<String, Object> cells) {
    }

    /** A rendered file and, for each row in order, the line of each of its cells (1-based). */
    public record Rendered(String text, List<Map<String, Integer>> cellLines, List<int[]> rowLines) {
    }

    /** A file the grid cannot show; the message says why (the file editor can still open it). */
    public static final class NotAGridException extends RuntimeException {
        NotAGridException(String message) {
            super(message);
        }
    }

    private final Kind kind;
    private final List<String> lines;          // the original text's lines, each with its line break
    private final List<Item> items;
    private final int prefixEnd;               // lines [0, prefixEnd) come before the first row
    private final int suffixStart;             // lines [suffixStart, size) come after the last row
    private final int dashColumn;
    private final Map<String, Top> top;
    private final boolean emptyFlowList;       // the rows are written "[]" (or the table has no rows key)

    private record Item(int start, int contentStart, int end, Map<String, Object> cells) {
    }

    private record Top(Object value, int line, int startColumn, int endColumn, boolean oneLine) {
    }

    private GridDocument(Kind kind, List<String> lines, List<Item> items, int prefixEnd, int suffixStart, int dashColumn,
                         Map<String, Top> top, boolean emptyFlowList) {
        this.kind = kind;
        this.lines = lines;
        this.items = items;
        this.prefixEnd = prefixEnd;
        this.suffixStart = suffixStart;
        this.dashColumn = dashColumn;
        this.top = top;
        this.emptyFlowList = emptyFlowList;
    }

    /** The kind a workspace path has, if the grid edits it. */
    public static Optional<Kind> kindOf(String path) {
        if (path.equals("rules/mastership.yaml") || path.matches("rules/[^/]*mastership[^/]*\\.yaml")) {
            return Optional.of(Kind.MASTERSHIP);
        }
        if (path.matches("rules/[^/]+\\.table\\.yaml")) {
            return Optional.of(Kind.TABLE);
        }
        return Optional.empty();
    }

    /**
     * Reads a file's rows.
     *
     * @throws NotAGridException when the text is not YAML, or not a list of rows (a mastership
     *                           table) or a mapping with {@code rows:} (a decision table)
     */
    public static GridDocument parse(Kind kind, String text) {
        List<String> lines = splitLines(text);
        Node root = compose(text);
        SequenceNode rows;
        Map<String, Top> top = new LinkedHashMap<>();
        int regionEnd = lines.size();
        if (kind == Kind.MASTERSHIP) {
            if (root == null) {
                return new GridDocument(kind, lines, List.of(), lines.size(), lines.size(), 0, top, true);
            }
            if (!(root instanceof SequenceNode sequence)) {
                throw new NotAGridException("a mastership table is a list of rows, each starting with '- entity:'");
            }
            rows = sequence;
        } else {
            if (!(root instanceof MappingNode mapping)) {
                throw new NotAGridException("a decision table is a mapping with entity, hit and rows");
            }
            rows = null;
            int rowsKeyLine = -1;
            List<NodeTuple> tuples = mapping.getValue();
            for (int i = 0; i < tuples.size(); i++) {
                NodeTuple tuple = tuples.get(i);
                String key = ((ScalarNode) tuple.getKeyNode()).getValue();
                Node value = tuple.getValueNode();
                if (key.equals("rows")) {
                    rowsKeyLine = tuple.getKeyNode().getStartMark().getLine();
                    if (value instanceof SequenceNode sequence && sequence.getFlowStyle() == DumperOptions.FlowStyle.BLOCK
                            && !sequence.getValue().isEmpty()) {
                        rows = sequence;
                    } else {
                        // "rows: []" or an empty value: the rows are written from the key's line on
                        int end = value.getEndMark().getLine() + (value.getEndMark().getColumn() > 0 ? 1 : 0);
                        return new GridDocument(kind, lines, List.of(), rowsKeyLine, Math.max(end, rowsKeyLine + 1), 2,
                                topValues(tuples, text), true);
                    }
                    if (i + 1 < tuples.size()) {
                        regionEnd = tuples.get(i + 1).getKeyNode().getStartMark().getLine();
                    }
                }
            }
            top = topValues(tuples, text);
            if (rows == null) {
                return new GridDocument(kind, lines, List.of(), lines.size(), lines.size(), 2, top, true);
            }
        }
        if (rows.getFlowStyle() == DumperOptions.FlowStyle.FLOW) {
            if (!rows.getValue().isEmpty()) {
                throw new NotAGridException("the rows are written in one line ([...]); open the file to write them one per item");
            }
            int start = rows.getStartMark().getLine();
            return new GridDocument(kind, lines, List.of(), start, rows.getEndMark().getLine() + 1, 0, top, true);
        }
        List<Node> nodes = rows.getValue();
        int dash = dashColumn(lines, nodes.getFirst());
        List<Item> items = new ArrayList<>();
        int[] starts = new int[nodes.size()];
        for (int i = 0; i < nodes.size(); i++) {
            starts[i] = itemLine(lines, nodes.get(i));
        }
        int lastContent = lastContentLine(lines, starts[nodes.size() - 1], regionEnd, dash);
        for (int i = 0; i < nodes.size(); i++) {
            int contentStart = starts[i];
            int start = i == 0 ? contentStart : leadingStart(lines, starts[i - 1], contentStart, dash);
            int end = i + 1 < nodes.size() ? leadingStart(lines, starts[i], starts[i + 1], dash) : lastContent + 1;
            items.add(new Item(start, contentStart, end, cells(kind, nodes.get(i), text)));
        }
        return new GridDocument(kind, lines, items, starts[0], lastContent + 1, dash, top, false);
    }

    /** The rows, in the file's order, each with its index as id. */
    public List<Row> rows() {
        List<Row> out = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            out.add(new Row(i, items.get(i).contentStart() + 1, items.get(i).cells()));
        }
        return out;
    }

    /** A decision table's top-level values (entity, description, hit, fields, complete) as written. */
    public Map<String, Object> top() {
        Map<String, Object> out = new LinkedHashMap<>();
        top.forEach((k, v) -> out.put(k, v.value()));
        return out;
    }

    /**
     * The file with these rows, in this order. A row with the id of a row read from the file and
     * the same cells keeps that row's text; {@code newTop} replaces the table's top-level values
     * that differ (one-line values only).
     *
     * @param rows each an id (or -1 for a new row) and its cells
     * @throws IllegalArgumentException for a cell the grid cannot write (a line break in it, an empty key)
     */
    public Rendered render(List<Row> rows, Map<String, Object> newTop) {
        List<String> base = new ArrayList<>(lines);
        newTop.forEach((key, value) -> {
            Top was = top.get(key);
            if (was != null && !Objects.equals(was.value(), value)) {
                if (!was.oneLine()) {
                    throw new IllegalArgumentException("'" + key + "' spans several lines; change it in the file editor");
                }
                String line = base.get(was.line());
                base.set(was.line(), line.substring(0, was.startColumn()) + value(value, kind)
                        + line.substring(was.endColumn()));
            } else if (was == null && value != null && !value.toString().isEmpty()) {
                throw new IllegalArgumentException("the table has no '" + key + "' to change; add it in the file editor");
            }
        });
        StringBuilder out = new StringBuilder();
        base.subList(0, prefixEnd).forEach(out::append);
        if (!out.isEmpty() && out.charAt(out.length() - 1) != '\n') {
            out.append('\n');
        }
        if (kind == Kind.TABLE && emptyFlowList) {
            out.append(rows.isEmpty() ? "rows: []\n" : "rows:\n");
        } else if (kind == Kind.MASTERSHIP && rows.isEmpty()) {
            out.append("[]\n");
        }
        String indent = " ".repeat(kind == Kind.TABLE && emptyFlowList ? 2 : dashColumn);
        for (Row row : rows) {
            Item original = row.id() >= 0 && row.id() < items.size() ? items.get(row.id()) : null;
            if (original != null && original.cells().equals(row.cells())) {
                base.subList(original.start(), original.end()).forEach(out::append);
            } else {
                if (original != null) {
                    base.subList(original.start(), original.contentStart()).forEach(out::append);
                }
                out.append(item(row.cells(), indent, kind));
            }
            if (out.charAt(out.length() - 1) != '\n') {
                out.append('\n');
            }
        }
        base.subList(suffixStart, base.size()).forEach(out::append);
        String text = out.toString();
        return new Rendered(text, cellLines(kind, text), rowLines(kind, text));
    }

    /** One row as a block mapping item at this indentation. */
    static String item(Map<String, Object> cells, String indent, Kind kind) {
        StringBuilder out = new StringBuilder();
        boolean first = true;
        for (Map.Entry<String, Object> cell : cells.entrySet()) {
            if (cell.getValue() == null || (cell.getValue() instanceof List<?> l && l.isEmpty() && kind == Kind.MASTERSHIP
                    && cell.getKey().equals("subscribers")) || (cell.getValue() instanceof String s && s.isEmpty())) {
                continue;
            }
            if (!cell.getKey().matches("[A-Za-z_][A-Za-z0-9_.]*")) {
                throw new IllegalArgumentException("'" + cell.getKey() + "' is not a column name");
            }
            out.append(indent).append(first ? "- " : "  ").append(cell.getKey()).append(": ")
                    .append(value(cell.getValue(), kind)).append('\n');
            first = false;
        }
        if (first) {
            throw new IllegalArgumentException("a row has no cells");
        }
        return out.toString();
    }

    private static String value(Object value, Kind kind) {
        if (value instanceof List<?> list) {
            List<String> parts = new ArrayList<>();
            for (Object element : list) {
                parts.add(scalar(String.valueOf(element), kind, true));
            }
            return "[" + String.join(", ", parts) + "]";
        }
        return scalar(value == null ? "" : value.toString(), kind, false);
    }

    /** Plain when YAML reads it back as the same text, else single-quoted. */
    static String scalar(String text, Kind kind, boolean inFlow) {
        if (text.indexOf('\n') >= 0 || text.indexOf('\r') >= 0) {
            throw new IllegalArgumentException("a cell is one line: '" + text.replace("\n", "\\n") + "'");
        }
        if (plainReadsBack(text, kind, inFlow)) {
            return text;
        }
        return "'" + text.replace("'", "''") + "'";
    }

    private static boolean plainReadsBack(String text, Kind kind, boolean inFlow) {
        if (text.isEmpty() || !text.equals(text.strip())) {
            return false;
        }
        try {
            Node root = composeRaw(inFlow ? "k: [" + text + "]\n" : "k: " + text + "\n");
            if (!(root instanceof MappingNode mapping) || mapping.getValue().size() != 1) {
                return false;
            }
            Node value = mapping.getValue().getFirst().getValueNode();
            if (inFlow) {
                if (!(value instanceof SequenceNode seq) || seq.getValue().size() != 1) {
                    return false;
                }
                value = seq.getValue().getFirst();
            }
            if (!(value instanceof ScalarNode scalar) || scalar.getScalarStyle() != DumperOptions.ScalarStyle.PLAIN
                    || !scalar.getValue().equals(text)) {
                return false;
            }
            Tag tag = scalar.getTag();
            // a table reads a cell's text whatever YAML takes it for (5000 is the number 5000
            // either way); elsewhere a plain "true" or "5" would not be the text written
            return tag.equals(Tag.STR) || (kind == Kind.TABLE && !tag.equals(Tag.NULL) && !inFlow);
        } catch (YAMLException e) {
            return false;
        }
    }

    private static Map<String, Object> cells(Kind kind, Node node, String text) {
        if (!(node instanceof MappingNode mapping)) {
            throw new NotAGridException("row at line " + (node.getStartMark().getLine() + 1) + " is not a mapping of columns");
        }
        Map<String, Object> cells = new LinkedHashMap<>();
        for (NodeTuple tuple : mapping.getValue()) {
            if (!(tuple.getKeyNode() instanceof ScalarNode key)) {
                throw new NotAGridException("row at line " + (node.getStartMark().getLine() + 1) + " has a key that is not a name");
            }
            cells.put(key.getValue(), cell(kind, tuple.getValueNode(), text));
        }
        return cells;
    }

    private static Object cell(Kind kind, Node value, String text) {
        if (value instanceof ScalarNode scalar) {
            if (kind == Kind.TABLE && scalar.getScalarStyle() == DumperOptions.ScalarStyle.DOUBLE_QUOTED) {
                return "\"" + scalar.getValue().replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
            }
            return scalar.getTag().equals(Tag.NULL) && scalar.getScalarStyle() == DumperOptions.ScalarStyle.PLAIN ? "" : scalar.getValue();
        }
        if (value instanceof SequenceNode sequence && kind == Kind.MASTERSHIP
                && sequence.getValue().stream().allMatch(n -> n instanceof ScalarNode)) {
            return sequence.getValue().stream().map(n -> ((ScalarNode) n).getValue()).toList();
        }
        // a table's unquoted [1000..5000] (YAML's list), or anything else: the text as written
        return text.substring(value.getStartMark().getIndex(), value.getEndMark().getIndex()).strip();
    }

    private static Map<String, Top> topValues(List<NodeTuple> tuples, String text) {
        Map<String, Top> top = new LinkedHashMap<>();
        for (NodeTuple tuple : tuples) {
            String key = ((ScalarNode) tuple.getKeyNode()).getValue();
            if (key.equals("rows")) {
                continue;
            }
            Node value = tuple.getValueNode();
            Object shown = value instanceof SequenceNode seq && seq.getValue().stream().allMatch(n -> n instanceof ScalarNode)
                    ? seq.getValue().stream().map(n -> ((ScalarNode) n).getValue()).toList()
                    : value instanceof ScalarNode s ? s.getValue()
                    : text.substring(value.getStartMark().getIndex(), value.getEndMark().getIndex());
            boolean oneLine = value.getStartMark().getLine() == value.getEndMark().getLine();
            top.put(key, new Top(shown, value.getStartMark().getLine(), value.getStartMark().getColumn(),
                    value.getEndMark().getColumn(), oneLine));
        }
        return top;
    }

    /** The line of an item's dash: the node's own line when the dash is on it, else the dash's line above. */
    private static int itemLine(List<String> lines, Node node) {
        int line = node.getStartMark().getLine();
        while (line > 0 && !lines.get(line).stripLeading().startsWith("-")) {
            line--;
        }
        return line;
    }

    private static int dashColumn(List<String> lines, Node first) {
        String line = lines.get(itemLine(lines, first));
        return line.length() - line.stripLeading().length();
    }

    /** Where the comments and blank lines at or left of the dash column before {@code next} begin: they go with it. */
    private static int leadingStart(List<String> lines, int previous, int next, int dash) {
        int start = next;
        while (start - 1 > previous && detached(lines.get(start - 1), dash)) {
            start--;
        }
        return start;
    }

    /** The last line of the last row: trailing comments at or left of the dash column are the file's, not the row's. */
    private static int lastContentLine(List<String> lines, int from, int end, int dash) {
        int last = end - 1;
        while (last > from && detached(lines.get(last), dash)) {
            last--;
        }
        return last;
    }

    private static boolean detached(String line, int dash) {
        String stripped = line.strip();
        if (stripped.isEmpty()) {
            return true;
        }
        int indent = line.length() - line.stripLeading().length();
        return stripped.startsWith("#") && indent <= dash;
    }

    /** For each row of a rendered text, the 1-based line of each cell's value. */
    private static List<Map<String, Integer>> cellLines(Kind kind, String text) {
        List<Map<String, Integer>> out = new ArrayList<>();
        for (Node node : rowNodes(kind, text)) {
            Map<String, Integer> lines = new LinkedHashMap<>();
            if (node instanceof MappingNode mapping) {
                for (NodeTuple tuple : mapping.getValue()) {
                    if (tuple.getKeyNode() instanceof ScalarNode key) {
                        lines.put(key.getValue(), tuple.getValueNode().getStartMark().getLine() + 1);
                    }
                }
            }
            out.add(lines);
        }
        return out;
    }

    /** For each row of a rendered text, its first and last line (1-based). */
    private static List<int[]> rowLines(Kind kind, String text) {
        List<int[]> out = new ArrayList<>();
        for (Node node : rowNodes(kind, text)) {
            int end = node.getEndMark().getLine() + (node.getEndMark().getColumn() > 0 ? 1 : 0);
            out.add(new int[] {node.getStartMark().getLine() + 1, Math.max(end, node.getStartMark().getLine() + 1)});
        }
        return out;
    }

    private static List<Node> rowNodes(Kind kind, String text) {
        Node root;
        try {
            root = composeRaw(text);
        } catch (YAMLException e) {
            return List.of();
        }
        if (kind == Kind.MASTERSHIP) {
            return root instanceof SequenceNode seq ? seq.getValue() : List.of();
        }
        if (root instanceof MappingNode mapping) {
            for (NodeTuple tuple : mapping.getValue()) {
                if (tuple.getKeyNode() instanceof ScalarNode key && key.getValue().equals("rows")
                        && tuple.getValueNode() instanceof SequenceNode seq) {
                    return seq.getValue();
                }
            }
        }
        return List.of();
    }

    private static Node compose(String text) {
        try {
            return composeRaw(text);
        } catch (YAMLException e) {
            throw new NotAGridException("the file is not valid YAML: " + String.valueOf(e.getMessage()).lines().findFirst().orElse(""));
        }
    }

    private static Node composeRaw(String text) {
        LoaderOptions options = new LoaderOptions();
        options.setMaxAliasesForCollections(20);
        options.setNestingDepthLimit(40);
        options.setAllowRecursiveKeys(false);
        return new Composer(new ParserImpl(new StreamReader(new StringReader(text)), options), new Resolver(), options)
                .getSingleNode();
    }

    private static List<String> splitLines(String text) {
        List<String> out = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) == '\n') {
                out.add(text.substring(start, i + 1));
                start = i + 1;
            }
        }
        if (start < text.length()) {
            out.add(text.substring(start));
        }
        return out;
    }
}
