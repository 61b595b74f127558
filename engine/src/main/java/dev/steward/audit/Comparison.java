package dev.steward.audit;

import com.fasterxml.jackson.databind.JsonNode;
import dev.steward.api.AuditProgress;
import dev.steward.model.Flow;
import dev.steward.model.Step;
import dev.steward.plugin.EntityConfig;
import dev.steward.run.ActiveWorkspace;
import dev.steward.run.Values;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Compares each record's mastered fields, master against subscriber, the way a run would see
 * them: the master's native fields under their canonical names, through the syncing flow's
 * transforms, then both values in Steward's canonical form ({@code 5000.00} and {@code 5000} are
 * equal). Not thread-safe; one per audit.
 */
final class Comparison {

    /** One field that differs, before its history is looked up. */
    record Difference(String key, AuditPlan.Pair pair, boolean masterHasRecord, Object masterValue,
                      boolean subscriberHasRecord, Object subscriberValue) {
    }

    private final ActiveWorkspace active;
    private final AuditPlan plan;
    private long comparisons;

    Comparison(ActiveWorkspace active, AuditPlan plan) {
        this.active = active;
        this.plan = plan;
    }

    long comparisons() {
        return comparisons;
    }

    List<Difference> run(RecordSet records, AuditProgress progress) {
        List<Difference> out = new ArrayList<>();
        List<String> keys = records.keys();
        long done = 0;
        for (String key : keys) {
            Map<Flow, Map<String, JsonNode>> masterViews = new HashMap<>();
            for (AuditPlan.Pair pair : plan.pairs()) {
                Map<String, Object> master = records.record(key, pair.master());
                Map<String, Object> subscriber = records.record(key, pair.subscriber());
                if (master == null && subscriber == null) {
                    continue;
                }
                comparisons++;
                String masterJson = null;
                Object masterValue = null;
                if (master != null) {
                    JsonNode node = masterView(key, pair, master, masterViews).get(pair.field());
                    masterJson = Values.canonical(node);
                    masterValue = Values.plain(node);
                }
                String subscriberJson = null;
                Object subscriberValue = null;
                if (subscriber != null) {
                    JsonNode node = Values.toNode(subscriber.get(pair.subscriberNative()));
                    subscriberJson = Values.canonical(node);
                    subscriberValue = Values.plain(node);
                }
                if (masterJson == null || !masterJson.equals(subscriberJson)) {
                    out.add(new Difference(key, pair, master != null, masterValue, subscriber != null, subscriberValue));
                }
            }
            progress.step("compare", ++done, keys.size());
        }
        return out;
    }

    /**
     * The master's record under canonical names, through the flow's transforms when it has any
     * (cached per flow for the record). A transform that fails leaves the values as read.
     */
    private Map<String, JsonNode> masterView(String key, AuditPlan.Pair pair, Map<String, Object> master,
                                             Map<Flow, Map<String, JsonNode>> views) {
        Flow flow = pair.flow();
        Map<String, JsonNode> cached = views.get(flow);
        if (cached != null) {
            return cached;
        }
        EntityConfig entity = active.workspace().systems().get(pair.master()).entity(plan.entity()).orElseThrow();
        Map<String, JsonNode> fields = new LinkedHashMap<>();
        for (Map.Entry<String, String> mapped : entity.fields().entrySet()) {
            if (flow == null || flow.fields().containsKey(mapped.getKey())) {
                fields.put(mapped.getKey(), Values.toNode(master.get(mapped.getValue())));
            }
        }
        if (flow != null && flow.steps().stream().anyMatch(s -> s instanceof Step.Transform)) {
            Map<String, JsonNode> transformed = new LinkedHashMap<>(fields);
            if (active.transform(flow, key, transformed).isEmpty()) {
                fields = transformed;
            }
        }
        // A field the flow does not carry is still compared, as read.
        for (Map.Entry<String, String> mapped : entity.fields().entrySet()) {
            fields.putIfAbsent(mapped.getKey(), Values.toNode(master.get(mapped.getValue())));
        }
        views.put(flow, fields);
        return fields;
    }
}
