package dev.steward.store;

import dev.steward.model.StoreSettings;
import dev.steward.testing.MutableClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the store does for poll and schedule triggers, on every database: one worker at a time
 * holds a trigger, a lease that expires lets another take over, and only the holder moves the
 * position. Subclasses say where the database is; each test gets an empty one.
 */
abstract class TriggerTableContract {

    static final Duration LEASE = Duration.ofSeconds(20);

    final MutableClock clock = MutableClock.at("2026-03-01T09:00:00Z");
    private final List<Store> opened = new ArrayList<>();

    abstract StoreSettings settings();

    /** A store of its own on the test's database, like another host. */
    Store host() {
        Store store = Store.open(settings(), clock);
        opened.add(store);
        return store;
    }

    @AfterEach
    void close() {
        opened.forEach(Store::close);
    }

    @Test
    void aDueTriggerIsTakenByOneOfManyHostsAtOnce() throws Exception {
        Store a = host();
        Store b = host();
        a.registerTrigger("poll-flow", "poll", "poll erp product since updated", clock.instant());
        b.registerTrigger("poll-flow", "poll", "poll erp product since updated", clock.instant());
        assertThat(a.triggers()).singleElement().satisfies(t -> {
            assertThat(t.position()).isEmpty();
            assertThat(t.owner()).isEmpty();
        });
        ExecutorService threads = Executors.newFixedThreadPool(8);
        try {
            List<Callable<Optional<TriggerState>>> takers = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                Store store = i % 2 == 0 ? a : b;
                String worker = "host-" + i;
                takers.add(() -> store.takeTrigger("poll-flow", "poll erp product since updated", worker, LEASE));
            }
            int won = 0;
            for (Future<Optional<TriggerState>> taken : threads.invokeAll(takers)) {
                won += taken.get().isPresent() ? 1 : 0;
            }
            assertThat(won).isEqualTo(1);
        } finally {
            threads.shutdownNow();
        }
        assertThat(a.triggers().getFirst().owner()).isPresent();
    }

    @Test
    void anExpiredLeaseLetsAnotherHostTakeOverAndTheFirstCannotMoveThePosition() {
        Store a = host();
        Store b = host();
        a.registerTrigger("f", "poll", "sig", clock.instant());
        assertThat(a.takeTrigger("f", "sig", "host-a", LEASE)).isPresent();
        assertThat(a.advanceTrigger("f", "host-a", Optional.of("5"), 3, LEASE)).isTrue();
        // host-a dies here, its lease running out
        clock.advance(LEASE.minusSeconds(1));
        assertThat(b.takeTrigger("f", "sig", "host-b", LEASE)).as("the lease still runs").isEmpty();
        clock.advance(Duration.ofSeconds(2));
        Optional<TriggerState> taken = b.takeTrigger("f", "sig", "host-b", LEASE);
        assertThat(taken).hasValueSatisfying(t -> {
            assertThat(t.position()).contains("5");
            assertThat(t.owner()).contains("host-b");
            assertThat(t.eventsStored()).isEqualTo(3);
        });
        assertThat(a.advanceTrigger("f", "host-a", Optional.of("9"), 1, LEASE)).as("host-a lost its lease").isFalse();
        assertThat(a.triggerSucceeded("f", "host-a", clock.instant())).isFalse();
        assertThat(b.advanceTrigger("f", "host-b", Optional.of("7"), 2, LEASE)).isTrue();
        Instant next = clock.instant().plusSeconds(30);
        assertThat(b.triggerSucceeded("f", "host-b", next)).isTrue();
        assertThat(b.triggers()).singleElement().satisfies(t -> {
            assertThat(t.position()).contains("7");
            assertThat(t.owner()).isEmpty();
            assertThat(t.nextDueAt()).isEqualTo(next);
            assertThat(t.lastSuccessAt()).contains(clock.instant());
            assertThat(t.eventsStored()).isEqualTo(5);
        });
        assertThat(a.takeTrigger("f", "sig", "host-a", LEASE)).as("not due until next").isEmpty();
    }

    @Test
    void failuresCountUntilASuccessAndANewSignatureStartsOver() {
        Store a = host();
        a.registerTrigger("f", "poll", "since updated", clock.instant());
        a.takeTrigger("f", "since updated", "w", LEASE).orElseThrow();
        a.advanceTrigger("f", "w", Optional.of("41"), 1, LEASE);
        a.triggerFailed("f", "w", clock.instant().plusSeconds(1), "erp refused to list");
        clock.advance(Duration.ofSeconds(1));
        a.takeTrigger("f", "since updated", "w", LEASE).orElseThrow();
        a.triggerFailed("f", "w", clock.instant().plusSeconds(2), "erp refused again");
        assertThat(a.triggers().getFirst()).satisfies(t -> {
            assertThat(t.failures()).isEqualTo(2);
            assertThat(t.lastError()).contains("erp refused again");
            assertThat(t.position()).contains("41");
        });
        assertThat(a.takeTrigger("f", "another signature", "w", LEASE)).as("an old host's view").isEmpty();
        a.registerTrigger("f", "poll", "since changedAt", clock.instant());
        assertThat(a.triggers().getFirst()).satisfies(t -> {
            assertThat(t.signature()).isEqualTo("since changedAt");
            assertThat(t.position()).isEmpty();
            assertThat(t.failures()).isZero();
        });
    }
}
