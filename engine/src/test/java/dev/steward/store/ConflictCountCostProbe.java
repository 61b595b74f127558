package dev.steward.store;

import dev.steward.model.StoreSettings;
import dev.steward.testing.MutableClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A probe, not a test (its name keeps it out of the build): the outcome group commit's time with
 * and without conflict counts, rounds interleaved, on an H2 file store. Run with
 * {@code mvn -pl engine -am test -Dtest=ConflictCountCostProbe -Dsurefire.failIfNoSpecifiedTests=false}
 * and read {@code engine/target/surefire-reports/*ConflictCountCostProbe*}; see bench/preview.md.
 */
class ConflictCountCostProbe {

    @TempDir
    Path temp;

    @Test
    void probe() {
        MutableClock clock = MutableClock.at("2026-11-28T09:00:00Z");
        try (Store store = Store.open(new StoreSettings("jdbc:h2:" + temp.resolve("s"), "sa", "", 4), clock)) {
            int key = 0;
            for (int round = 0; round < 8; round++) {
                boolean counts = round % 2 == 1;
                long total = 0;
                for (int batch = 0; batch < 20; batch++) {
                    List<String> ids = new ArrayList<>();
                    for (int i = 0; i < 256; i++) {
                        ids.add(store.accept(new NewEvent("f", null, "customer", "K" + (key++), "{}")).eventId());
                    }
                    List<StoredEvent> claimed = store.claim("w", 256, Duration.ofMinutes(5));
                    List<RunOutcome> outcomes = new ArrayList<>();
                    for (StoredEvent e : claimed) {
                        RunEffects effects = new RunEffects(new RecordState(new RecordKey("customer", e.key())), e.id());
                        effects.remember("crm", java.util.Map.of("email", "\"a@b\""), null);
                        if (counts) {
                            effects.count("email", Conflict.REJECTED);
                            effects.count("phone", Conflict.HEALS);
                            effects.count("name", Conflict.ECHOES);
                        }
                        outcomes.add(RunOutcome.finish(e.id(), "w", EventStatus.SUCCEEDED, "{}", null, null, effects));
                    }
                    long t0 = System.nanoTime();
                    store.commit(outcomes);
                    total += System.nanoTime() - t0;
                }
                System.out.printf("PROBE counts=%s: 20 commits of 256 outcomes, %.2f ms per commit%n", counts, total / 20 / 1e6);
            }
            java.time.LocalDate day = java.time.LocalDate.of(2026, 11, 28);
            org.assertj.core.api.Assertions.assertThat(store.conflictCounts(day, day))
                    .allSatisfy(c -> org.assertj.core.api.Assertions.assertThat(c.n()).isEqualTo(4 * 20 * 256));
        }
    }
}
