package dev.steward.model;

import dev.steward.expr.UnaryTests;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A decision table ({@code rules/*.table.yaml}) as loaded: for one entity, rows of conditions on
 * a change and its record, each with an outcome and a message. Business users write these; the
 * cells are Steward's own expression language ({@link dev.steward.expr.Expressions}), parsed when
 * the file loads. Immutable.
 *
 * @param fields   the fields whose changes the table decides; empty: every field of the entity
 * @param hit      which row decides when several match
 * @param complete whether every change the table decides must match a row (gaps are errors)
 * @param columns  the condition columns, in the order rows use them
 */
public record DecisionTable(String file, String entity, List<String> fields, HitPolicy hit, boolean complete,
                            List<String> columns, List<Row> rows, SourceLocation location) {

    /** The condition columns about the change itself; any other column is a field of the record. */
    public static final List<String> CHANGE_COLUMNS = List.of("field", "source", "old", "new");

    public DecisionTable {
        fields = List.copyOf(fields);
        columns = List.copyOf(columns);
        rows = List.copyOf(rows);
    }

    /** Which row decides when several match. */
    public enum HitPolicy {
        /** Rows must not overlap with different outcomes (checked when the file loads). */
        UNIQUE,
        /** The first matching row, in the file's order. */
        FIRST,
        /** The matching row with the strongest outcome: invalid, then reject, then accept; the first among equals. */
        PRIORITY;

        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** What a row says about a change it matches. */
    public enum Verdict {
        ACCEPT, REJECT, INVALID;

        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /**
     * One row: its cells by column (a column the row leaves out is {@code -}), its verdict, and
     * the message (the decision's reason; {@code {new}}, {@code {old}}, {@code {field}},
     * {@code {source}} and a record field's {@code {name}} are filled in).
     *
     * @param cellLocations where each cell is written, for the verifier's messages
     */
    public record Row(int number, Map<String, UnaryTests> cells, Verdict verdict, String message,
                      SourceLocation location, Map<String, SourceLocation> cellLocations) {

        public Row {
            cells = Collections.unmodifiableMap(new LinkedHashMap<>(cells));
            cellLocations = Collections.unmodifiableMap(new LinkedHashMap<>(cellLocations));
        }

        public UnaryTests cell(String column) {
            return cells.getOrDefault(column, UnaryTests.ANY);
        }
    }
}
