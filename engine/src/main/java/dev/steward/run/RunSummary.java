package dev.steward.run;

import java.util.concurrent.atomic.LongAdder;

/** Runs by outcome since the last summary line; see {@link EventWorkers}. Thread-safe. */
final class RunSummary {

    record Counts(long succeeded, long invalid, long failed, long retried, long deferred) {
        long total() {
            return succeeded + invalid + failed + retried + deferred;
        }
    }

    private final LongAdder succeeded = new LongAdder();
    private final LongAdder invalid = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private final LongAdder retried = new LongAdder();
    private final LongAdder deferred = new LongAdder();

    void succeeded() {
        succeeded.increment();
    }

    void invalid() {
        invalid.increment();
    }

    void failed() {
        failed.increment();
    }

    void retried() {
        retried.increment();
    }

    void deferred() {
        deferred.increment();
    }

    /** The counts so far, and zero again. */
    Counts takeCounts() {
        return new Counts(succeeded.sumThenReset(), invalid.sumThenReset(), failed.sumThenReset(),
                retried.sumThenReset(), deferred.sumThenReset());
    }
}
