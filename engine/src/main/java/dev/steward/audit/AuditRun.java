package dev.steward.audit;

import dev.steward.api.AuditProgress;
import dev.steward.api.AuditRepair;
import dev.steward.api.AuditRequest;
import dev.steward.api.Divergence;
import dev.steward.run.ActiveWorkspace;
import dev.steward.store.Store;

import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * One audit of one entity, up to its repairs: plan what to compare, read the records, compare,
 * explain each divergence from the store, and list (or enqueue) the repairs. Runs on the caller's
 * thread; not thread-safe.
 */
public final class AuditRun {

    /** What an audit found, before it is stored and reported. */
    public record Found(String scope, int records, long comparisons, List<String> systems, List<String> fields,
                        List<String> skipped, List<Divergence> divergences, List<AuditRepair> repairs) {
    }

    private AuditRun() {
    }

    /**
     * Audits the entity of {@code request} with the workspace's connectors; with
     * {@code request.apply()}, enqueues the repair events (returned {@code pending}).
     *
     * @throws dev.steward.run.NoSuchRecordTypeException when no mastership table names the entity
     */
    public static Found run(String id, AuditRequest request, ActiveWorkspace active, Store store, RandomGenerator random,
                            AuditProgress progress) {
        AuditPlan plan = AuditPlan.of(active.workspace(), request.entity());
        List<String> fields = plan.pairs().stream().map(AuditPlan.Pair::label).toList();
        if (plan.pairs().isEmpty()) {
            return new Found(scope(request), 0, 0, plan.systems(), fields, plan.skipped(), List.of(), List.of());
        }
        RecordSet records = request.all() ? RecordSet.all(plan, active.workspace(), active.connectors(), progress)
                : RecordSet.sample(plan, active.workspace(), active.connectors(), request.sample(), random, progress);
        Comparison comparison = new Comparison(active, plan);
        List<Comparison.Difference> differences = comparison.run(records, progress);
        History history = new History(store, plan.entity());
        List<Divergence> divergences = new ArrayList<>(differences.size());
        long explained = 0;
        for (Comparison.Difference difference : differences) {
            divergences.add(history.explain(difference));
            progress.step("history", ++explained, differences.size());
        }
        List<AuditRepair> repairs = List.of();
        if (request.repair()) {
            List<Repairs.Planned> planned = Repairs.plan(active.workspace(), plan, records, divergences);
            repairs = request.apply() ? Repairs.apply(store, id, plan.entity(), planned)
                    : planned.stream().map(Repairs.Planned::repair).toList();
        }
        return new Found(scope(request), records.keys().size(), comparison.comparisons(), plan.systems(), fields,
                plan.skipped(), divergences, repairs);
    }

    private static String scope(AuditRequest request) {
        return request.all() ? "all" : "sample of " + request.sample();
    }
}
