package dev.steward.batch;

import com.fasterxml.jackson.databind.JsonNode;
import dev.steward.api.FirstSyncReport;
import dev.steward.model.Flow;
import dev.steward.model.MastershipRow;
import dev.steward.model.Workspace;
import dev.steward.plugin.Connector;
import dev.steward.plugin.EntityConfig;
import dev.steward.plugin.SystemConfig;
import dev.steward.rules.RuleSet;
import dev.steward.run.ActiveWorkspace;
import dev.steward.run.Values;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A dry run's first-sync report, built a record at a time: each record read by key in every
 * system that holds the flow's entity (the listed system has it by definition), keys seen before,
 * mastered fields on which a subscriber holds another value than the master, and records the run
 * would reject. Counts are exact; examples are kept up to {@link BatchRunner#EXAMPLES} a kind.
 * Not thread-safe.
 */
final class FirstSync {

    private final Flow flow;
    private final RuleSet rules;
    private final String listed;
    private final Map<String, EntityConfig> systems = new LinkedHashMap<>();
    private final Map<String, Connector> connectors = new LinkedHashMap<>();
    private final Map<String, Long> matched = new LinkedHashMap<>();
    private final Map<String, Long> missing = new LinkedHashMap<>();
    private final Map<String, Long> wouldWrite = new LinkedHashMap<>();
    private final KeyHashes keys = new KeyHashes();
    private final List<String> duplicateExamples = new ArrayList<>();
    private final List<FirstSyncReport.Conflict> conflictExamples = new ArrayList<>();
    private final List<FirstSyncReport.Invalid> invalidExamples = new ArrayList<>();
    private long records;
    private long duplicates;
    private long conflicts;
    private long invalid;
    private long writing;

    /** @param listed the system whose listing is the input, or null for a file */
    FirstSync(Workspace workspace, ActiveWorkspace active, Flow flow, String listed) {
        this.flow = flow;
        this.rules = active.ruleSet(flow.id());
        this.listed = listed;
        for (Map.Entry<String, SystemConfig> system : workspace.systems().entrySet()) {
            Optional<EntityConfig> entity = system.getValue().entity(flow.entity());
            Optional<Connector> connector = active.connectors().get(system.getKey());
            if (entity.isPresent() && connector.isPresent()) {
                systems.put(system.getKey(), entity.get());
                connectors.put(system.getKey(), connector.get());
                matched.put(system.getKey(), 0L);
                missing.put(system.getKey(), 0L);
            }
        }
    }

    void add(InputRecords.InputRecord input, String key, String rejected, Collection<String> targets) {
        records++;
        if (key != null && !keys.add(key)) {
            duplicates++;
            if (duplicateExamples.size() < BatchRunner.EXAMPLES) {
                duplicateExamples.add(key + " (" + input.at() + ")");
            }
        }
        if (rejected != null) {
            invalid++;
            if (invalidExamples.size() < BatchRunner.EXAMPLES) {
                invalidExamples.add(new FirstSyncReport.Invalid(input.at(), key, rejected));
            }
        }
        if (!targets.isEmpty()) {
            writing++;
        }
        targets.forEach(target -> wouldWrite.merge(target, 1L, Long::sum));
        if (key != null) {
            compare(input.payload(), key);
        }
    }

    /** Reads the record in each system, counts it matched or missing, and looks for conflicts. */
    private void compare(JsonNode payload, String key) {
        Map<String, Map<String, Object>> held = new LinkedHashMap<>();
        systems.forEach((system, entity) -> {
            if (system.equals(listed)) {
                matched.merge(system, 1L, Long::sum);
                return;
            }
            Optional<Map<String, Object>> found = connectors.get(system).read(entity, key);
            (found.isPresent() ? matched : missing).merge(system, 1L, Long::sum);
            found.ifPresent(values -> held.put(system, values));
        });
        for (String field : flow.fields().keySet()) {
            Optional<MastershipRow> row = rules == null ? Optional.empty() : rules.rowFor(flow.entity(), field);
            if (row.isEmpty()) {
                continue;
            }
            Optional<Object> master = value(row.get().master(), field, payload, held);
            if (master.isEmpty()) {
                continue;
            }
            for (String subscriber : row.get().subscribers()) {
                Optional<Object> value = value(subscriber, field, payload, held);
                if (value.isPresent() && !TargetWriter.same(master.get(), value.get())) {
                    conflicts++;
                    if (conflictExamples.size() < BatchRunner.EXAMPLES) {
                        conflictExamples.add(new FirstSyncReport.Conflict(key, field, row.get().master(),
                                Values.normalized(master.get()), subscriber, Values.normalized(value.get())));
                    }
                }
            }
        }
    }

    /** A field's value in a system: the input's for the flow's source, else as the system holds it. */
    private Optional<Object> value(String system, String field, JsonNode payload,
                                   Map<String, Map<String, Object>> held) {
        if (system.equals(flow.source())) {
            JsonNode node = Values.at(payload, flow.fields().get(field));
            return node.isMissingNode() ? Optional.empty() : Optional.ofNullable(Values.plain(node));
        }
        Map<String, Object> values = held.get(system);
        EntityConfig entity = systems.get(system);
        if (values == null || entity == null || !entity.fields().containsKey(field)
                || !values.containsKey(entity.fields().get(field))) {
            return Optional.empty();
        }
        return Optional.ofNullable(values.get(entity.fields().get(field)));
    }

    long wouldWriteAny() {
        return writing;
    }

    long invalidCount() {
        return invalid;
    }

    private static Map<String, Long> ordered(Map<String, Long> counts) {
        return java.util.Collections.unmodifiableMap(new LinkedHashMap<>(counts));
    }

    FirstSyncReport report() {
        return new FirstSyncReport(records, ordered(matched), ordered(missing), ordered(wouldWrite), duplicates,
                List.copyOf(duplicateExamples), conflicts, List.copyOf(conflictExamples), invalid,
                List.copyOf(invalidExamples));
    }
}
