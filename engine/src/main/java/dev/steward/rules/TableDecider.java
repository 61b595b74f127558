package dev.steward.rules;

import dev.steward.expr.UnaryTest;
import dev.steward.expr.UnaryTests;
import dev.steward.model.DecisionTable;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One decision table made ready to decide changes: its cells in arrays by column, evaluated
 * directly (no DRL is generated, so no cell text ever reaches a compiler). Immutable and
 * thread-safe.
 */
final class TableDecider {

    private static final int FIELD = -1;
    private static final int SOURCE = -2;
    private static final int OLD = -3;
    private static final int NEW = -4;
    private static final int RECORD = 0;
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{([A-Za-z_][A-Za-z0-9_.]*)}");

    private final DecisionTable table;
    private final int[] kinds;
    private final String[] recordFields;
    private final UnaryTests[][] cells;
    private final boolean usesChanged;
    private final String label;
    /** For each field some row names: the rows, in order, that may match its changes. */
    private final Map<String, int[]> candidates;
    /** The rows that may match a change of a field no row names. */
    private final int[] otherRows;

    TableDecider(DecisionTable table) {
        this.table = table;
        List<String> columns = table.columns();
        kinds = new int[columns.size()];
        recordFields = new String[columns.size()];
        for (int c = 0; c < columns.size(); c++) {
            String column = columns.get(c);
            kinds[c] = switch (column) {
                case "field" -> FIELD;
                case "source" -> SOURCE;
                case "old" -> OLD;
                case "new" -> NEW;
                default -> RECORD;
            };
            recordFields[c] = column.startsWith("record.") ? column.substring("record.".length()) : column;
        }
        cells = new UnaryTests[table.rows().size()][];
        boolean changed = false;
        for (int r = 0; r < cells.length; r++) {
            DecisionTable.Row row = table.rows().get(r);
            cells[r] = new UnaryTests[columns.size()];
            for (int c = 0; c < columns.size(); c++) {
                cells[r][c] = row.cell(columns.get(c));
                changed |= cells[r][c].usesChanged();
            }
        }
        usesChanged = changed;
        label = table.file();
        // Most rows name their field: index them by it, so a change only meets the rows that can match it.
        Set<String> named = new HashSet<>();
        List<Integer> anyField = new ArrayList<>();
        for (int r = 0; r < cells.length; r++) {
            List<String> fields = namedFields(table.rows().get(r).cell("field"));
            if (fields == null) {
                anyField.add(r);
            } else {
                named.addAll(fields);
            }
        }
        Map<String, int[]> index = new HashMap<>();
        for (String field : named) {
            List<Integer> rows = new ArrayList<>();
            for (int r = 0; r < cells.length; r++) {
                List<String> fields = namedFields(table.rows().get(r).cell("field"));
                if (fields == null || fields.contains(field)) {
                    rows.add(r);
                }
            }
            index.put(field, rows.stream().mapToInt(Integer::intValue).toArray());
        }
        candidates = Map.copyOf(index);
        otherRows = anyField.stream().mapToInt(Integer::intValue).toArray();
    }

    /** The fields a {@code field} cell lists as plain names, or null when it says anything else. */
    private static List<String> namedFields(UnaryTests cell) {
        if (cell.any() || cell.negated()) {
            return null;
        }
        List<String> names = new ArrayList<>();
        for (UnaryTest test : cell.tests()) {
            if (!(test instanceof UnaryTest.Comparison c) || c.operator() != UnaryTest.Operator.EQ
                    || !(c.literal().value() instanceof String name)) {
                return null;
            }
            names.add(name);
        }
        return names;
    }

    String file() {
        return label;
    }

    /**
     * Decides each change of the table's entity (and fields) with the row its hit policy picks;
     * a change no row matches keeps its decision, or is invalid when the table is complete.
     */
    void decide(Record record, List<FieldChange> changes) {
        Set<String> changedFields = usesChanged ? changedFields(changes) : Set.of();
        for (FieldChange change : changes) {
            if (!table.entity().equals(change.getEntity())
                    || !table.fields().isEmpty() && !table.fields().contains(change.getField())) {
                continue;
            }
            int row = pick(record, change, changedFields);
            if (row >= 0) {
                DecisionTable.Row chosen = table.rows().get(row);
                Outcome outcome = Outcome.valueOf(chosen.verdict().name());
                change.decide(new Decision(outcome, message(chosen, record, change), chosen.location().toString()));
            } else if (table.complete()) {
                change.decide(new Decision(Outcome.INVALID, "no row of the table matches this change of "
                        + change.getField(), label));
            }
        }
    }

    private int pick(Record record, FieldChange change, Set<String> changedFields) {
        int best = -1;
        for (int r : candidates.getOrDefault(change.getField(), otherRows)) {
            if (!matches(cells[r], record, change, changedFields)) {
                continue;
            }
            if (table.hit() != DecisionTable.HitPolicy.PRIORITY) {
                return r;
            }
            if (best < 0 || table.rows().get(r).verdict().ordinal() > table.rows().get(best).verdict().ordinal()) {
                best = r;
            }
        }
        return best;
    }

    private boolean matches(UnaryTests[] row, Record record, FieldChange change, Set<String> changedFields) {
        for (int c = 0; c < row.length; c++) {
            UnaryTests cell = row[c];
            if (cell.any()) {
                continue;
            }
            boolean hit = switch (kinds[c]) {
                case FIELD -> cell.test(change.getField(), true);
                case SOURCE -> cell.test(change.getSource(), true);
                case OLD -> cell.test(change.getOldValue(), true);
                case NEW -> cell.test(change.getNewValue(), true);
                default -> cell.test(record.get(recordFields[c]), changedFields.contains(recordFields[c]));
            };
            if (!hit) {
                return false;
            }
        }
        return true;
    }

    private static Set<String> changedFields(List<FieldChange> changes) {
        Set<String> fields = new HashSet<>();
        changes.forEach(change -> fields.add(change.getField()));
        return fields;
    }

    /** The row's message with {@code {new}}, {@code {old}}, {@code {field}}, {@code {source}} and record fields filled in. */
    private static String message(DecisionTable.Row row, Record record, FieldChange change) {
        if (row.message() == null) {
            return row.verdict().label() + " by decision table row " + row.number();
        }
        if (row.message().indexOf('{') < 0) {
            return row.message();
        }
        Matcher matcher = PLACEHOLDER.matcher(row.message());
        StringBuilder out = new StringBuilder();
        while (matcher.find()) {
            String name = matcher.group(1);
            Object value = switch (name) {
                case "field" -> change.getField();
                case "source" -> change.getSource();
                case "old" -> change.getOldValue();
                case "new" -> change.getNewValue();
                case "key" -> change.getKey();
                default -> record.get(name.startsWith("record.") ? name.substring(7) : name);
            };
            matcher.appendReplacement(out, Matcher.quoteReplacement(Objects.toString(value, "")));
        }
        matcher.appendTail(out);
        return out.toString();
    }
}
