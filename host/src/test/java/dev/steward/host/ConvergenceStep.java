package dev.steward.host;

/**
 * One thing that happens in a convergence sequence: a person edits a field in one system, or the
 * network delivers webhooks (one, one twice, an old one again, or all queued ones in some order).
 * Plain data, so that jqwik can shrink a sequence and a failing one can be replayed as written.
 */
sealed interface ConvergenceStep {

    /** A person in {@code system} sets {@code field} of record {@code record} to a fresh value. */
    record Edit(String system, int record, String field) implements ConvergenceStep {
    }

    /** A person in {@code system} sets {@code field} back to the value it had before (an undo). */
    record Undo(String system, int record, String field) implements ConvergenceStep {
    }

    /** The queued webhook at {@code pick} (modulo the queue's length) is delivered. */
    record Deliver(int pick) implements ConvergenceStep {
    }

    /** The queued webhook at {@code pick} is delivered and stays queued: it will come again. */
    record DeliverTwice(int pick) implements ConvergenceStep {
    }

    /** A webhook delivered earlier, at {@code pick} among those, is delivered again, late. */
    record Redeliver(int pick) implements ConvergenceStep {
    }

    /** Every queued webhook is delivered, shuffled with {@code order}. */
    record Flush(long order) implements ConvergenceStep {
    }
}
