package dev.steward.run;

import dev.steward.plugin.Connector;
import dev.steward.plugin.EntityConfig;
import dev.steward.plugin.RecordWrite;
import dev.steward.plugin.SystemRecord;
import dev.steward.plugin.SystemUnavailableException;
import dev.steward.plugin.VersionConflictException;
import dev.steward.plugin.WriteOptions;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * A write for a system with {@code optimisticWrites: true}: read the record's version, write only
 * while it still has it ({@code If-Match}). If someone changed the record in between, read it
 * again and decide again, field by field: a field someone else changed meanwhile is left alone
 * (their change reaches Steward through their own webhook) unless another system masters it, in
 * which case the master's value still wins. A second conflict is retried later. Stateless.
 */
final class OptimisticWriter {

    private OptimisticWriter() {
    }

    /**
     * @param mastered native names of the fields another system masters: written even if they
     *                 changed in between
     * @param notes    what was decided again, for the trace
     */
    static void write(Connector connector, EntityConfig entity, String key, Map<String, Object> fields,
                      WriteOptions options, Predicate<String> mastered, List<String> notes) {
        Optional<SystemRecord> before = connector.readRecord(entity, key);
        Optional<String> version = before.flatMap(SystemRecord::version);
        if (version.isEmpty()) {
            connector.upsert(entity, RecordWrite.of(key, fields, options));
            return;
        }
        try {
            connector.upsert(entity, RecordWrite.ifVersion(key, fields, options, version.get()));
            return;
        } catch (VersionConflictException conflict) {
            notes.add("the record changed while Steward wrote it (version " + version.get() + "); read it again");
        }
        Optional<SystemRecord> now = connector.readRecord(entity, key);
        Map<String, Object> again = new LinkedHashMap<>();
        fields.forEach((name, value) -> {
            boolean changedMeanwhile = !Objects.equals(canonical(before.get().fields().get(name)),
                    canonical(now.map(r -> r.fields().get(name)).orElse(null)));
            if (changedMeanwhile && !mastered.test(name)) {
                notes.add(name + " was changed in the system meanwhile; left to its own webhook");
            } else {
                again.put(name, value);
            }
        });
        if (again.isEmpty()) {
            return;
        }
        try {
            connector.upsert(entity, new RecordWrite(key, again, options, now.flatMap(SystemRecord::version)));
        } catch (VersionConflictException twice) {
            throw new SystemUnavailableException("the record " + key + " keeps changing while Steward writes it; "
                    + "trying again later", twice);
        }
    }

    private static String canonical(Object value) {
        return Values.canonical(Values.toNode(value));
    }
}
