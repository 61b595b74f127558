package dev.steward.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.steward.api.AuditRepair;
import dev.steward.api.Divergence;
import dev.steward.model.Flow;
import dev.steward.model.Workspace;
import dev.steward.plugin.EntityConfig;
import dev.steward.run.Values;
import dev.steward.store.Intake;
import dev.steward.store.NewEvent;
import dev.steward.store.Store;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An audit's repairs: for each divergent record, an event of the flow that syncs the master's
 * fields to the subscriber, carrying the master's record as its webhook would (its native values
 * at the flow's payload paths). Applying one first forgets what Steward knows the master holds in
 * the divergent fields, so the run sees them as changes, decides them with the flow's rules and
 * writes them through the sync step: the subscriber's rate limits, idempotency key, ledger and
 * trace, like any other run. Stateless.
 */
final class Repairs {

    /** A repair with the event that makes it. */
    record Planned(AuditRepair repair, Flow flow, String payload) {
    }

    private Repairs() {
    }

    static List<Planned> plan(Workspace workspace, AuditPlan plan, RecordSet records, List<Divergence> divergences) {
        Map<String, Map<String, List<Divergence>>> byKeyAndMaster = new LinkedHashMap<>();
        for (Divergence d : divergences) {
            byKeyAndMaster.computeIfAbsent(d.key(), k -> new LinkedHashMap<>())
                    .computeIfAbsent(d.master(), m -> new ArrayList<>()).add(d);
        }
        List<Planned> out = new ArrayList<>();
        byKeyAndMaster.forEach((key, byMaster) -> byMaster.forEach((master, list) -> {
            Map<Flow, List<Divergence>> byFlow = new LinkedHashMap<>();
            for (Divergence d : list) {
                Flow flow = AuditPlan.syncingFlow(workspace, plan.entity(), master, d.subscriber()).orElse(null);
                if (flow == null) {
                    out.add(new Planned(new AuditRepair(key, master, null, Map.of(d.field(), String.valueOf(d.masterValue())),
                            List.of(d.subscriber()), null, "not repairable", "no flow of " + master + " syncs "
                            + plan.entity() + " to " + d.subscriber()), null, null));
                } else if (!d.masterHasRecord()) {
                    out.add(new Planned(new AuditRepair(key, master, flow.id(), Map.of(), List.of(d.subscriber()), null,
                            "not repairable", "the master " + master + " has no record " + key), null, null));
                } else {
                    byFlow.computeIfAbsent(flow, f -> new ArrayList<>()).add(d);
                }
            }
            byFlow.forEach((flow, fixes) -> {
                Map<String, Object> fields = new LinkedHashMap<>();
                Set<String> targets = new LinkedHashSet<>();
                fixes.forEach(d -> {
                    fields.put(d.field(), d.masterValue());
                    targets.add(d.subscriber());
                });
                String payload = payload(workspace, plan.entity(), flow, key, records.record(key, master));
                out.add(new Planned(new AuditRepair(key, master, flow.id(), fields, List.copyOf(targets), null, "dry-run",
                        null), flow, payload));
            });
        }));
        return out;
    }

    /** Enqueues the repairable ones; returns every repair with its event (status {@code pending}) or why not. */
    static List<AuditRepair> apply(Store store, String auditId, String entity, List<Planned> planned) {
        List<AuditRepair> out = new ArrayList<>();
        for (Planned p : planned) {
            if (p.flow() == null) {
                out.add(p.repair());
                continue;
            }
            AuditRepair repair = p.repair();
            store.forget(repair.master(), entity, repair.key(), repair.fields().keySet());
            Intake intake = store.accept(new NewEvent(p.flow().id(), "audit:" + auditId + ":" + repair.key(), entity,
                    repair.key(), p.payload()));
            out.add(repair.withOutcome(intake.eventId(), "pending", null));
        }
        return out;
    }

    /** The master's record as the flow's webhook carries it: its key and mapped fields at the flow's paths. */
    private static String payload(Workspace workspace, String entity, Flow flow, String key, Map<String, Object> master) {
        ObjectNode root = Values.JSON.createObjectNode();
        Values.put(root, flow.keyPath(), Values.toNode(key));
        EntityConfig config = workspace.systems().get(flow.source()).entity(entity).orElseThrow();
        flow.fields().forEach((field, path) -> {
            String nativeName = config.fields().get(field);
            if (nativeName != null && master.containsKey(nativeName)) {
                Values.put(root, path, Values.toNode(master.get(nativeName)));
            }
        });
        return Values.canonical(root);
    }

}
