package dev.steward.rules;

import dev.steward.model.Diagnostic;
import dev.steward.model.MastershipRow;
import dev.steward.model.MastershipTable;
import dev.steward.model.SourceLocation;
import dev.steward.model.UnmasteredPolicy;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Checks mastership tables against each other and against the workspace's systems: one master
 * per (entity, field) across all tables, a master that is not its own subscriber, and only
 * systems that {@code steward.yaml} declares. Each problem is reported at the line of the row
 * that causes it. Stateless.
 */
public final class MastershipCheck {

    private MastershipCheck() {
    }

    /** Every problem: {@link #conflicts} and {@link #systems}. */
    public static List<Diagnostic> check(Collection<MastershipTable> tables, Set<String> knownSystems) {
        List<Diagnostic> diagnostics = new ArrayList<>(conflicts(tables));
        diagnostics.addAll(systems(tables, knownSystems));
        return diagnostics;
    }

    /**
     * Two masters for one field (reported at the second row, naming both), and two different
     * {@code unmastered} policies for one entity. {@link RuleSetCompiler} refuses both.
     */
    public static List<Diagnostic> conflicts(Collection<MastershipTable> tables) {
        List<Diagnostic> diagnostics = new ArrayList<>();
        Map<String, MastershipRow> masters = new HashMap<>();
        Map<String, UnmasteredPolicy> policies = new HashMap<>();
        for (MastershipTable table : tables) {
            for (MastershipRow row : table.rows()) {
                for (String field : row.fields()) {
                    MastershipRow first = masters.putIfAbsent(row.entity() + "." + field, row);
                    if (first != null && first != row) {
                        diagnostics.add(at(row.location(), row.entity() + "." + field + " has two masters: "
                                + first.master() + " (" + first.location() + ") and " + row.master()
                                + " (" + row.location() + ")"));
                    }
                }
            }
            for (UnmasteredPolicy policy : table.unmastered()) {
                UnmasteredPolicy first = policies.putIfAbsent(policy.entity(), policy);
                if (first != null && first.accept() != policy.accept()) {
                    diagnostics.add(at(policy.location(), policy.entity() + " has two unmastered policies: "
                            + word(first) + " (" + first.location() + ") and " + word(policy)
                            + " (" + policy.location() + ")"));
                }
            }
        }
        return diagnostics;
    }

    /** A master among its own subscribers, and systems {@code steward.yaml} does not declare. */
    public static List<Diagnostic> systems(Collection<MastershipTable> tables, Set<String> knownSystems) {
        List<Diagnostic> diagnostics = new ArrayList<>();
        String known = knownSystems.isEmpty() ? "none" : String.join(", ", new TreeSet<>(knownSystems));
        for (MastershipTable table : tables) {
            for (MastershipRow row : table.rows()) {
                String what = row.entity() + " " + row.fields();
                if (!knownSystems.contains(row.master())) {
                    diagnostics.add(at(row.location(), what + ": unknown master system '" + row.master()
                            + "' (known systems: " + known + ")"));
                }
                if (row.subscribers().contains(row.master())) {
                    diagnostics.add(at(row.location(), what + ": " + row.master()
                            + " is the master and cannot also be a subscriber"));
                }
                for (String subscriber : row.subscribers()) {
                    if (!knownSystems.contains(subscriber)) {
                        diagnostics.add(at(row.location(), what + ": unknown subscriber system '" + subscriber
                                + "' (known systems: " + known + ")"));
                    }
                }
            }
        }
        return diagnostics;
    }

    private static String word(UnmasteredPolicy policy) {
        return policy.accept() ? "accept" : "reject";
    }

    private static Diagnostic at(SourceLocation location, String message) {
        return Diagnostic.error(location.file(), location.line(), location.column(), message);
    }
}
