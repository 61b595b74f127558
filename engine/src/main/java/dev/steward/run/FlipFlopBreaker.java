package dev.steward.run;

import dev.steward.model.LoopGuard;
import dev.steward.store.Hold;
import dev.steward.store.Store;

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
 */
final class FlipFlopBreaker {

    private final Store store;
    private final LoopGuard guard;
    private final Clock clock;

    FlipFlopBreaker(Store store, LoopGuard guard, Clock clock) {
        this.store = store;
        this.guard = guard;
        this.clock = clock;
    }

    /** Empty when the write may go; otherwise why the field is held. */
    Optional<String> check(String system, String entity, String key, String field, String valueJson, boolean dryRun) {
        Optional<Hold> held = store.hold(entity, key, field);
        if (held.isPresent()) {
            return Optional.of("held since " + held.get().since() + ": " + held.get().reason());
        }
        List<String> history = new ArrayList<>(store.writtenSince(system, entity, key, field,
                clock.instant().minus(guard.window())));
        history.add(valueJson);
        int reversals = reversals(history);
        if (reversals <= guard.maxReversals()) {
            return Optional.empty();
        }
        String reason = entity + "[" + key + "]." + field + " reversed " + reversals + " times in " + guard.window()
                + " writing to " + system + " (limit " + guard.maxReversals() + "); release it to write again";
        if (!dryRun) {
            store.placeHold(entity, key, field, reason, "[" + String.join(",", history) + "]");
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
