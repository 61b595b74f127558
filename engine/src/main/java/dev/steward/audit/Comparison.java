package dev.steward.audit;

import com.fasterxml.jackson.databind.JsonNode;
import dev.steward.api.AuditProgress;
import dev.steward.model.Flow;
import dev.steward.model.Step;
import dev.steward.plugin.EntityConfig;
import dev.steward.run.ActiveWorkspace;
import dev.steward.run.Values;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Compares each record's mastered fields, master against subscriber, the way a run would see
 * them: the master's native fields under their canonical names, through the syncing flow's
 * transforms, then both values as Steward compares them, in canonical form ({@code 5000.00} and
 * {@code 5000} are equal). Texts, whole and decimal numbers, booleans and nulls compare without
 * building their JSON (the common case, and most of an audit's time over many records); other
 * values through {@link Values#canonical}. Not thread-safe; one per audit.
 */
final class Comparison {

    /** One field that differs, before its history is looked up; values in plain canonical form. */
    record Difference(String key, AuditPlan.Pair pair, boolean masterHasRecord, Object masterValue,
                      boolean subscriberHasRecord, Object subscriberValue) {
    }

    private final ActiveWorkspace active;
    private final AuditPlan plan;
    private final Map<String, EntityConfig> masters = new HashMap<>();
    private final java.util.Set<Flow> transforming = new java.util.HashSet<>();
    private long comparisons;

    Comparison(ActiveWorkspace active, AuditPlan plan) {
        this.active = active;
        this.plan = plan;
        plan.pairs().forEach(pair -> masters.computeIfAbsent(pair.master(),
                m -> active.workspace().systems().get(m).entity(plan.entity()).orElseThrow()));
        plan.pairs().stream().map(AuditPlan.Pair::flow)
                .filter(flow -> flow != null && flow.steps().stream().anyMatch(s -> s instanceof Step.Transform))
                .forEach(transforming::add);
    }

    long comparisons() {
        return comparisons;
    }

    List<Difference> run(RecordSet records, AuditProgress progress) {
        List<Difference> out = new ArrayList<>();
        List<String> keys = records.keys();
        long done = 0;
        for (String key : keys) {
            Map<Flow, Map<String, Object>> transformed = null;
            for (AuditPlan.Pair pair : plan.pairs()) {
                Map<String, Object> master = records.record(key, pair.master());
                Map<String, Object> subscriber = records.record(key, pair.subscriber());
                if (master == null && subscriber == null) {
                    continue;
                }
                comparisons++;
                Object masterValue = null;
                if (master != null) {
                    if (pair.flow() != null && transforming.contains(pair.flow())) {
                        if (transformed == null) {
                            transformed = new HashMap<>();
                        }
                        masterValue = transformed.computeIfAbsent(pair.flow(), flow -> masterView(key, pair, master))
                                .get(pair.field());
                    } else {
                        masterValue = master.get(pair.masterNative());
                    }
                }
                Object subscriberValue = subscriber == null ? null : subscriber.get(pair.subscriberNative());
                if (master == null || subscriber == null || !same(masterValue, subscriberValue)) {
                    out.add(new Difference(key, pair, master != null, Values.normalized(masterValue), subscriber != null,
                            Values.normalized(subscriberValue)));
                }
            }
            progress.step("compare", ++done, keys.size());
        }
        return out;
    }

    /** Whether two values have the same canonical JSON, as {@code Values.canonical(Values.toNode(x))} would say. */
    static boolean same(Object a, Object b) {
        if (a == null || b == null) {
            return a == b;
        }
        if (a instanceof String x && b instanceof String y) {
            return x.equals(y);
        }
        if (a instanceof Boolean x && b instanceof Boolean y) {
            return x.equals(y);
        }
        if (exactNumber(a) && exactNumber(b)) {
            return decimal(a).compareTo(decimal(b)) == 0;
        }
        if ((a instanceof String || a instanceof Boolean || exactNumber(a))
                && (b instanceof String || b instanceof Boolean || exactNumber(b))) {
            return false;
        }
        return Values.canonical(Values.toNode(a)).equals(Values.canonical(Values.toNode(b)));
    }

    private static boolean exactNumber(Object value) {
        return value instanceof BigDecimal || value instanceof Long || value instanceof Integer || value instanceof Short
                || value instanceof java.math.BigInteger;
    }

    private static BigDecimal decimal(Object value) {
        return value instanceof BigDecimal d ? d : new BigDecimal(value.toString());
    }

    /**
     * The master's record under canonical names through the flow's transforms, as plain values.
     * A transform that fails leaves the values as read.
     */
    private Map<String, Object> masterView(String key, AuditPlan.Pair pair, Map<String, Object> master) {
        Flow flow = pair.flow();
        EntityConfig entity = masters.get(pair.master());
        Map<String, JsonNode> fields = new LinkedHashMap<>();
        for (Map.Entry<String, String> mapped : entity.fields().entrySet()) {
            if (flow.fields().containsKey(mapped.getKey())) {
                fields.put(mapped.getKey(), Values.toNode(master.get(mapped.getValue())));
            }
        }
        Map<String, Object> view = new HashMap<>();
        if (active.transform(flow, key, fields).isEmpty()) {
            fields.forEach((field, node) -> view.put(field, Values.plain(node)));
        }
        // A field the flow does not carry, or a record its transform refused, is compared as read.
        entity.fields().forEach((field, nativeName) -> view.putIfAbsent(field, master.get(nativeName)));
        return view;
    }
}
