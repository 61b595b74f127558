package dev.steward.rules;

import dev.steward.model.DecisionTable;
import dev.steward.model.MastershipRow;
import dev.steward.model.MastershipTable;
import dev.steward.model.UnmasteredPolicy;
import org.kie.api.KieBase;
import org.kie.api.definition.rule.Rule;
import org.kie.api.event.rule.BeforeMatchFiredEvent;
import org.kie.api.event.rule.DefaultAgendaEventListener;
import org.kie.api.runtime.KieSession;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Mastership tables and DRL rules compiled together, ready to decide changes. Made by
 * {@link RuleSetCompiler}.
 *
 * <p>Immutable and thread-safe: every {@link #decide} call runs in a KieSession of its own, taken
 * from the KieBase's {@link SessionPool} and reset when it goes back.
 */
public final class RuleSet {

    static final String NO_MASTER = "no master";
    static final String UNMASTERED_ACCEPT = "unmastered: accept";

    private final Map<String, Map<String, MastershipRow>> rows = new HashMap<>();
    /** Per mastership row, its decisions made once: the row's location as text was a run's hot spot. */
    private final Map<MastershipRow, RowDecisions> rowDecisions = new java.util.IdentityHashMap<>();
    private final Map<String, UnmasteredPolicy> unmastered = new HashMap<>();
    /** Per entity, what decides a change no row masters. */
    private final Map<String, Decision> unmasteredDecisions = new HashMap<>();
    /** What decides a change no row masters: the tables that were consulted. */
    private final String tablesConsulted;
    /** The decision of a change no row masters, of an entity no policy names. */
    private final Decision noMaster;
    /** Halts sessions past their time budget; one daemon thread for every rule set. */
    private static final ScheduledExecutorService WATCHDOG = watchdog();
    private static final int RUNNING = 0;
    private static final int DONE = 1;
    private static final int HALTED = 2;

    private final DrlCompilation drl;
    private final int maxFirings;
    private final Duration budget;
    /** Decision tables, in the order the flow lists them. */
    private final List<TableDecider> decisionTables;

    RuleSet(List<MastershipTable> tables, DrlCompilation drl, int maxFirings, Duration budget) {
        this(tables, List.of(), drl, maxFirings, budget);
    }

    RuleSet(List<MastershipTable> tables, List<DecisionTable> decisionTables, DrlCompilation drl, int maxFirings,
            Duration budget) {
        this.decisionTables = decisionTables.stream().map(TableDecider::new).toList();
        for (MastershipTable table : tables) {
            for (MastershipRow row : table.rows()) {
                for (String field : row.fields()) {
                    // The compiler refuses two masters for one field, so the first row is the only one.
                    rows.computeIfAbsent(row.entity(), e -> new HashMap<>()).putIfAbsent(field, row);
                }
            }
            for (UnmasteredPolicy policy : table.unmastered()) {
                unmastered.putIfAbsent(policy.entity(), policy);
            }
        }
        this.tablesConsulted = tables.isEmpty() ? "mastership"
                : tables.stream().map(MastershipTable::file).distinct().collect(Collectors.joining(", "));
        this.noMaster = new Decision(Outcome.REJECT, NO_MASTER, tablesConsulted);
        rows.values().forEach(byField -> byField.values().forEach(row -> rowDecisions.computeIfAbsent(row, RowDecisions::new)));
        unmastered.forEach((entity, policy) -> unmasteredDecisions.put(entity, policy.accept()
                ? new Decision(Outcome.ACCEPT, UNMASTERED_ACCEPT, policy.location().toString())
                : new Decision(Outcome.REJECT, NO_MASTER, policy.location().toString())));
        this.drl = drl;
        this.maxFirings = maxFirings;
        this.budget = budget;
    }

    /** The mastership row for a field, if a table masters it. */
    public Optional<MastershipRow> rowFor(String entity, String field) {
        return Optional.ofNullable(rows.getOrDefault(entity, Map.of()).get(field));
    }

    /** The field's master system, if a table masters it. */
    public Optional<String> masterOf(String entity, String field) {
        return rowFor(entity, field).map(MastershipRow::master);
    }

    /** {@link #masterOf} without the Optional: the field's master system, or null. */
    public String masterOrNull(String entity, String field) {
        MastershipRow row = row(entity, field);
        return row == null ? null : row.master();
    }

    /**
     * The mastership row of the change's field when that row made the change's decision (not a
     * decision table or a DRL rule, which name themselves); null otherwise.
     */
    public MastershipRow decidingRow(FieldChange change) {
        MastershipRow row = row(change.getEntity(), change.getField());
        return row == null || change.getDecision() == null
                || !change.getDecision().by().equals(rowDecisions.get(row).by) ? null : row;
    }

    private MastershipRow row(String entity, String field) {
        Map<String, MastershipRow> byField = rows.get(entity);
        return byField == null ? null : byField.get(field);
    }

    /**
     * Decides every change of one record. Mastership decides first: a change from the field's
     * master is accepted, any other rejected, each with the row's reason; a field no row
     * masters is rejected ({@code no master}) unless its entity is {@code unmastered: accept}.
     * Then each decision table, in the flow's order: the row it picks overrides what was decided
     * before, except that {@code invalid} is final (a table that fails, a regex that backtracks
     * without end, makes every change invalid). Then the DRL rules fire over the record and all
     * its changes, and what they decide overrides mastership and tables, except that
     * {@code invalid} is final.
     *
     * <p>Rules that do not settle within the firing bound (a rule that keeps re-triggering
     * itself) or the time budget make every change invalid rather than hold the worker, so the
     * record is quarantined and not retried; so does a rule that throws. The budget is checked
     * between firings: a consequence cannot loop (the DRL policy refuses loops), but a trusted
     * one, or one slow call, runs to its end first.
     */
    public void decide(Record record, List<FieldChange> changes) {
        for (FieldChange change : changes) {
            change.decide(mastership(change));
        }
        for (TableDecider table : decisionTables) {
            try {
                table.decide(record, changes);
            } catch (RuntimeException e) {
                invalidateAll(changes, new Decision(Outcome.INVALID, "the decision table failed on this record: "
                        + rootMessage(e), table.file()));
                return;
            }
        }
        if (drl.kieBase() != null) {
            fire(record, changes);
        }
    }

    private Decision mastership(FieldChange change) {
        MastershipRow row = row(change.getEntity(), change.getField());
        if (row != null) {
            RowDecisions decisions = rowDecisions.get(row);
            return row.master().equals(change.getSource()) ? decisions.accept : decisions.reject;
        }
        Decision unmasteredDecision = unmasteredDecisions.get(change.getEntity());
        return unmasteredDecision != null ? unmasteredDecision : noMaster;
    }

    /** A mastership row's two decisions (decisions are immutable, so every change may share them). */
    private static final class RowDecisions {
        final String by;
        final Decision accept;
        final Decision reject;

        RowDecisions(MastershipRow row) {
            by = row.location().toString();
            accept = new Decision(Outcome.ACCEPT, row.reason(), by);
            reject = new Decision(Outcome.REJECT, row.reason(), by);
        }
    }

    private void fire(Record record, List<FieldChange> changes) {
        Firings firings = new Firings();
        changes.forEach(change -> change.track(firings));
        // A pooled session: dispose() resets it and gives it back (SessionPool).
        KieSession session = drl.sessions().take();
        Budget watch = new Budget(session);
        try {
            session.addEventListener(firings);
            session.insert(record);
            changes.forEach(session::insert);
            ScheduledFuture<?> watchdog = WATCHDOG.schedule(watch::halt, budget.toNanos(), TimeUnit.NANOSECONDS);
            int fired;
            try {
                fired = session.fireAllRules(maxFirings);
            } finally {
                watchdog.cancel(false);
            }
            if (!watch.finish()) {
                String by = firings.current == null ? "rules" : drl.describe(firings.current);
                invalidateAll(changes, new Decision(Outcome.INVALID, "the rules did not decide within "
                        + budget.toMillis() + " ms (" + fired + " firings); halted", by));
            } else if (fired >= maxFirings) {
                Rule busiest = firings.busiest();
                invalidateAll(changes, new Decision(Outcome.INVALID, "the rules did not settle after " + fired
                        + " firings; rule \"" + busiest.getName() + "\" fired " + firings.count(busiest)
                        + " times", drl.describe(busiest)));
            }
        } catch (RuntimeException e) {
            // A rule that throws (a condition parsing a number that is not one) says nothing
            // about the other rules; the record cannot be decided, so nothing of it is written.
            String by = firings.current == null ? "rules" : drl.describe(firings.current);
            invalidateAll(changes, new Decision(Outcome.INVALID, "the rules failed on this record: " + rootMessage(e), by));
        } finally {
            // Only once the watchdog can no longer halt it may the session serve another run.
            watch.finish();
            session.removeEventListener(firings);
            session.dispose();
            changes.forEach(change -> change.track(RuleTracker.NONE));
        }
    }

    private static void invalidateAll(List<FieldChange> changes, Decision decision) {
        changes.forEach(change -> change.decide(decision));
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    }

    private static ScheduledExecutorService watchdog() {
        ScheduledThreadPoolExecutor watchdog = new ScheduledThreadPoolExecutor(1, task -> {
            Thread thread = new Thread(task, "steward-rules-watchdog");
            thread.setDaemon(true);
            return thread;
        });
        // Nearly every decision ends in time: its cancelled timer must leave the queue at once.
        watchdog.setRemoveOnCancelPolicy(true);
        return watchdog;
    }

    /** The KieBase, for tests of the compiler's cache. */
    KieBase kieBase() {
        return drl.kieBase();
    }

    /**
     * One decision's time budget: the watchdog halts the session only while the decision runs,
     * and once {@link #finish} has returned it never touches the session again, so the session
     * can go back to the pool without a late halt stopping the next run's rules.
     */
    private static final class Budget {

        private final KieSession session;
        private int state = RUNNING;

        Budget(KieSession session) {
            this.session = session;
        }

        synchronized void halt() {
            if (state == RUNNING) {
                state = HALTED;
                session.halt();
            }
        }

        /** Ends the decision; false when the watchdog halted it first. */
        synchronized boolean finish() {
            if (state == RUNNING) {
                state = DONE;
            }
            return state == DONE;
        }
    }

    /** Which rule is firing and how often each has, for one session on one thread. */
    private final class Firings extends DefaultAgendaEventListener implements RuleTracker {

        private final Map<Rule, Integer> counts = new HashMap<>();
        private Rule current;

        @Override
        public void beforeMatchFired(BeforeMatchFiredEvent event) {
            current = event.getMatch().getRule();
            counts.merge(current, 1, Integer::sum);
        }

        @Override
        public String currentRule() {
            return current == null ? RuleTracker.NONE.currentRule() : drl.describe(current);
        }

        Rule busiest() {
            return counts.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
        }

        int count(Rule rule) {
            return counts.getOrDefault(rule, 0);
        }
    }
}
