package dev.steward.audit;

import dev.steward.model.Flow;
import dev.steward.model.MastershipRow;
import dev.steward.model.MastershipTable;
import dev.steward.model.Step;
import dev.steward.model.Workspace;
import dev.steward.plugin.EntityConfig;
import dev.steward.plugin.SystemConfig;
import dev.steward.run.NoSuchRecordTypeException;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What an audit of one entity compares, from the mastership tables and the systems: each
 * mastered field, master against each subscriber, where both systems map the field; and the
 * flow that syncs it (the one whose source is the master and whose sync step writes to the
 * subscriber), whose transforms the master's values go through before they are compared.
 * Immutable.
 *
 * @param pairs   what to compare
 * @param skipped mastered fields that cannot be compared, with why
 * @param systems every system the pairs read, masters first
 */
record AuditPlan(String entity, List<Pair> pairs, List<String> skipped, List<String> systems) {

    /**
     * One mastered field of one subscriber.
     *
     * @param flow the flow that syncs the field from master to subscriber, or null when none does
     */
    record Pair(String field, String master, String subscriber, String masterNative, String subscriberNative, Flow flow) {

        String label() {
            return field + ": " + master + " -> " + subscriber;
        }
    }

    static AuditPlan of(Workspace workspace, String entity) {
        List<Pair> pairs = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        Set<String> masters = new LinkedHashSet<>();
        Set<String> subscribers = new LinkedHashSet<>();
        boolean mastered = false;
        for (MastershipTable table : workspace.mastership().values()) {
            for (MastershipRow row : table.rows()) {
                if (!row.entity().equals(entity)) {
                    continue;
                }
                mastered = true;
                Optional<EntityConfig> master = entityOf(workspace, row.master(), entity);
                for (String field : row.fields()) {
                    for (String subscriber : row.subscribers()) {
                        Optional<EntityConfig> target = entityOf(workspace, subscriber, entity);
                        String at = row.location().toString();
                        if (master.isEmpty() || !master.get().fields().containsKey(field)) {
                            skipped.add(field + ": " + row.master() + " does not map it (" + at + ")");
                        } else if (target.isEmpty() || !target.get().fields().containsKey(field)) {
                            skipped.add(field + ": " + subscriber + " does not map it (" + at + ")");
                        } else {
                            pairs.add(new Pair(field, row.master(), subscriber, master.get().fields().get(field),
                                    target.get().fields().get(field), syncingFlow(workspace, entity, row.master(), subscriber)
                                    .orElse(null)));
                            masters.add(row.master());
                            subscribers.add(subscriber);
                        }
                    }
                }
            }
        }
        if (!mastered) {
            throw new NoSuchRecordTypeException("no mastership table names the entity '" + entity + "'"
                    + " (rules/*.yaml name: " + String.join(", ", entities(workspace)) + ")");
        }
        Set<String> systems = new LinkedHashSet<>(masters);
        systems.addAll(subscribers);
        return new AuditPlan(entity, List.copyOf(pairs), List.copyOf(new LinkedHashSet<>(skipped)), List.copyOf(systems));
    }

    /** The system most pairs take their master value from: the one whose records a sample is drawn from. */
    String reference() {
        Map<String, Long> counts = new java.util.LinkedHashMap<>();
        pairs.forEach(p -> counts.merge(p.master(), 1L, Long::sum));
        return counts.entrySet().stream().max(Map.Entry.comparingByValue()).map(Map.Entry::getKey).orElseThrow();
    }

    private static Optional<EntityConfig> entityOf(Workspace workspace, String system, String entity) {
        SystemConfig config = workspace.systems().get(system);
        return config == null ? Optional.empty() : config.entity(entity);
    }

    static Optional<Flow> syncingFlow(Workspace workspace, String entity, String master, String subscriber) {
        return workspace.flows().values().stream()
                .filter(flow -> flow.source().equals(master) && flow.entity().equals(entity))
                .filter(flow -> flow.steps().stream().anyMatch(s -> s instanceof Step.Sync sync && sync.to().contains(subscriber)))
                .findFirst();
    }

    private static Set<String> entities(Workspace workspace) {
        Set<String> names = new java.util.TreeSet<>();
        workspace.mastership().values().forEach(t -> t.rows().forEach(r -> names.add(r.entity())));
        return names;
    }
}
