package dev.steward.rules;

import dev.steward.expr.UnaryTests;
import dev.steward.model.DecisionTable;
import dev.steward.model.Diagnostic;
import dev.steward.model.SourceLocation;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Verifies a decision table the way guided decision tables were: rows that overlap with
 * different outcomes (an error under {@code hit: unique}), gaps (an error when the table says
 * {@code complete: true}), and rows that can never decide (a warning: a contradiction, or
 * earlier or stronger rows that match everything they match). Also checks that the
 * {@code source} column names the workspace's systems.
 *
 * <p>It works by samples: {@link TableSamples} takes one value from each region of each
 * column's values that the cells tell apart, and the check asks every row about every
 * combination, with the same evaluation that decides real changes. Columns are taken as
 * independent; two regexes in one column are taken to overlap without being equal. Stateless.
 */
public final class DecisionTableCheck {

    /** Combinations past this are not enumerated; the table is then only partly verified. */
    static final int MAX_COMBINATIONS = 200_000;
    private static final int EXAMPLES = 3;

    private DecisionTableCheck() {
    }

    /** @param systems the workspace's systems: the {@code source} column's possible values (none: not checked) */
    public static List<Diagnostic> check(DecisionTable table, Set<String> systems) {
        List<Diagnostic> diagnostics = new ArrayList<>();
        List<String> columns = table.columns();
        List<DecisionTable.Row> rows = table.rows();
        if (columns.contains("source") && !systems.isEmpty()) {
            for (DecisionTable.Row row : rows) {
                for (var test : row.cell("source").tests()) {
                    if (test instanceof dev.steward.expr.UnaryTest.Comparison c && c.literal().value() instanceof String name
                            && !systems.contains(name)) {
                        diagnostics.add(warning(row.cellLocations().get("source"), "source '" + name
                                + "' is not a system of steward.yaml (" + String.join(", ", new TreeSet<>(systems)) + ")"));
                    }
                }
            }
        }
        List<List<TableSamples.Value>> samples = new ArrayList<>();
        List<List<BitSet>> matching = new ArrayList<>();
        long combinations = 1;
        for (String column : columns) {
            List<UnaryTests> cells = rows.stream().map(row -> row.cell(column)).toList();
            Set<String> closed = column.equals("field") && !table.fields().isEmpty() ? Set.copyOf(table.fields())
                    : column.equals("source") && !systems.isEmpty() ? systems : null;
            if (TableSamples.tooManyRegexes(cells)) {
                diagnostics.add(warning(table.location(), "column '" + column + "' has more than " + TableSamples.MAX_REGEXES
                        + " different regexes; only the first " + TableSamples.MAX_REGEXES + " are verified against each other"));
            }
            List<TableSamples.Value> values = TableSamples.of(cells, closed,
                    !column.equals("field") && !column.equals("source"));
            List<BitSet> byValue = new ArrayList<>();
            for (TableSamples.Value value : values) {
                BitSet hits = new BitSet(rows.size());
                for (int r = 0; r < rows.size(); r++) {
                    if (rows.get(r).cell(column).test(value.value(), value.changed())) {
                        hits.set(r);
                    }
                }
                byValue.add(hits);
            }
            samples.add(values);
            matching.add(byValue);
            combinations *= values.size();
            if (combinations > MAX_COMBINATIONS) {
                diagnostics.add(warning(table.location(), "the table has too many distinct conditions to verify (more than "
                        + MAX_COMBINATIONS + " combinations); overlaps, gaps and rows that never decide are not checked"));
                return diagnostics;
            }
        }
        new Walk(table, samples, matching, diagnostics).run(combinations);
        return diagnostics;
    }

    /** One pass over every combination of samples. */
    private static final class Walk {
        private final DecisionTable table;
        private final List<DecisionTable.Row> rows;
        private final List<List<TableSamples.Value>> samples;
        private final List<List<BitSet>> matching;
        private final List<Diagnostic> diagnostics;
        private final BitSet matched = new BitSet();
        private final BitSet decided = new BitSet();
        /** For each row that matched but never decided: the rows that decided where it matched. */
        private final Map<Integer, BitSet> shadowedBy = new LinkedHashMap<>();
        private final Map<String, String> overlaps = new LinkedHashMap<>();
        private final List<String> gaps = new ArrayList<>();
        private long gapCount;

        Walk(DecisionTable table, List<List<TableSamples.Value>> samples, List<List<BitSet>> matching,
             List<Diagnostic> diagnostics) {
            this.table = table;
            this.rows = table.rows();
            this.samples = samples;
            this.matching = matching;
            this.diagnostics = diagnostics;
        }

        void run(long combinations) {
            int[] at = new int[samples.size()];
            for (long n = 0; n < combinations; n++) {
                BitSet hits = new BitSet();
                hits.set(0, rows.size());
                for (int c = 0; c < at.length; c++) {
                    hits.and(matching.get(c).get(at[c]));
                }
                visit(hits, at);
                for (int c = at.length - 1; c >= 0; c--) {
                    if (++at[c] < samples.get(c).size()) {
                        break;
                    }
                    at[c] = 0;
                }
            }
            report();
        }

        private void visit(BitSet hits, int[] at) {
            if (hits.isEmpty()) {
                gapCount++;
                if (gaps.size() < EXAMPLES) {
                    gaps.add(describe(at));
                }
                return;
            }
            matched.or(hits);
            int winner = winner(hits);
            decided.set(winner);
            for (int r = hits.nextSetBit(0); r >= 0; r = hits.nextSetBit(r + 1)) {
                if (r != winner) {
                    shadowedBy.computeIfAbsent(r, k -> new BitSet()).set(winner);
                }
            }
            if (table.hit() == DecisionTable.HitPolicy.UNIQUE && hits.cardinality() > 1) {
                int first = hits.nextSetBit(0);
                for (int r = hits.nextSetBit(first + 1); r >= 0; r = hits.nextSetBit(r + 1)) {
                    overlaps.putIfAbsent(first + ":" + r, describe(at));
                }
            }
        }

        private int winner(BitSet hits) {
            int first = hits.nextSetBit(0);
            if (table.hit() != DecisionTable.HitPolicy.PRIORITY) {
                return first;
            }
            int best = first;
            for (int r = hits.nextSetBit(first + 1); r >= 0; r = hits.nextSetBit(r + 1)) {
                if (rows.get(r).verdict().ordinal() > rows.get(best).verdict().ordinal()) {
                    best = r;
                }
            }
            return best;
        }

        private String describe(int[] at) {
            List<String> parts = new ArrayList<>();
            for (int c = 0; c < at.length; c++) {
                TableSamples.Value value = samples.get(c).get(at[c]);
                if (!value.label().equals("any")) {
                    parts.add(table.columns().get(c) + " = " + value.label());
                }
            }
            return parts.isEmpty() ? "any change" : String.join(", ", parts);
        }

        private void report() {
            overlaps.forEach((pair, example) -> {
                String[] both = pair.split(":");
                DecisionTable.Row a = rows.get(Integer.parseInt(both[0]));
                DecisionTable.Row b = rows.get(Integer.parseInt(both[1]));
                if (a.verdict() != b.verdict()) {
                    diagnostics.add(Diagnostic.error(b.location().file(), b.location().line(), b.location().column(),
                            "rows " + a.number() + " (line " + a.location().line() + ", " + a.verdict().label() + ") and "
                                    + b.number() + " (" + b.verdict().label() + ") both match, e.g. when " + example
                                    + "; with hit: unique rows must not overlap (say hit: first or hit: priority to choose)"));
                } else {
                    diagnostics.add(warning(b.location(), "rows " + a.number() + " (line " + a.location().line() + ") and "
                            + b.number() + " overlap with the same outcome, e.g. when " + example));
                }
            });
            for (int r = 0; r < rows.size(); r++) {
                DecisionTable.Row row = rows.get(r);
                if (!matched.get(r)) {
                    diagnostics.add(warning(row.location(), "row " + row.number() + " can never match"
                            + (table.fields().isEmpty() ? "" : " a change of " + table.fields())
                            + ": its cells contradict each other or the table's fields"));
                } else if (!decided.get(r) && table.hit() != DecisionTable.HitPolicy.UNIQUE) {
                    List<String> others = shadowedBy.get(r).stream().mapToObj(o -> "row " + rows.get(o).number()
                            + " (line " + rows.get(o).location().line() + ")").toList();
                    diagnostics.add(warning(row.location(), "row " + row.number() + " never decides: "
                            + String.join(", ", others) + (table.hit() == DecisionTable.HitPolicy.FIRST
                            ? (others.size() == 1 ? " comes first and matches" : " come first and match") + " everything it matches"
                            : (others.size() == 1 ? " wins" : " win") + " by priority wherever it matches")));
                }
            }
            if (table.complete() && gapCount > 0) {
                diagnostics.add(Diagnostic.error(table.location().file(), table.location().line(), table.location().column(),
                        "the table is complete: true but no row matches " + gapCount + " case" + (gapCount == 1 ? "" : "s")
                                + ", e.g. when " + String.join("; when ", gaps)));
            }
        }
    }

    private static Diagnostic warning(SourceLocation at, String message) {
        return new Diagnostic(at.file(), at.line(), at.column(), Diagnostic.Severity.WARNING, message);
    }
}
