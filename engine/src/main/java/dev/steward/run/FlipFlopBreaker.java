package dev.steward.run;

import dev.steward.model.LoopGuard;
import dev.steward.store.Hold;
import dev.steward.store.RunEffects;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Stops a field whose value keeps reversing. Before Steward writes a value to a field of a record
 * in a system, the values it wrote there within the window, plus this one, are counted for
 * reversals ({@code A, B, A}); past the limit the field is held (no more writes, an entry in
 * {@code /api/holds} with the history) until someone releases it. This is what keeps a pair of
 * DRL exceptions that contradict each other from looping forever. Thread-safe.
 *
 * <p>The history comes from the run's {@link dev.steward.store.RecordState}, read with a batch of
 * runs; a hold goes into the run's effects, committed with its outcome.
 */
final class FlipFlopBreaker {

    private final LoopGuard guard;
    private final Clock clock;

    FlipFlopBreaker(LoopGuard guard, Clock clock) {
        this.guard = guard;
        this.clock = clock;
    }

    /** Empty when the write may go; otherwise why the field is held. */
    Optional<String> check(RunEffects run, String system, String field, String valueJson, boolean dryRun) {
        Optional<Hold> held = run.state().hold(field);
        if (held.isPresent()) {
            return Optional.of("held since " + held.get().since() + ": " + held.get().reason());
        }
        // The state holds the values written since the window's start when the run began.
        List<String> written = run.writtenSince(system, field);
        if (written.size() < 2 && guard.maxReversals() >= 0) {
            return Optional.empty(); // a reversal takes three values
        }
        List<String> history = new ArrayList<>(written);
        history.add(valueJson);
        int reversals = reversals(history);
        if (reversals <= guard.maxReversals()) {
            return Optional.empty();
        }
        String entity = run.state().record().entity();
        String key = run.state().record().key();
        String reason = entity + "[" + key + "]." + field + " reversed " + reversals + " times in " + guard.window()
                + " writing to " + system + " (limit " + guard.maxReversals() + "); release it to write again";
        if (!dryRun) {
            run.hold(field, reason, "[" + String.join(",", history) + "]", clock.instant());
        }
        return Optional.of(reason);
    }

    /** How many times the sequence went back to the value before the last: A, B, A is one. */
    static int reversals(List<String> values) {
        int count = 0;
        for (int i = 2; i < values.size(); i++) {
            if (values.get(i).equals(values.get(i - 2)) && !values.get(i).equals(values.get(i - 1))) {
                count++;
            }
        }
        return count;
    }
}
