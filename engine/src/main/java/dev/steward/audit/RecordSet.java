package dev.steward.audit;

import dev.steward.api.AuditProgress;
import dev.steward.model.Workspace;
import dev.steward.plugin.ActionNotSupportedException;
import dev.steward.plugin.Connector;
import dev.steward.plugin.EntityConfig;
import dev.steward.plugin.Page;
import dev.steward.plugin.SystemRecord;
import dev.steward.run.Connectors;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.random.RandomGenerator;

/**
 * The records an audit compares, read through the systems' connectors: key to system to the
 * record's native fields (a system without the record is absent). All of them ({@link #all}: every
 * system listed page by page), or a uniform random sample of the reference system's records
 * ({@link #sample}: one pass over its list, keeping a reservoir) read by key from the others.
 * Not thread-safe; one per audit.
 */
final class RecordSet {

    /** Records per {@link Connector#list} call. */
    static final int PAGE = 1000;

    private final Map<String, Map<String, Map<String, Object>>> byKey = new HashMap<>();

    /** The keys, in order. */
    List<String> keys() {
        return List.copyOf(new TreeSet<>(byKey.keySet()));
    }

    /** A system's record of a key, or null when it has none. */
    Map<String, Object> record(String key, String system) {
        Map<String, Map<String, Object>> systems = byKey.get(key);
        return systems == null ? null : systems.get(system);
    }

    private void put(String key, String system, Map<String, Object> fields) {
        byKey.computeIfAbsent(key, k -> new HashMap<>(4)).put(system, fields);
    }

    static RecordSet all(AuditPlan plan, Workspace workspace, Connectors connectors, AuditProgress progress) {
        RecordSet set = new RecordSet();
        for (String system : plan.systems()) {
            EntityConfig entity = entity(workspace, system, plan.entity());
            Connector connector = connectors.get(system).orElseThrow();
            long listed = 0;
            Optional<String> cursor = Optional.empty();
            do {
                Page page = list(system, connector, entity, cursor);
                for (SystemRecord record : page.records()) {
                    set.put(record.key(), system, record.fields());
                }
                listed += page.records().size();
                progress.step("list " + system, listed, -1);
                cursor = page.next();
            } while (cursor.isPresent());
        }
        return set;
    }

    static RecordSet sample(AuditPlan plan, Workspace workspace, Connectors connectors, int size, RandomGenerator random,
                            AuditProgress progress) {
        String reference = plan.reference();
        EntityConfig referenceEntity = entity(workspace, reference, plan.entity());
        Connector referenceConnector = connectors.get(reference).orElseThrow();
        List<SystemRecord> reservoir = new ArrayList<>(size);
        long seen = 0;
        Optional<String> cursor = Optional.empty();
        do {
            Page page = list(reference, referenceConnector, referenceEntity, cursor);
            for (SystemRecord record : page.records()) {
                seen++;
                if (reservoir.size() < size) {
                    reservoir.add(record);
                } else {
                    long slot = random.nextLong(seen);
                    if (slot < size) {
                        reservoir.set((int) slot, record);
                    }
                }
            }
            progress.step("list " + reference, seen, -1);
            cursor = page.next();
        } while (cursor.isPresent());
        RecordSet set = new RecordSet();
        reservoir.forEach(record -> set.put(record.key(), reference, record.fields()));
        for (String system : plan.systems()) {
            if (system.equals(reference)) {
                continue;
            }
            EntityConfig entity = entity(workspace, system, plan.entity());
            Connector connector = connectors.get(system).orElseThrow();
            long read = 0;
            for (SystemRecord sampled : reservoir) {
                connector.read(entity, sampled.key()).ifPresent(fields -> set.put(sampled.key(), system, fields));
                progress.step("read " + system, ++read, reservoir.size());
            }
        }
        return set;
    }

    /** One page; a connector without {@code list} is named, with what an audit needs of it. */
    private static Page list(String system, Connector connector, EntityConfig entity, Optional<String> cursor) {
        try {
            return connector.list(entity, cursor, PAGE);
        } catch (ActionNotSupportedException e) {
            throw new ActionNotSupportedException("system '" + system + "' cannot list its " + entity.name()
                    + " records, which an audit reads: " + e.getMessage(), e.action());
        }
    }

    private static EntityConfig entity(Workspace workspace, String system, String entity) {
        return workspace.systems().get(system).entity(entity).orElseThrow();
    }
}
