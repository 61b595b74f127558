package dev.steward.host;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The convergence test of issue 3: a CRM and an ERP as real HTTP servers that send a webhook
 * for every change, Steward's writes included, one Steward host between them, and random
 * sequences of user edits on both sides (subscribers editing mastered fields too) with webhooks
 * delayed, reordered, duplicated and redelivered late. Each sequence is played to quiescence and
 * then {@link ConvergenceChecks} must find nothing wrong. Both properties run with fixed seeds,
 * so CI runs the same sequences every time and a failure reproduces.
 */
class ConvergenceIT {

    private static final int RECORDS = 2;
    private static final AtomicInteger TRIES = new AtomicInteger();
    private static final Figures FIGURES = new Figures();
    private static ConvergenceWorld world;

    @BeforeContainer
    static void start() {
        world = ConvergenceWorld.start();
    }

    @AfterContainer
    static void stop() {
        System.out.println(FIGURES);
        if (world != null) {
            world.close();
        }
    }

    @Property(tries = 300, seed = "3", shrinking = ShrinkingMode.OFF)
    void withEnforceEverySubscriberEndsWithItsMastersLatestValue(@ForAll("sequences") List<ConvergenceStep> steps,
                                                                   @ForAll long drainOrder) {
        play(true, steps, drainOrder);
    }

    @Property(tries = 300, seed = "33", shrinking = ShrinkingMode.OFF)
    void withoutEnforceASubscriberKeepsOnlyItsOwnRejectedEdits(@ForAll("sequences") List<ConvergenceStep> steps,
                                                                @ForAll long drainOrder) {
        play(false, steps, drainOrder);
    }

    /**
     * Systems whose webhooks carry no version: Steward tells an echo from an edit by value only.
     * Each system's webhooks come in the order it sent them, but late: Steward may write a field
     * twice before the first write's echo arrives, and that echo must still be recognised.
     */
    @Property(tries = 200, seed = "333", shrinking = ShrinkingMode.OFF)
    void withoutVersionsAnEchoOfAnyRecentWriteIsRecognised(@ForAll("sequences") List<ConvergenceStep> steps,
                                                          @ForAll long drainOrder) {
        play(true, false, steps, drainOrder);
    }

    /**
     * Regression (unversioned): the ERP changes a status twice, Steward writes both values to
     * the CRM, and only then do the CRM's two webhooks arrive, in order. With only the latest
     * write remembered, the first echo looked like a CRM user's edit: rejected and healed by
     * writing the value the CRM held already.
     */
    @Example
    void withoutVersionsTheEchoOfAnEarlierWriteIsNotHealed() {
        // Deliver(1) picks the ERP's webhook: the CRM's echo of the first write is queued first.
        play(true, false, List.of(new ConvergenceStep.Edit("erp", 0, "status"), new ConvergenceStep.Deliver(0),
                new ConvergenceStep.Edit("erp", 0, "status"), new ConvergenceStep.Deliver(1),
                new ConvergenceStep.Deliver(0), new ConvergenceStep.Deliver(0)), 0);
    }

    /**
     * Regression (unversioned): after both echoes of Steward's two writes came back, a CRM user
     * sets the field back to the first written value. That is an edit, not a third echo.
     */
    @Example
    void withoutVersionsAnUndoToAnEarlierWrittenValueIsAnEdit() {
        play(true, false, List.of(new ConvergenceStep.Edit("erp", 0, "status"), new ConvergenceStep.Deliver(0),
                new ConvergenceStep.Edit("erp", 0, "status"), new ConvergenceStep.Deliver(1),
                new ConvergenceStep.Flush(0), new ConvergenceStep.Undo("crm", 0, "status"), new ConvergenceStep.Flush(0)), 0);
    }

    /**
     * Regression (found by seed 3, shrunk by hand): the ERP changes a status twice, Steward
     * writes both values to the CRM, and the CRM's webhook about the first write arrives after
     * the second write. The ledger keeps only Steward's latest write, so the first echo is taken
     * for a CRM user's change: rejected, and (with enforce) "healed" with a third write.
     */
    @Example
    void anEchoOfAnEarlierWriteArrivingAfterALaterOneIsStillAnEcho() {
        for (boolean enforce : new boolean[] {true, false}) {
            play(enforce, List.of(new ConvergenceStep.Edit("erp", 0, "status"), new ConvergenceStep.Deliver(0),
                    new ConvergenceStep.Edit("erp", 0, "status"), new ConvergenceStep.Deliver(1),
                    new ConvergenceStep.Deliver(0)), 0);
        }
    }

    /**
     * Regression (found with longer sequences of seed 33, shrunk by hand): Steward writes the
     * CRM's email u1 to the ERP and sees its echo, then writes u2; before the echo of u2 comes, a
     * person in the ERP undoes it back to u1. That webhook equals what Steward last knew of the
     * ERP (u1), so it counts as unchanged; the echo of u2 is older and suppressed. Steward never
     * sees the ERP's edit: not rejected, not healed, and the ERP keeps u1 while the CRM has u2.
     */
    @Example
    void anUndoToTheLastKnownValueAfterStewardsWriteIsStillAChange() {
        for (boolean enforce : new boolean[] {true, false}) {
            play(enforce, List.of(new ConvergenceStep.Edit("crm", 0, "email"), new ConvergenceStep.Deliver(0),
                    new ConvergenceStep.Deliver(0), new ConvergenceStep.Edit("crm", 0, "email"), new ConvergenceStep.Deliver(0),
                    new ConvergenceStep.Undo("erp", 0, "email"), new ConvergenceStep.Deliver(1)), 0);
        }
    }

    /**
     * Regression (found by seed 33, fixed in ChangeSet): Steward writes the CRM's email to the
     * ERP while an ERP user's older edit of it is still on its way. The echo arrives in a later
     * ERP version than the user's edit, but was not remembered because it arrived after the
     * edit; the earlier delivery of the echoed value then looked like an ERP change and was
     * rejected although no one in the ERP had set it. With versions, the later version wins.
     */
    @Example
    void anEchoInALaterVersionIsRememberedEvenIfItArrivesAfterAnEarlierEdit() {
        play(false, List.of(new ConvergenceStep.Edit("crm", 0, "email"), new ConvergenceStep.Edit("erp", 0, "email"),
                new ConvergenceStep.Deliver(0), new ConvergenceStep.Edit("erp", 0, "status"),
                new ConvergenceStep.Deliver(0), new ConvergenceStep.Deliver(1), new ConvergenceStep.Deliver(0)), 0);
    }

    static void play(boolean enforce, List<ConvergenceStep> steps, long drainOrder) {
        play(enforce, true, steps, drainOrder);
    }

    static void play(boolean enforce, boolean versioned, List<ConvergenceStep> steps, long drainOrder) {
        ConvergenceRun run = new ConvergenceRun(world, enforce, versioned, "t" + TRIES.incrementAndGet(), RECORDS);
        ConvergenceRun.Outcome outcome = run.play(steps, drainOrder);
        FIGURES.add(enforce ? versioned ? "enforce" : "enforce, unversioned" : "no enforce", outcome);
        List<String> problems = ConvergenceChecks.violations(run);
        if (!problems.isEmpty()) {
            throw new AssertionError(String.join("\n", problems) + "\nsequence (" + (enforce ? "enforce" : "no enforce")
                    + (versioned ? "" : ", unversioned")
                    + ", " + outcome + "):\n" + run.log());
        }
    }

    @Provide
    Arbitrary<List<ConvergenceStep>> sequences() {
        Arbitrary<String> system = Arbitraries.of("crm", "erp");
        Arbitrary<Integer> record = Arbitraries.integers().between(0, RECORDS - 1);
        Arbitrary<String> field = Arbitraries.of(ConvergenceRun.FIELDS);
        Arbitrary<Integer> pick = Arbitraries.integers().between(0, 50);
        Arbitrary<ConvergenceStep> edit = Combinators.combine(system, record, field).as(ConvergenceStep.Edit::new);
        Arbitrary<ConvergenceStep> undo = Combinators.combine(system, record, field).as(ConvergenceStep.Undo::new);
        return Arbitraries.frequencyOf(
                        net.jqwik.api.Tuple.of(6, edit),
                        net.jqwik.api.Tuple.of(1, undo),
                        net.jqwik.api.Tuple.of(5, pick.map(ConvergenceStep.Deliver::new)),
                        net.jqwik.api.Tuple.of(1, pick.map(ConvergenceStep.DeliverTwice::new)),
                        net.jqwik.api.Tuple.of(1, pick.map(ConvergenceStep.Redeliver::new)),
                        net.jqwik.api.Tuple.of(1, Arbitraries.longs().map(ConvergenceStep.Flush::new)))
                .list().ofMinSize(4).ofMaxSize(36);
    }

    /**
     * The figures the issue asks for: sequences, edits, the most messages any sequence needed,
     * and per kind of flow the share of Steward's field writes whose value the target held already.
     */
    static final class Figures {
        private int sequences;
        private long edits;
        private long messages;
        private ConvergenceRun.Outcome largest;
        private final java.util.Map<String, long[]> writes = new java.util.TreeMap<>();

        synchronized void add(String kind, ConvergenceRun.Outcome outcome) {
            sequences++;
            edits += outcome.edits();
            messages += outcome.messages();
            if (largest == null || outcome.messages() > largest.messages()) {
                largest = outcome;
            }
            long[] counts = writes.computeIfAbsent(kind, k -> new long[3]);
            counts[0] += outcome.edits();
            counts[1] += outcome.fieldWrites();
            counts[2] += outcome.alreadyHeld();
        }

        @Override
        public synchronized String toString() {
            StringBuilder held = new StringBuilder();
            writes.forEach((kind, c) -> held.append("\n  ").append(kind).append(": ").append(c[0]).append(" edits, ")
                    .append(c[1]).append(" field writes, ").append(c[2]).append(" of a value the target held already (")
                    .append(c[1] == 0 ? "-" : String.format(java.util.Locale.ROOT, "%.1f %%", 100.0 * c[2] / c[1])).append(')'));
            return "convergence: " + sequences + " sequences, " + edits + " user edits, " + messages
                    + " messages (webhook deliveries + Steward's PATCHes); the largest settled in "
                    + (largest == null ? "-" : largest.messages() + " messages (" + largest.deliveries() + " deliveries, "
                    + largest.patches() + " PATCHes) for " + largest.edits() + " edits") + held;
        }
    }
}
