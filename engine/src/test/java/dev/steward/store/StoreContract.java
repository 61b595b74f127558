package dev.steward.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.steward.model.StoreSettings;
import dev.steward.testing.MutableClock;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What every event store database must do. Subclasses say where the database is; each test gets
 * an empty one.
 */
abstract class StoreContract {

    static final Duration LEASE = Duration.ofSeconds(30);

    final MutableClock clock = MutableClock.at("2025-03-01T09:00:00Z");
    private final List<Store> opened = new ArrayList<>();
    private Store store;

    /** The database of the current test; every call in one test returns the same one. */
    abstract StoreSettings settings();

    /** A store of its own on the test's database, like a second host. */
    Store openStore() {
        Store opened = Store.open(settings(), clock);
        this.opened.add(opened);
        return opened;
    }

    Store store() {
        if (store == null) {
            store = openStore();
        }
        return store;
    }

    @AfterEach
    void closeStores() {
        opened.forEach(Store::close);
    }

    String accept(String key) {
        return accept("customer", key, null);
    }

    String accept(String entity, String key, String deliveryId) {
        return store().accept(new NewEvent("crm-customer", deliveryId, entity, key, "{\"id\":\"" + key + "\"}")).eventId();
    }

    List<String> ids(List<StoredEvent> events) {
        return events.stream().map(StoredEvent::id).toList();
    }

    @Test
    void migrationsApplyAndReopeningIsHarmless() throws Exception {
        store().close();
        opened.clear();
        store = null;
        assertThat(store().countByStatus()).containsEntry(EventStatus.PENDING, 0L);
        StoreSettings settings = settings();
        try (Connection connection = DriverManager.getConnection(settings.url(), settings.user(), settings.password());
                Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery(
                        "SELECT COUNT(*) FROM \"flyway_schema_history\" WHERE \"success\" = TRUE AND \"version\" = '1'")) {
            rows.next();
            assertThat(rows.getInt(1)).isEqualTo(1);
        }
    }

    @Test
    void acceptStoresAPendingEventDueNow() {
        Intake intake = store().accept(new NewEvent("crm-customer", "d-1", "customer", "C-1", "{\"email\":\"a@b.c\"}"));

        assertThat(intake.duplicate()).isFalse();
        assertThat(intake.eventId()).startsWith("evt_");
        StoredEvent event = store().event(intake.eventId()).orElseThrow();
        assertThat(event.flowId()).isEqualTo("crm-customer");
        assertThat(event.deliveryId()).isEqualTo("d-1");
        assertThat(event.entity()).isEqualTo("customer");
        assertThat(event.key()).isEqualTo("C-1");
        assertThat(event.payload()).isEqualTo("{\"email\":\"a@b.c\"}");
        assertThat(event.status()).isEqualTo(EventStatus.PENDING);
        assertThat(event.attempts()).isZero();
        assertThat(event.receivedAt()).isEqualTo(clock.instant());
        assertThat(event.nextAttemptAt()).isEqualTo(clock.instant());
        assertThat(event.finishedAt()).isNull();
        assertThat(store().event("evt_missing")).isEmpty();
    }

    @Test
    void aRepeatedDeliveryAnswersTheFirstEventsId() {
        Intake first = store().accept(new NewEvent("crm-customer", "d-1", "customer", "C-1", "{}"));
        Intake again = store().accept(new NewEvent("crm-customer", "d-1", "customer", "C-1", "{\"other\":1}"));
        Intake otherFlow = store().accept(new NewEvent("erp-customer", "d-1", "customer", "C-1", "{}"));

        assertThat(again).isEqualTo(new Intake(first.eventId(), true));
        assertThat(otherFlow.duplicate()).isFalse();
        assertThat(otherFlow.eventId()).isNotEqualTo(first.eventId());
        assertThat(store().event(first.eventId()).orElseThrow().payload()).isEqualTo("{}");
    }

    @Test
    void eventsWithoutADeliveryIdAreNeverDuplicates() {
        String a = accept("customer", "C-1", null);
        String b = accept("customer", "C-1", null);

        assertThat(a).isNotEqualTo(b);
        assertThat(store().countByStatus()).containsEntry(EventStatus.PENDING, 2L);
    }

    @Test
    void concurrentDeliveriesOfOneIdStoreOneEvent() throws Exception {
        int threads = 8;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<Intake>> intakes = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                Store host = i % 2 == 0 ? store() : openStore();
                intakes.add(pool.submit(() -> {
                    start.await();
                    return host.accept(new NewEvent("crm-customer", "same", "customer", "C-1", "{}"));
                }));
            }
            start.countDown();
            List<Intake> results = new ArrayList<>();
            for (Future<Intake> intake : intakes) {
                results.add(intake.get(30, TimeUnit.SECONDS));
            }
            assertThat(results.stream().map(Intake::eventId).distinct()).hasSize(1);
            assertThat(results.stream().filter(i -> !i.duplicate())).hasSize(1);
            assertThat(store().countByStatus()).containsEntry(EventStatus.PENDING, 1L);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void manyCallersOnTwoHostsStoreEachDeliveryOnce() throws Exception {
        int threads = 16;
        int calls = 600;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        Store[] hosts = {store(), openStore()};
        try {
            List<String> deliveries = new ArrayList<>();
            List<Future<Intake>> intakes = new ArrayList<>();
            for (int i = 0; i < calls; i++) {
                // Every tenth call has no delivery id; the others repeat 200 ids three times each,
                // the copies close together so that some land in one batch.
                String delivery = i % 10 == 0 ? null : "d-" + (i / 3) % 200;
                Store host = hosts[i % 2];
                deliveries.add(delivery);
                intakes.add(pool.submit(() -> {
                    start.await();
                    return host.accept(new NewEvent("crm-customer", delivery, "customer", "C-" + delivery, "{}"));
                }));
            }
            start.countDown();
            Map<String, Set<String>> idsByDelivery = new HashMap<>();
            Map<String, Integer> firsts = new HashMap<>();
            Set<String> undelivered = new HashSet<>();
            for (int i = 0; i < calls; i++) {
                Intake intake = intakes.get(i).get(60, TimeUnit.SECONDS);
                String delivery = deliveries.get(i);
                assertThat(store().event(intake.eventId()).orElseThrow().deliveryId()).isEqualTo(delivery);
                if (delivery == null) {
                    assertThat(intake.duplicate()).isFalse();
                    assertThat(undelivered.add(intake.eventId())).isTrue();
                } else {
                    idsByDelivery.computeIfAbsent(delivery, d -> new HashSet<>()).add(intake.eventId());
                    firsts.merge(delivery, intake.duplicate() ? 0 : 1, Integer::sum);
                }
            }
            assertThat(idsByDelivery).hasSize(200).allSatisfy((delivery, ids) -> assertThat(ids).hasSize(1));
            assertThat(firsts).allSatisfy((delivery, count) -> assertThat(count).as(delivery).isEqualTo(1));
            assertThat(store().countByStatus()).containsEntry(EventStatus.PENDING, 200L + calls / 10);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aBatchStoresInArrivalOrderAndAnswersCopiesWithinItAsDuplicates() throws Exception {
        BlockingIds ids = new BlockingIds();
        Store host = openStore(ids);
        ExecutorService pool = Executors.newCachedThreadPool();
        try {
            Future<Intake> blocker = pool.submit(() -> host.accept(event("d-0")));
            assertThat(ids.entered.await(10, TimeUnit.SECONDS)).isTrue();
            // The committer is stuck in its first batch: these queue up, in this order, as the next one.
            List<String> deliveries = Arrays.asList("d-1", "d-2", "d-1", null, "d-3", "d-2", "d-0");
            List<Future<Intake>> intakes = new ArrayList<>();
            for (String delivery : deliveries) {
                intakes.add(pool.submit(() -> host.accept(event(delivery))));
                int queued = intakes.size();
                awaitTrue(() -> host.queuedIntakes() == queued, "intake " + queued + " queued");
            }
            ids.release.countDown();

            Intake d0 = blocker.get(30, TimeUnit.SECONDS);
            List<Intake> results = new ArrayList<>();
            for (Future<Intake> intake : intakes) {
                results.add(intake.get(30, TimeUnit.SECONDS));
            }
            assertThat(results.stream().map(Intake::duplicate).toList())
                    .containsExactly(false, false, true, false, false, true, true);
            assertThat(results.get(2).eventId()).isEqualTo(results.get(0).eventId());
            assertThat(results.get(5).eventId()).isEqualTo(results.get(1).eventId());
            assertThat(results.get(6).eventId()).isEqualTo(d0.eventId());
            List<Long> seqs = Stream.of(d0, results.get(0), results.get(1), results.get(3), results.get(4))
                    .map(i -> host.event(i.eventId()).orElseThrow().seq())
                    .toList();
            assertThat(seqs).isSorted().doesNotHaveDuplicates();
            assertThat(host.countByStatus()).containsEntry(EventStatus.PENDING, 5L);
        } finally {
            ids.release.countDown();
            pool.shutdownNow();
        }
    }

    @Test
    void aDeliveryAnotherHostStoredWhileABatchWasBuiltIsADuplicate() throws Exception {
        BlockingIds ids = new BlockingIds();
        Store slow = openStore(ids);
        ExecutorService pool = Executors.newCachedThreadPool();
        try {
            // The slow host has looked the delivery up, found nothing, and is about to insert it.
            Future<Intake> late = pool.submit(() -> slow.accept(event("d-race")));
            assertThat(ids.entered.await(10, TimeUnit.SECONDS)).isTrue();
            Intake first = openStore().accept(event("d-race"));
            ids.release.countDown();

            assertThat(first.duplicate()).isFalse();
            assertThat(late.get(30, TimeUnit.SECONDS)).isEqualTo(new Intake(first.eventId(), true));
            assertThat(store().countByStatus()).containsEntry(EventStatus.PENDING, 1L);
        } finally {
            ids.release.countDown();
            pool.shutdownNow();
        }
    }

    @Test
    void aRowTheDatabaseRefusesFailsOnlyItsOwnCallerInABatch() throws Exception {
        BlockingIds ids = new BlockingIds();
        Store host = openStore(ids);
        ExecutorService pool = Executors.newCachedThreadPool();
        try {
            Future<Intake> blocker = pool.submit(() -> host.accept(event("d-0")));
            assertThat(ids.entered.await(10, TimeUnit.SECONDS)).isTrue();
            Future<Intake> before = pool.submit(() -> host.accept(event("d-1")));
            awaitTrue(() -> host.queuedIntakes() == 1, "one intake queued");
            // record_key holds at most 500 characters.
            Future<Intake> tooLong = pool.submit(() -> host.accept(
                    new NewEvent("crm-customer", "d-2", "customer", "K".repeat(600), "{}")));
            awaitTrue(() -> host.queuedIntakes() == 2, "two intakes queued");
            Future<Intake> after = pool.submit(() -> host.accept(event("d-3")));
            awaitTrue(() -> host.queuedIntakes() == 3, "three intakes queued");
            ids.release.countDown();

            assertThat(blocker.get(30, TimeUnit.SECONDS).duplicate()).isFalse();
            assertThat(before.get(30, TimeUnit.SECONDS).duplicate()).isFalse();
            assertThat(after.get(30, TimeUnit.SECONDS).duplicate()).isFalse();
            assertThatThrownBy(() -> tooLong.get(30, TimeUnit.SECONDS)).hasCauseInstanceOf(StoreUnavailableException.class);
            assertThat(host.countByStatus()).containsEntry(EventStatus.PENDING, 3L);
        } finally {
            ids.release.countDown();
            pool.shutdownNow();
        }
    }

    @Test
    void aBatchHoldingADeliveryStoredEarlierStoresTheOthersAndAnswersTheFirstId() throws Exception {
        // The batch is inserted without a look-up; the stored delivery breaks the unique index,
        // and the batch is stored again one event at a time.
        Intake stored = store().accept(event("d-old"));
        BlockingIds ids = new BlockingIds();
        Store host = openStore(ids);
        ExecutorService pool = Executors.newCachedThreadPool();
        try {
            Future<Intake> blocker = pool.submit(() -> host.accept(event("d-0")));
            assertThat(ids.entered.await(10, TimeUnit.SECONDS)).isTrue();
            List<String> deliveries = Arrays.asList("d-1", "d-old", null, "d-2");
            List<Future<Intake>> intakes = new ArrayList<>();
            for (String delivery : deliveries) {
                intakes.add(pool.submit(() -> host.accept(event(delivery))));
                int queued = intakes.size();
                awaitTrue(() -> host.queuedIntakes() == queued, "intake " + queued + " queued");
            }
            ids.release.countDown();

            assertThat(blocker.get(30, TimeUnit.SECONDS).duplicate()).isFalse();
            List<Intake> results = new ArrayList<>();
            for (Future<Intake> intake : intakes) {
                results.add(intake.get(30, TimeUnit.SECONDS));
            }
            assertThat(results.stream().map(Intake::duplicate).toList()).containsExactly(false, true, false, false);
            assertThat(results.get(1).eventId()).isEqualTo(stored.eventId());
            assertThat(host.event(results.get(3).eventId()).orElseThrow().deliveryId()).isEqualTo("d-2");
            // d-old, d-0, d-1, the one without a delivery id, d-2
            assertThat(host.countByStatus()).containsEntry(EventStatus.PENDING, 5L);
            // the next batches look up first: a copy is answered without a failed batch
            assertThat(host.accept(event("d-1"))).isEqualTo(new Intake(results.getFirst().eventId(), true));
        } finally {
            ids.release.countDown();
            pool.shutdownNow();
        }
    }

    @Test
    void theStoredListenerRunsOncePerCommitThatStoredANewEvent() throws Exception {
        BlockingIds ids = new BlockingIds();
        Store host = openStore(ids);
        AtomicInteger commits = new AtomicInteger();
        host.onEventsStored(commits::incrementAndGet);
        ExecutorService pool = Executors.newCachedThreadPool();
        try {
            Future<Intake> blocker = pool.submit(() -> host.accept(event("d-0")));
            assertThat(ids.entered.await(10, TimeUnit.SECONDS)).isTrue();
            List<Future<Intake>> intakes = new ArrayList<>();
            for (String delivery : List.of("d-1", "d-2", "d-3")) {
                intakes.add(pool.submit(() -> host.accept(event(delivery))));
                int queued = intakes.size();
                awaitTrue(() -> host.queuedIntakes() == queued, "intake " + queued + " queued");
            }
            assertThat(commits.get()).isZero();
            ids.release.countDown();
            blocker.get(30, TimeUnit.SECONDS);
            for (Future<Intake> intake : intakes) {
                assertThat(intake.get(30, TimeUnit.SECONDS).duplicate()).isFalse();
            }
            // one for d-0's batch, one for the batch of the three queued behind it
            assertThat(commits.get()).isEqualTo(2);

            assertThat(host.accept(event("d-2")).duplicate()).isTrue();
            assertThat(commits.get()).isEqualTo(2);
            assertThat(host.accept(event("d-4")).duplicate()).isFalse();
            assertThat(commits.get()).isEqualTo(3);
        } finally {
            ids.release.countDown();
            pool.shutdownNow();
        }
    }

    @Test
    void closingTheStoreFailsTheCallersStillWaiting() throws Exception {
        BlockingIds ids = new BlockingIds();
        Store host = openStore(ids);
        ExecutorService pool = Executors.newCachedThreadPool();
        try {
            Future<Intake> committing = pool.submit(() -> host.accept(event("d-1")));
            assertThat(ids.entered.await(10, TimeUnit.SECONDS)).isTrue();
            Future<Intake> queuedA = pool.submit(() -> host.accept(event("d-2")));
            Future<Intake> queuedB = pool.submit(() -> host.accept(event("d-3")));
            awaitTrue(() -> host.queuedIntakes() == 2, "two intakes queued");

            Future<?> closing = pool.submit(host::close);
            for (Future<Intake> queued : List.of(queuedA, queuedB)) {
                assertThatThrownBy(() -> queued.get(10, TimeUnit.SECONDS))
                        .hasCauseInstanceOf(StoreUnavailableException.class);
            }
            assertThatThrownBy(() -> host.accept(event("d-4"))).isInstanceOf(StoreUnavailableException.class);
            // The batch already being committed when close began is finished, not cut off.
            ids.release.countDown();
            assertThat(committing.get(30, TimeUnit.SECONDS).duplicate()).isFalse();
            closing.get(30, TimeUnit.SECONDS);
            assertThat(store().countByStatus()).containsEntry(EventStatus.PENDING, 1L);
        } finally {
            ids.release.countDown();
            pool.shutdownNow();
        }
    }

    /** Event ids whose first one waits for {@code release}: holds the committer inside a batch. */
    static final class BlockingIds implements Supplier<String> {
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        private final AtomicInteger calls = new AtomicInteger();

        @Override
        public String get() {
            if (calls.getAndIncrement() == 0) {
                entered.countDown();
                try {
                    if (!release.await(30, TimeUnit.SECONDS)) {
                        throw new IllegalStateException("not released");
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
            }
            return UUID.randomUUID().toString();
        }
    }

    Store openStore(Supplier<String> ids) {
        Store opened = Store.open(settings(), clock, ids);
        this.opened.add(opened);
        return opened;
    }

    static NewEvent event(String deliveryId) {
        return new NewEvent("crm-customer", deliveryId, "customer", "C-1", "{}");
    }

    static void awaitTrue(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within 10 s: " + what);
            }
            Thread.sleep(5);
        }
    }

    @Test
    void aRecordsEventsAreClaimedOneAtATimeInOrder() {
        String first = accept("C-1");
        String second = accept("C-1");
        String other = accept("C-2");
        String sameKeyOtherEntity = accept("deal", "C-1", null);

        assertThat(ids(store().claim("w1", 10, LEASE))).containsExactly(first, other, sameKeyOtherEntity);
        assertThat(store().claim("w2", 10, LEASE)).isEmpty();

        assertThat(store().finish(first, "w1", EventStatus.SUCCEEDED, "{}", null)).isTrue();
        List<StoredEvent> next = store().claim("w2", 10, LEASE);
        assertThat(ids(next)).containsExactly(second);
        assertThat(next.getFirst().status()).isEqualTo(EventStatus.RUNNING);
        assertThat(next.getFirst().attempts()).isEqualTo(1);
    }

    @Test
    void claimTakesAtMostMaxOldestFirst() {
        List<String> accepted = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            accepted.add(accept("C-" + i));
        }

        assertThat(ids(store().claim("w1", 2, LEASE))).containsExactlyElementsOf(accepted.subList(0, 2));
        assertThat(ids(store().claim("w1", 0, LEASE))).isEmpty();
        assertThat(ids(store().claim("w1", 10, LEASE))).containsExactlyElementsOf(accepted.subList(2, 5));
    }

    @Test
    void aDeadLetterDoesNotBlockItsRecord() {
        String first = accept("C-1");
        String second = accept("C-1");
        store().claim("w1", 10, LEASE);

        assertThat(store().finish(first, "w1", EventStatus.FAILED, "{}", "HTTP 400 from erp")).isTrue();

        assertThat(ids(store().claim("w1", 10, LEASE))).containsExactly(second);
        StoredEvent dead = store().event(first).orElseThrow();
        assertThat(dead.status()).isEqualTo(EventStatus.FAILED);
        assertThat(dead.error()).isEqualTo("HTTP 400 from erp");
        assertThat(dead.trace()).isEqualTo("{}");
        assertThat(dead.finishedAt()).isEqualTo(clock.instant());
    }

    @Test
    void onlyTheClaimingWorkerFinishes() {
        String id = accept("C-1");
        assertThat(store().finish(id, "w1", EventStatus.SUCCEEDED, null, null)).isFalse(); // not claimed yet
        store().claim("w1", 1, LEASE);

        assertThat(store().finish(id, "w2", EventStatus.SUCCEEDED, null, null)).isFalse();
        assertThat(store().retryLater(id, "w2", clock.instant(), null, null)).isFalse();
        assertThatThrownBy(() -> store().finish(id, "w1", EventStatus.PENDING, null, null))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(store().finish(id, "w1", EventStatus.INVALID, "{\"step\":1}", "email is not an address")).isTrue();
        assertThat(store().finish(id, "w1", EventStatus.SUCCEEDED, null, null)).isFalse(); // already final

        StoredEvent event = store().event(id).orElseThrow();
        assertThat(event.status()).isEqualTo(EventStatus.INVALID);
        assertThat(event.error()).isEqualTo("email is not an address");
    }

    @Test
    void anExpiredLeaseIsClaimedAgainByAnotherHost() {
        String id = accept("C-1");
        String later = accept("C-1");
        Store otherHost = openStore();
        assertThat(ids(store().claim("host-a", 10, LEASE))).containsExactly(id);

        clock.advance(LEASE.minusSeconds(1));
        assertThat(otherHost.claim("host-b", 10, LEASE)).isEmpty();

        clock.advance(Duration.ofSeconds(1));
        List<StoredEvent> reclaimed = otherHost.claim("host-b", 10, LEASE);
        assertThat(ids(reclaimed)).containsExactly(id); // not `later`: the record's order holds
        assertThat(reclaimed.getFirst().attempts()).isEqualTo(2);

        assertThat(store().finish(id, "host-a", EventStatus.SUCCEEDED, null, null)).isFalse();
        assertThat(otherHost.finish(id, "host-b", EventStatus.SUCCEEDED, null, null)).isTrue();
        assertThat(ids(store().claim("host-a", 10, LEASE))).containsExactly(later);
    }

    @Test
    void aStaleClaimCannotRecordItsOutcomeEvenAfterItsHostClaimedTheEventAgain() throws Exception {
        String id = accept("C-1");
        StoredEvent first = store().claim("box/1", 1, LEASE).getFirst();
        // The host froze past its lease; another host took the event over, then deferred it.
        clock.advance(LEASE);
        Store otherHost = openStore();
        StoredEvent second = otherHost.claim("box/2", 1, LEASE).getFirst();
        assertThat(second.claim()).isGreaterThan(first.claim());
        assertThat(otherHost.commit(List.of(RunOutcome.defer(id, "box/2", clock.instant(), null, null)
                .fencedBy(second.claim())))).containsExactly(true);
        // The first host wakes and claims the event again before its stale outcome is committed.
        StoredEvent third = store().claim("box/1", 1, LEASE).getFirst();
        RunEffects stale = new RunEffects(new RecordState(new RecordKey("customer", "C-1")), id);
        stale.remember("crm", Map.of("email", "\"stale@b.c\""), null);
        stale.written("erp", Map.of("email", "\"stale@b.c\""), null, clock.instant());

        assertThat(store().commit(List.of(RunOutcome.finish(id, "box/1", EventStatus.SUCCEEDED, "{}", null,
                new Attempt(id, first.attempts(), clock.instant(), clock.instant(), "succeeded", null), stale)
                .fencedBy(first.claim())))).as("the stale claim's outcome").containsExactly(false);
        assertThat(store().event(id).orElseThrow().status()).isEqualTo(EventStatus.RUNNING);
        assertThat(store().knownValues("crm", "customer", "C-1")).isEmpty();
        assertThat(store().writes("erp", "customer", "C-1", 10)).isEmpty();
        assertThat(store().attempts(id)).isEmpty();

        assertThat(store().commit(List.of(RunOutcome.finish(id, "box/1", EventStatus.SUCCEEDED, "{}", null, null, null)
                .fencedBy(third.claim())))).containsExactly(true);
    }

    @Test
    void aRenewedLeaseIsNotTakenOverAndALostOneIsReported() {
        String kept = accept("C-1");
        String lost = accept("C-2");
        List<StoredEvent> claimed = store().claim("box/1", 2, LEASE);
        Map<String, Long> claims = new HashMap<>();
        claimed.forEach(e -> claims.put(e.id(), e.claim()));
        Store otherHost = openStore();

        clock.advance(LEASE.dividedBy(2));
        assertThat(store().renewLeases("box/1", Map.of(kept, claims.get(kept)), LEASE)).isEmpty();
        clock.advance(LEASE.dividedBy(2));
        assertThat(ids(otherHost.claim("box/2", 10, LEASE))).as("only the lease that was not renewed ran out")
                .containsExactly(lost);
        assertThat(store().renewLeases("box/1", claims, LEASE)).containsExactly(lost);
    }

    @Test
    void claimedEventsHandedBackAreClaimableAtOnceWithoutAnAttemptCounted() {
        String id = accept("C-1");
        StoredEvent claimed = store().claim("box/1", 1, LEASE).getFirst();

        assertThat(store().handBack("box/1", Map.of(id, claimed.claim() + 1))).as("another claim's token").isZero();
        assertThat(store().handBack("box/1", Map.of(id, claimed.claim()))).isEqualTo(1);

        StoredEvent again = openStore().claim("box/2", 1, LEASE).getFirst();
        assertThat(again.id()).isEqualTo(id);
        assertThat(again.attempts()).isEqualTo(1);
    }

    @Test
    void twoHostsSharingARateLimitTakeNoMoreThanItsBurstAndRefill() throws Exception {
        Store otherHost = openStore();
        List<Store> hosts = List.of(store(), otherHost);
        // 10 a second, 20 saved up: two hosts taking 3 at a time, 40 times each, get the 20 between them.
        ExecutorService takers = Executors.newFixedThreadPool(4);
        AtomicInteger taken = new AtomicInteger();
        List<Future<?>> all = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            Store host = hosts.get(t % 2);
            all.add(takers.submit(() -> {
                for (int i = 0; i < 20; i++) {
                    taken.addAndGet(host.takeRateTokens("erp", 10, 20, 3).granted());
                }
                return null;
            }));
        }
        for (Future<?> f : all) {
            f.get(60, TimeUnit.SECONDS);
        }
        takers.shutdown();
        assertThat(taken.get()).isEqualTo(20);
        assertThat(otherHost.takeRateTokens("erp", 10, 20, 3)).isEqualTo(new RateTake(0, 0.0));

        clock.advance(Duration.ofMillis(250)); // 2.5 tokens
        assertThat(store().takeRateTokens("erp", 10, 20, 3).granted()).isEqualTo(2);
        assertThat(otherHost.takeRateTokens("erp", 10, 20, 3).granted()).isZero();
        clock.advance(Duration.ofSeconds(60));
        assertThat(otherHost.takeRateTokens("erp", 10, 20, 50).granted()).as("never more than the burst").isEqualTo(20);
        assertThat(store().takeRateTokens("crm", 10, 20, 3).granted()).as("a bucket per system").isEqualTo(3);
    }

    @Test
    void theLeasesOfADeadOwnerAloneEndAtOnce() {
        String dead = accept("C-1");
        String alive = accept("C-2");
        store().claim("box/101", 1, LEASE);
        store().claim("box/202", 1, LEASE);

        assertThat(store().expireLeases(owner -> owner.equals("box/101"))).isEqualTo(1);

        List<StoredEvent> reclaimed = store().claim("box/303", 10, LEASE);
        assertThat(ids(reclaimed)).containsExactly(dead); // not `alive`: its owner keeps its lease
        assertThat(reclaimed.getFirst().attempts()).isEqualTo(2);
        assertThat(store().finish(alive, "box/202", EventStatus.SUCCEEDED, null, null)).isTrue();
    }

    @Test
    void retryLaterWaitsForItsTimeAndHoldsBackTheRecord() {
        String id = accept("C-1");
        String later = accept("C-1");
        store().claim("w1", 10, LEASE);
        Instant at = clock.instant().plus(Duration.ofMinutes(2));

        assertThat(store().retryLater(id, "w1", at, "{\"try\":1}", "HTTP 503 from erp")).isTrue();
        StoredEvent waiting = store().event(id).orElseThrow();
        assertThat(waiting.status()).isEqualTo(EventStatus.PENDING);
        assertThat(waiting.nextAttemptAt()).isEqualTo(at);
        assertThat(waiting.error()).isEqualTo("HTTP 503 from erp");

        clock.advance(Duration.ofMinutes(2).minusMillis(1));
        assertThat(store().claim("w1", 10, LEASE)).isEmpty();

        clock.advance(Duration.ofMillis(1));
        List<StoredEvent> retried = store().claim("w1", 10, LEASE);
        assertThat(ids(retried)).containsExactly(id);
        assertThat(retried.getFirst().attempts()).isEqualTo(2);
        assertThat(store().finish(id, "w1", EventStatus.SUCCEEDED, null, null)).isTrue();
        assertThat(ids(store().claim("w1", 10, LEASE))).containsExactly(later);
    }

    @Test
    void twoHostsClaimingAtOnceShareTheWorkAndKeepEachRecordsOrder() throws Exception {
        int records = 6;
        int perRecord = 10;
        for (int i = 0; i < perRecord; i++) {
            for (int r = 0; r < records; r++) {
                accept("C-" + r);
            }
        }
        int total = records * perRecord;
        Set<String> done = ConcurrentHashMap.newKeySet();
        Map<String, String> inFlight = new ConcurrentHashMap<>();
        Map<String, List<Long>> order = new ConcurrentHashMap<>();
        List<String> problems = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger claims = new AtomicInteger();
        int workers = 4;
        ExecutorService pool = Executors.newFixedThreadPool(workers);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<?>> running = new ArrayList<>();
            for (int w = 0; w < workers; w++) {
                Store host = openStore(); // each worker is its own host, with its own pool
                String worker = "host-" + w;
                running.add(pool.submit(() -> {
                    start.await();
                    for (int round = 0; round < 10_000 && done.size() < total; round++) {
                        for (StoredEvent event : host.claim(worker, 3, LEASE)) {
                            claims.incrementAndGet();
                            String holder = inFlight.putIfAbsent(event.key(), event.id());
                            if (holder != null) {
                                problems.add(event.id() + " claimed while " + holder + " of " + event.key() + " ran");
                            }
                            order.computeIfAbsent(event.key(), k -> Collections.synchronizedList(new ArrayList<>()))
                                    .add(event.seq());
                            if (!done.add(event.id())) {
                                problems.add(event.id() + " claimed twice");
                            }
                            inFlight.remove(event.key(), event.id());
                            if (!host.finish(event.id(), worker, EventStatus.SUCCEEDED, null, null)) {
                                problems.add(event.id() + " could not be finished by " + worker);
                            }
                        }
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> future : running) {
                future.get(120, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }

        assertThat(problems).isEmpty();
        assertThat(done).hasSize(total);
        assertThat(claims.get()).isEqualTo(total);
        assertThat(store().countByStatus()).containsEntry(EventStatus.SUCCEEDED, (long) total)
                .containsEntry(EventStatus.PENDING, 0L).containsEntry(EventStatus.RUNNING, 0L);
        order.values().forEach(seqs -> assertThat(seqs).isSorted().hasSize(perRecord));
    }

    @Test
    void knownValuesRoundTrip() {
        assertThat(store().knownValues("erp", "customer", "C-1")).isEmpty();

        store().remember("erp", "customer", "C-1", Map.of("email", "\"a@b.c\"", "creditLimit", "5000"), "evt_1");
        store().remember("erp", "customer", "C-1", Map.of("creditLimit", "7500", "phone", "null"), "evt_2");
        store().remember("crm", "customer", "C-1", Map.of("email", "\"x@y.z\""), "evt_3");

        assertThat(store().knownValues("erp", "customer", "C-1"))
                .containsExactlyInAnyOrderEntriesOf(Map.of("email", "\"a@b.c\"", "creditLimit", "7500", "phone", "null"));
        assertThat(store().knownValues("crm", "customer", "C-1")).containsExactlyEntriesOf(Map.of("email", "\"x@y.z\""));
        assertThat(store().knownValues("erp", "customer", "C-2")).isEmpty();
    }

    @Test
    void writesAreRecordedInTheLedger() {
        store().recordWrite("erp", "customer", "C-1", Map.of("creditLimit", "5000"), "evt_1");
        clock.advance(Duration.ofMinutes(1));
        store().recordWrite("erp", "customer", "C-1", Map.of("creditLimit", "7500"), "evt_2");

        assertThat(store().writes("erp", "customer", "C-1", 10)).containsExactly(
                new RecordedWrite("erp", "customer", "C-1", "creditLimit", "7500", "evt_2", clock.instant()),
                new RecordedWrite("erp", "customer", "C-1", "creditLimit", "5000", "evt_1",
                        clock.instant().minus(Duration.ofMinutes(1))));
        assertThat(store().writes("crm", "customer", "C-1", 10)).isEmpty();
    }

    @Test
    void theLedgerKeepsTheRecentWritesOfEachFieldWithTheirVersionsAndEchoes() {
        for (int i = 1; i <= LedgerTable.RECENT + 2; i++) {
            store().recordWrite("crm", "customer", "C-1", Map.of("status", "\"S" + i + "\""), "evt_" + i, String.valueOf(i));
            clock.advance(Duration.ofSeconds(1));
        }
        store().recordWrite("crm", "customer", "C-1", Map.of("email", "\"a@b.c\""), "evt_e", null);
        store().recordWrite("crm", "customer", "C-2", Map.of("status", "\"other\""), "evt_o", null);

        List<String> newestFirst = new ArrayList<>();
        for (int i = LedgerTable.RECENT + 2; i > 2; i--) {
            newestFirst.add("\"S" + i + "\"@" + i);
        }
        Map<String, List<LedgerEntry>> recent = store().recentWrites("crm", "customer", "C-1");
        assertThat(recent.get("status")).as("the last %d, newest first, each with its version", LedgerTable.RECENT)
                .extracting(entry -> entry.valueJson() + "@" + entry.version()).containsExactlyElementsOf(newestFirst);
        assertThat(recent.get("status")).noneMatch(LedgerEntry::echoed);
        assertThat(recent.get("email")).singleElement().satisfies(entry -> assertThat(entry.version()).isNull());
        assertThat(store().ledger("crm", "customer", "C-1").get("status").valueJson()).isEqualTo("\"S10\"");

        // An earlier write's echo comes back: it answers that write and the ones before it, not later ones.
        long s4 = recent.get("status").stream().filter(w -> w.valueJson().equals("\"S4\"")).findFirst().orElseThrow().seq();
        store().markEchoed("crm", "customer", "C-1", "status", s4);
        assertThat(store().recentWrites("crm", "customer", "C-1").get("status"))
                .filteredOn(LedgerEntry::echoed).extracting(LedgerEntry::valueJson).containsExactly("\"S4\"", "\"S3\"");
        assertThat(store().recentWrites("crm", "customer", "C-2").get("status")).noneMatch(LedgerEntry::echoed);
        assertThat(store().writes("crm", "customer", "C-1", 100)).as("the full history stays").hasSize(LedgerTable.RECENT + 3);
    }

    @Test
    void theStateOfABatchOfRecordsIsReadAtOnce() {
        store().remember("erp", "customer", "C-1", Map.of("creditLimit", "5000"), "evt_1", "7");
        store().remember("crm", "customer", "C-1", Map.of("email", "\"a@b.c\""), "evt_2", null);
        store().remember("erp", "deal", "C-1", Map.of("stage", "\"won\""), "evt_3", null);
        store().recordWrite("crm", "customer", "C-1", Map.of("creditLimit", "5000"), "evt_1", "v1");
        clock.advance(Duration.ofMinutes(20));
        store().recordWrite("crm", "customer", "C-1", Map.of("creditLimit", "6000"), "evt_4", "v2");
        store().placeHold("customer", "C-2", "phone", "flip-flop", "[1,2,1]");

        RecordKey c1 = new RecordKey("customer", "C-1");
        RecordKey c2 = new RecordKey("customer", "C-2");
        RecordKey other = new RecordKey("customer", "C-3");
        Map<RecordKey, RecordState> states = store().recordStates(List.of(c1, c2, other, c1),
                clock.instant().minus(Duration.ofMinutes(10)));

        assertThat(states).containsOnlyKeys(c1, c2, other);
        RecordState one = states.get(c1);
        assertThat(one.known("erp")).containsOnlyKeys("creditLimit");
        assertThat(one.known("erp").get("creditLimit").version()).isEqualTo("7");
        assertThat(one.known("crm").get("email").valueJson()).isEqualTo("\"a@b.c\"");
        assertThat(one.recentWrites("crm").get("creditLimit")).extracting(LedgerEntry::valueJson)
                .as("newest first").containsExactly("6000", "5000");
        assertThat(one.writtenSince("crm", "creditLimit")).as("only the window's writes").containsExactly("6000");
        assertThat(one.hold("phone")).isEmpty();
        assertThat(states.get(c2).hold("phone")).hasValueSatisfying(h -> assertThat(h.reason()).isEqualTo("flip-flop"));
        assertThat(states.get(other).known("erp")).isEmpty();
    }

    @Test
    void anOutcomeIsRecordedWithItsEffectsInOneCommitOnlyWhileTheEventIsStillClaimed() throws Exception {
        String first = accept("C-1");
        String second = accept("C-2");
        List<StoredEvent> claimed = store().claim("w1", 10, LEASE);
        assertThat(ids(claimed)).containsExactly(first, second);
        store().remember("crm", "customer", "C-1", Map.of("email", "\"old@b.c\""), "evt_0", null);
        store().recordWrite("crm", "customer", "C-1", Map.of("phone", "\"1\""), "evt_0", null);
        long echoed = store().recentWrites("crm", "customer", "C-1").get("phone").getFirst().seq();
        Map<RecordKey, RecordState> states = store().recordStates(
                List.of(new RecordKey("customer", "C-1"), new RecordKey("customer", "C-2")), clock.instant().minusSeconds(600));

        RunEffects one = new RunEffects(states.get(new RecordKey("customer", "C-1")), first);
        one.remember("crm", Map.of("email", "\"new@b.c\"", "name", "\"Ann\""), "v9");
        one.written("erp", Map.of("email", "\"new@b.c\""), "e1", clock.instant());
        one.echo("crm", "phone", echoed);
        one.hold("name", "reversed", "[1,2,1]", clock.instant());
        RunEffects two = new RunEffects(states.get(new RecordKey("customer", "C-2")), second);
        two.remember("crm", Map.of("email", "\"lost@b.c\""), null);

        List<Boolean> applied = store().commit(List.of(
                RunOutcome.finish(first, "w1", EventStatus.SUCCEEDED, "{}", null,
                        new Attempt(first, 1, clock.instant(), clock.instant(), "succeeded", null), one),
                RunOutcome.finish(second, "someone-else", EventStatus.SUCCEEDED, "{}", null,
                        new Attempt(second, 1, clock.instant(), clock.instant(), "succeeded", null), two)));

        assertThat(applied).containsExactly(true, false);
        assertThat(store().event(first).orElseThrow().status()).isEqualTo(EventStatus.SUCCEEDED);
        assertThat(store().attempts(first)).extracting(Attempt::outcome).containsExactly("succeeded");
        assertThat(store().knownValues("crm", "customer", "C-1"))
                .containsExactlyInAnyOrderEntriesOf(Map.of("email", "\"new@b.c\"", "name", "\"Ann\""));
        assertThat(store().knownState("crm", "customer", "C-1").get("email").version()).isEqualTo("v9");
        assertThat(store().ledger("erp", "customer", "C-1").get("email").version()).isEqualTo("e1");
        assertThat(store().writes("erp", "customer", "C-1", 10)).singleElement()
                .satisfies(w -> assertThat(w.eventId()).isEqualTo(first));
        assertThat(store().recentWrites("crm", "customer", "C-1").get("phone").getFirst().echoed()).isTrue();
        assertThat(store().hold("customer", "C-1", "name")).isPresent();
        assertThat(store().event(second).orElseThrow().status()).as("not the outcome's worker's").isEqualTo(EventStatus.RUNNING);
        assertThat(store().knownValues("crm", "customer", "C-2")).as("nothing of a run that lost its claim").isEmpty();
        assertThat(store().attempts(second)).isEmpty();

        // The group commit on its thread: a retry, then a deferral that gives the attempt back.
        assertThat(store().commitLater(RunOutcome.retry(second, "w1", clock.instant().plusSeconds(5), null, "timeout",
                new Attempt(second, 1, clock.instant(), clock.instant(), "retry", "timeout"), null)).get(10, TimeUnit.SECONDS)).isTrue();
        assertThat(store().event(second).orElseThrow().status()).isEqualTo(EventStatus.PENDING);
        clock.advance(Duration.ofSeconds(5));
        assertThat(ids(store().claim("w1", 10, LEASE))).containsExactly(second);
        assertThat(store().commitLater(RunOutcome.defer(second, "w1", clock.instant().plusSeconds(1), null, null))
                .get(10, TimeUnit.SECONDS)).isTrue();
        assertThat(store().event(second).orElseThrow().attempts()).as("a deferral gives its attempt back").isEqualTo(1);
    }

    @Test
    void anOutcomeThatBreaksAConstraintIsRecordedAloneAndTheOthersStill() {
        String first = accept("C-1");
        String second = accept("C-2");
        store().claim("w1", 10, LEASE);
        RecordState stale = store().recordStates(List.of(new RecordKey("customer", "C-1")), clock.instant()).values().iterator().next();
        // Known meanwhile: the batch's INSERT of the same row fails, and the run is recorded alone with an upsert.
        store().remember("crm", "customer", "C-1", Map.of("email", "\"meanwhile@b.c\""), "evt_x", null);
        RunEffects one = new RunEffects(stale, first);
        one.remember("crm", Map.of("email", "\"run@b.c\""), null);

        List<Boolean> applied = store().commit(List.of(
                RunOutcome.finish(first, "w1", EventStatus.SUCCEEDED, null, null, null, one),
                RunOutcome.finish(second, "w1", EventStatus.FAILED, null, "boom", null, null)));

        assertThat(applied).containsExactly(true, true);
        assertThat(store().knownValues("crm", "customer", "C-1")).containsEntry("email", "\"run@b.c\"");
        assertThat(store().event(second).orElseThrow().status()).isEqualTo(EventStatus.FAILED);
    }

    @Test
    void healthCountsEventsByStatusAndTheOldestPending() {
        assertThat(store().oldestPending()).isEmpty();
        Instant firstArrival = clock.instant();
        String a = accept("C-1");
        clock.advance(Duration.ofSeconds(5));
        accept("C-2");
        accept("C-3");
        store().claim("w1", 1, LEASE);
        store().finish(a, "w1", EventStatus.SUCCEEDED, null, null);
        store().claim("w1", 1, LEASE);

        assertThat(store().countByStatus()).isEqualTo(Map.of(EventStatus.PENDING, 1L, EventStatus.RUNNING, 1L,
                EventStatus.SUCCEEDED, 1L, EventStatus.INVALID, 0L, EventStatus.FAILED, 0L, EventStatus.FILTERED, 0L));
        assertThat(store().oldestPending()).contains(firstArrival.plusSeconds(5));
    }

    @Test
    void recentListsNewestFirstWithFilters() {
        String a = accept("C-1");
        String b = store().accept(new NewEvent("erp-product", null, "product", "P-1", "{}")).eventId();
        String c = accept("C-2");
        store().claim("w1", 1, LEASE);

        assertThat(ids(store().recent(10, Optional.empty(), Optional.empty()))).containsExactly(c, b, a);
        assertThat(ids(store().recent(2, Optional.empty(), Optional.empty()))).containsExactly(c, b);
        assertThat(ids(store().recent(10, Optional.of("crm-customer"), Optional.empty()))).containsExactly(c, a);
        assertThat(ids(store().recent(10, Optional.of("crm-customer"), Optional.of(EventStatus.PENDING))))
                .containsExactly(c);
        assertThat(ids(store().recent(10, Optional.empty(), Optional.of(EventStatus.RUNNING)))).containsExactly(a);
    }

    String deadLetter(String key, EventStatus status, String error) {
        String id = accept(key);
        List<StoredEvent> claimed = store().claim("w1", 10, LEASE);
        assertThat(ids(claimed)).contains(id);
        assertThat(store().finish(id, "w1", status, "{}", error)).isTrue();
        return id;
    }

    @Test
    void deadLettersListFailedAndQuarantinedEventsNewestFirst() {
        String failed = deadLetter("C-1", EventStatus.FAILED, "erp answered 400");
        String invalid = deadLetter("C-2", EventStatus.INVALID, "quarantined");
        deadLetter("C-3", EventStatus.SUCCEEDED, null);
        accept("C-4");
        String otherFlow = store().accept(new NewEvent("erp-product", null, "product", "P-1", "{}")).eventId();
        store().claim("w1", 10, LEASE);
        store().finish(otherFlow, "w1", EventStatus.FAILED, null, "crm answered 503");

        assertThat(ids(store().deadLetters(10, Optional.empty()))).containsExactly(otherFlow, invalid, failed);
        assertThat(ids(store().deadLetters(1, Optional.empty()))).containsExactly(otherFlow);
        assertThat(ids(store().deadLetters(10, Optional.of("crm-customer")))).containsExactly(invalid, failed);
    }

    @Test
    void aReplayedDeadLetterRunsAgainWithItsAttemptsContinuing() {
        String id = deadLetter("C-1", EventStatus.FAILED, "erp answered 400");
        clock.advance(Duration.ofMinutes(3));

        assertThat(store().replay(id, Optional.empty())).isEqualTo(Replay.REPLAYED);
        StoredEvent pending = store().event(id).orElseThrow();
        assertThat(pending.status()).isEqualTo(EventStatus.PENDING);
        assertThat(pending.nextAttemptAt()).isEqualTo(clock.instant());
        assertThat(pending.finishedAt()).isNull();
        assertThat(pending.attempts()).isEqualTo(1);
        assertThat(store().replay(id, Optional.empty())).as("already pending").isEqualTo(Replay.STILL_OPEN);

        List<StoredEvent> claimed = store().claim("w2", 10, LEASE);
        assertThat(ids(claimed)).containsExactly(id);
        assertThat(claimed.getFirst().attempts()).isEqualTo(2);
        assertThat(store().replay(id, Optional.empty())).as("running").isEqualTo(Replay.STILL_OPEN);
        assertThat(store().finish(id, "w2", EventStatus.SUCCEEDED, null, null)).isTrue();

        assertThat(store().replay(id, Optional.empty())).isEqualTo(Replay.ALREADY_SUCCEEDED);
        assertThat(store().replay(id, Optional.of("{\"id\":\"C-1\"}"))).isEqualTo(Replay.ALREADY_SUCCEEDED);
        assertThat(store().event(id).orElseThrow().status()).isEqualTo(EventStatus.SUCCEEDED);
        assertThat(store().replay("evt_missing", Optional.empty())).isEqualTo(Replay.NOT_FOUND);
    }

    @Test
    void aReplayWithAnEditedPayloadKeepsTheOriginal() {
        String id = deadLetter("C-1", EventStatus.INVALID, "email is not an address");
        assertThat(store().originalPayload(id)).isEmpty();

        assertThat(store().replay(id, Optional.of("{\"id\":\"C-1\",\"email\":\"a@b.c\"}"))).isEqualTo(Replay.REPLAYED);
        assertThat(store().event(id).orElseThrow().payload()).isEqualTo("{\"id\":\"C-1\",\"email\":\"a@b.c\"}");
        assertThat(store().originalPayload(id)).contains("{\"id\":\"C-1\"}");

        store().claim("w1", 10, LEASE);
        store().finish(id, "w1", EventStatus.FAILED, null, "still wrong");
        assertThat(store().replay(id, Optional.of("{\"id\":\"C-1\",\"email\":\"x@y.z\"}"))).isEqualTo(Replay.REPLAYED);
        assertThat(store().originalPayload(id)).as("the first payload, not the first edit").contains("{\"id\":\"C-1\"}");
    }

    @Test
    void twoHostsReplayingOneDeadLetterReplayItOnce() {
        String id = deadLetter("C-1", EventStatus.FAILED, "erp answered 400");
        Store otherHost = openStore();

        assertThat(List.of(store().replay(id, Optional.empty()), otherHost.replay(id, Optional.empty())))
                .containsExactly(Replay.REPLAYED, Replay.STILL_OPEN);
    }

    @Test
    void attemptsAreKeptInOrderOncePerNumber() {
        String id = accept("C-1");
        Instant start = clock.instant();
        store().recordAttempt(new Attempt(id, 2, start.plusSeconds(10), start.plusSeconds(11), "failed", "erp answered 400"));
        store().recordAttempt(new Attempt(id, 1, start, start.plusMillis(5), "retry", "erp answered 503"));
        store().recordAttempt(new Attempt(id, 1, start, start.plusMillis(9), "retry", "a second report of attempt 1"));

        assertThat(store().attempts(id)).containsExactly(
                new Attempt(id, 1, start, start.plusMillis(5), "retry", "erp answered 503"),
                new Attempt(id, 2, start.plusSeconds(10), start.plusSeconds(11), "failed", "erp answered 400"));
        assertThat(store().attempts("evt_other")).isEmpty();
    }

    @Test
    void conflictCountsAddUpPerDayAcrossTwoHostsAndSurviveReopening() throws Exception {
        Store other = openStore();
        List<String> events = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            events.add(accept("C-" + i));
        }
        List<StoredEvent> mine = store().claim("w1", 20, LEASE);
        List<StoredEvent> theirs = other.claim("w2", 20, LEASE);
        assertThat(mine).hasSize(20);
        assertThat(theirs).hasSize(20);
        ExecutorService hosts = Executors.newFixedThreadPool(2);
        try {
            Future<?> a = hosts.submit(() -> commitConflicts(store(), "w1", mine));
            Future<?> b = hosts.submit(() -> commitConflicts(other, "w2", theirs));
            a.get(30, TimeUnit.SECONDS);
            b.get(30, TimeUnit.SECONDS);
        } finally {
            hosts.shutdownNow();
        }
        java.time.LocalDate today = java.time.LocalDate.of(2025, 3, 1);
        Map<String, Long> counted = new java.util.TreeMap<>();
        store().conflictCounts(today, today).forEach(c -> counted.merge(c.entity() + "." + c.field() + " " + c.kind().label(),
                c.n(), Long::sum));
        // A finished run counts its decisions and acts; a retried one only its acts (its decisions come again).
        assertThat(counted).containsExactlyInAnyOrderEntriesOf(Map.of(
                "customer.email rejected", 20L, "customer.email quarantined", 0L,
                "customer.phone heals", 40L, "customer.name echoes", 20L)
                .entrySet().stream().filter(e -> e.getValue() > 0)
                .collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue)));

        clock.advance(Duration.ofDays(1));
        String late = accept("D-1");
        assertThat(ids(store().claim("w1", 100, LEASE))).as("the retried ones are due again too").contains(late);
        RunEffects effects = new RunEffects(new RecordState(new RecordKey("customer", "D-1")), late);
        effects.count("email", Conflict.REJECTED);
        assertThat(store().commit(List.of(RunOutcome.finish(late, "w1", EventStatus.SUCCEEDED, null, null, null, effects))))
                .containsExactly(true);
        other.close();
        store().close();

        Store reopened = openStore();
        assertThat(reopened.conflictCounts(today, today.plusDays(1))).extracting(c -> c.day() + " " + c.field() + " "
                + c.kind().label() + " " + c.n()).containsExactlyInAnyOrder(
                "2025-03-01 email rejected 20", "2025-03-01 name echoes 20", "2025-03-01 phone heals 40",
                "2025-03-02 email rejected 1");
        assertThat(reopened.conflictCounts(today.plusDays(1), today.plusDays(1))).hasSize(1);
    }

    /** Every other event finishes (rejected email, echoed name, healed phone); the rest retry (healed phone). */
    private void commitConflicts(Store on, String worker, List<StoredEvent> claimed) {
        List<RunOutcome> outcomes = new ArrayList<>();
        for (int i = 0; i < claimed.size(); i++) {
            StoredEvent event = claimed.get(i);
            RunEffects effects = new RunEffects(new RecordState(new RecordKey("customer", event.key())), event.id());
            effects.count("email", Conflict.REJECTED);
            effects.count("phone", Conflict.HEALS);
            effects.count("name", Conflict.ECHOES);
            outcomes.add(i % 2 == 0
                    ? RunOutcome.finish(event.id(), worker, EventStatus.SUCCEEDED, null, null, null, effects)
                    : RunOutcome.retry(event.id(), worker, clock.instant().plusSeconds(5), null, "busy", null, effects));
        }
        // one commit per outcome, so that the two hosts' upserts of the same rows interleave
        for (RunOutcome outcome : outcomes) {
            assertThat(on.commit(List.of(outcome))).containsExactly(true);
        }
    }

    @Test
    void theNotificationsOfOneDeliveryAreStoredTogetherAndARedeliveryIsAllDuplicates() {
        List<NewEvent> delivery = List.of(
                new NewEvent("crm-customer", "n-1", "customer", "C-1", "{\"id\":\"C-1\"}"),
                new NewEvent("crm-customer", "n-2", "customer", "C-2", "{\"id\":\"C-2\"}"),
                new NewEvent("crm-customer", "n-1", "customer", "C-1", "{\"id\":\"C-1\"}"));

        List<Intake> first = store().acceptAll(delivery);

        assertThat(first).extracting(Intake::duplicate).containsExactly(false, false, true);
        assertThat(first.get(2).eventId()).as("a repeat within the delivery").isEqualTo(first.get(0).eventId());
        List<Intake> again = openStore().acceptAll(delivery);
        assertThat(again).extracting(Intake::duplicate).containsExactly(true, true, true);
        assertThat(again).extracting(Intake::eventId).isEqualTo(first.stream().map(Intake::eventId).toList());
        assertThat(store().countByStatus()).containsEntry(EventStatus.PENDING, 2L);
        assertThat(store().acceptAll(List.of())).isEmpty();
    }

    @Test
    void aDeliveryWithABadNotificationStoresNoneOfItsOthersWithIt() {
        String tooLong = "k".repeat(NewEvent.MAX_KEY_LENGTH * 3);
        List<NewEvent> delivery = List.of(
                new NewEvent("crm-customer", "b-1", "customer", "C-1", "{\"id\":\"C-1\"}"),
                new NewEvent("crm-customer", "b-2", "customer", tooLong, "{}"));

        assertThatThrownBy(() -> store().acceptAll(delivery)).isInstanceOf(StoreUnavailableException.class);

        assertThat(store().countByStatus().getOrDefault(EventStatus.PENDING, 0L)).isZero();
    }

    private long rows(String sql) throws Exception {
        StoreSettings settings = settings();
        try (Connection connection = DriverManager.getConnection(settings.url(), settings.user(), settings.password());
                Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery(sql)) {
            rows.next();
            return rows.getLong(1);
        }
    }

    /** A batch run's effects on a record: what it learnt from the CRM, what it wrote to the ERP. */
    private RunEffects batchRun(RecordState state, String eventId, String email) {
        RunEffects run = new RunEffects(state, eventId);
        run.remember("crm", Map.of("email", "\"" + email + "\"", "phone", "\"+1 555\""), "v1");
        run.written("erp", Map.of("email", "\"" + email + "\""), null, clock.instant());
        return run;
    }

    @Test
    void aBatchRowNamesTheKnownValuesItWroteInsteadOfRepeatingThemAndTheJsonOfEarlierVersionsIsReadToo() throws Exception {
        BatchCheckpoint start = store().startBatch("b1", "crm-customer", "in.csv", false);
        RecordKey key = new RecordKey("customer", "B-1");
        RunEffects run = new RunEffects(store().recordStates(List.of(key), clock.instant()).get(key), "batch:b1:1");
        Map<String, String> fields = new java.util.LinkedHashMap<>();
        fields.put("email", "\"a@b.c\"");
        fields.put("phone", "\"+1 555\"");
        run.remember("crm", fields, null);
        run.written("erp", fields, null, clock.instant());
        store().commitBatch(List.of(run), start.advance(1, null, 1, 0, 0), false);
        long at = clock.millis();
        StoreSettings settings = settings();
        try (Connection connection = DriverManager.getConnection(settings.url(), settings.user(), settings.password());
                Statement statement = connection.createStatement()) {
            try (var row = statement.executeQuery("SELECT effects, effects_utf8 FROM batch_records WHERE record_key = 'B-1'")) {
                assertThat(row.next()).isTrue();
                assertThat(row.getString(1)).as("the text column, of earlier versions").isNull();
                assertThat(new String(row.getBytes(2), java.nio.charset.StandardCharsets.UTF_8))
                        .isEqualTo("~K3:crm-F2;5:email7:\"a@b.c\"5:phone8:\"+1 555\"W3:erp-" + at + ";S0;");
            }
            // A row of an earlier version: its compact text in effects.
            statement.executeUpdate("INSERT INTO batch_records (record_key, entity, event_id, written_at, effects)"
                    + " VALUES ('B-8', 'customer', 'batch:b0:8', " + at + ", '~K3:crm-F1;5:email7:\"t@x.t\"W3:erp-" + at
                    + ";S0;')");
            // A row in JSON (a batch of an earlier version that stopped before its end).
            statement.executeUpdate("INSERT INTO batch_records (record_key, entity, event_id, written_at, effects)"
                    + " VALUES ('B-9', 'customer', 'batch:b0:9', " + at + ", '{\"known\":[{\"system\":\"crm\","
                    + "\"version\":null,\"fields\":{\"email\":\"\\\"o@l.d\\\"\"}}],\"written\":[{\"system\":\"erp\","
                    + "\"version\":null,\"at\":" + at + ",\"fields\":{\"email\":\"\\\"o@l.d\\\"\"}}]}')");
        }

        assertThat(store().knownValues("crm", "customer", "B-1")).containsEntry("email", "\"a@b.c\"")
                .containsEntry("phone", "\"+1 555\"");
        assertThat(store().writes("erp", "customer", "B-1", 10)).extracting(RecordedWrite::valueJson)
                .containsExactlyInAnyOrder("\"a@b.c\"", "\"+1 555\"");
        assertThat(store().knownValues("crm", "customer", "B-8")).containsEntry("email", "\"t@x.t\"");
        assertThat(store().writes("erp", "customer", "B-8", 10)).extracting(RecordedWrite::valueJson)
                .containsExactly("\"t@x.t\"");
        assertThat(store().knownValues("crm", "customer", "B-9")).containsEntry("email", "\"o@l.d\"");
        assertThat(store().writes("erp", "customer", "B-9", 10)).extracting(RecordedWrite::valueJson)
                .containsExactly("\"o@l.d\"");
        assertThat(rows("SELECT COUNT(*) FROM batch_records")).isZero();
    }

    @Test
    void aBatchsInDoubtNoteCoversTheNextChunkWhateverOrderItAndTheChunkBeforesCommitComeIn() throws Exception {
        BatchCheckpoint start = store().startBatch("b1", "crm-customer", "in.csv", false);
        // chunk 1 (records 1-1000) noted, then chunk 2 (1001-1500) noted before chunk 1 commits
        store().batchInDoubtUntil("b1", 1000);
        assertThat(store().batch("b1").orElseThrow().inDoubt()).isEqualTo(1000);
        store().batchInDoubtUntil("b1", 1500);
        assertThat(store().batch("b1").orElseThrow().inDoubt()).isEqualTo(1500);
        BatchCheckpoint afterFirst = start.advance(1000, null, 1000, 0, 0);
        store().commitBatch(List.of(), afterFirst, false);
        // records 1001-1500 are still in doubt after chunk 1's commit
        assertThat(store().batch("b1").orElseThrow()).extracting(BatchCheckpoint::done, BatchCheckpoint::inDoubt)
                .containsExactly(1000L, 500L);
        BatchCheckpoint afterSecond = afterFirst.advance(500, null, 500, 0, 0);
        store().commitBatch(List.of(), afterSecond, false);
        assertThat(store().batch("b1").orElseThrow()).extracting(BatchCheckpoint::done, BatchCheckpoint::inDoubt)
                .containsExactly(1500L, 0L);
        // the other order: chunk 3 is noted after chunk 2 committed; its note counts from the new checkpoint
        store().batchInDoubtUntil("b1", 2500);
        assertThat(store().batch("b1").orElseThrow().inDoubt()).isEqualTo(1000);
        store().commitBatch(List.of(), afterSecond.advance(1000, null, 1000, 0, 0), true);
        assertThat(store().batch("b1").orElseThrow()).extracting(BatchCheckpoint::done, BatchCheckpoint::inDoubt,
                BatchCheckpoint::finished).containsExactly(2500L, 0L, true);
    }

    @Test
    void aBatchStoresANewRecordInOneRowThatEveryReadSeesAsKnownValuesAndLedger() throws Exception {
        BatchCheckpoint start = store().startBatch("b1", "crm-customer", "in.csv", false);
        Map<RecordKey, RecordState> states = store().recordStates(
                List.of(new RecordKey("customer", "B-1"), new RecordKey("customer", "B-2")), clock.instant());
        RunEffects first = batchRun(states.get(new RecordKey("customer", "B-1")), "batch:b1:1", "a@b.c");
        RunEffects second = batchRun(states.get(new RecordKey("customer", "B-2")), "batch:b1:2", "d@e.f");
        clock.advance(Duration.ofSeconds(1));

        store().commitBatch(List.of(first, second), start.advance(2, null, 2, 0, 0), false);

        assertThat(rows("SELECT COUNT(*) FROM batch_records")).isEqualTo(2);
        assertThat(rows("SELECT COUNT(*) FROM known_values") + rows("SELECT COUNT(*) FROM writes")
                + rows("SELECT COUNT(*) FROM recent_writes")).isZero();
        // A live run's read of the record sees the batch's known values and its write, echo pending.
        RecordState live = store().recordStates(List.of(new RecordKey("customer", "B-1")), clock.instant().minusSeconds(60))
                .get(new RecordKey("customer", "B-1"));
        assertThat(live.known("crm")).containsOnlyKeys("email", "phone");
        assertThat(live.known("crm").get("email")).isEqualTo(new KnownValue("\"a@b.c\"", "v1",
                clock.instant(), "batch:b1:1"));
        LedgerEntry written = live.recentWrites("erp").get("email").getFirst();
        assertThat(written.valueJson()).isEqualTo("\"a@b.c\"");
        assertThat(written.eventId()).isEqualTo("batch:b1:1");
        assertThat(written.writtenAt()).isEqualTo(clock.instant().minusSeconds(1));
        assertThat(written.echoed()).isFalse();
        assertThat(live.writtenSince("erp", "email")).containsExactly("\"a@b.c\"");
        assertThat(rows("SELECT COUNT(*) FROM batch_records")).isEqualTo(1);
        // The echo is marked on the moved row; the other record's row moves on any read of it.
        store().markEchoed("erp", "customer", "B-1", "email", written.seq());
        assertThat(store().ledger("erp", "customer", "B-1").get("email").echoed()).isTrue();
        assertThat(store().writes("erp", "customer", "B-2", 10)).extracting(RecordedWrite::valueJson)
                .containsExactly("\"d@e.f\"");
        assertThat(store().knownValues("crm", "customer", "B-2")).containsEntry("email", "\"d@e.f\"");
        assertThat(rows("SELECT COUNT(*) FROM batch_records")).isZero();
        assertThat(rows("SELECT COUNT(*) FROM known_values")).isEqualTo(4);
    }

    @Test
    void aChunkOfWholeGroupsAndARestStoresEveryRecordInItsOwnRowWithItsOwnValues() throws Exception {
        // 2 groups of BatchRecordTable.GROUP rows in one statement each, then 37 row by row.
        int count = 2 * BatchRecordTable.GROUP + 37;
        BatchCheckpoint start = store().startBatch("b1", "crm-customer", "in.csv", false);
        List<RecordKey> keys = java.util.stream.IntStream.range(0, count)
                .mapToObj(i -> new RecordKey("customer", String.format("G-%04d", i))).toList();
        Map<RecordKey, RecordState> states = store().recordStates(keys, clock.instant());
        List<RunEffects> runs = new java.util.ArrayList<>();
        for (int i = 0; i < count; i++) {
            runs.add(batchRun(states.get(keys.get(i)), "batch:b1:" + (i + 1), "g" + i + "@b.c"));
        }

        store().commitBatch(runs, start.advance(count, null, count, 0, 0), false);

        assertThat(rows("SELECT COUNT(*) FROM batch_records")).isEqualTo(count);
        for (int i : new int[] {0, BatchRecordTable.GROUP - 1, BatchRecordTable.GROUP, 2 * BatchRecordTable.GROUP,
                count - 1}) {
            String key = keys.get(i).key();
            assertThat(store().knownValues("crm", "customer", key)).as(key).containsEntry("email", "\"g" + i + "@b.c\"");
            assertThat(store().writes("erp", "customer", key, 10)).as(key).extracting(RecordedWrite::eventId)
                    .containsExactly("batch:b1:" + (i + 1));
        }
    }

    @Test
    void aBatchStoresARecordStewardKnewTheUsualWayAndAgainOverItsOwnRowAfterMovingIt() throws Exception {
        store().remember("crm", "customer", "B-1", Map.of("email", "\"old@b.c\""), "live-1");
        BatchCheckpoint start = store().startBatch("b1", "crm-customer", "in.csv", false);
        RecordKey key = new RecordKey("customer", "B-1");
        RunEffects run = batchRun(store().recordStates(List.of(key), clock.instant()).get(key), "batch:b1:1", "a@b.c");

        store().commitBatch(List.of(run), start.advance(1, null, 1, 0, 0), false);

        assertThat(rows("SELECT COUNT(*) FROM batch_records")).isZero();
        assertThat(store().knownValues("crm", "customer", "B-1")).containsEntry("email", "\"a@b.c\"");
        assertThat(store().writes("erp", "customer", "B-1", 10)).hasSize(1);

        // A second batch over a record the first stored in one row: the read moves the row first.
        BatchCheckpoint again = store().startBatch("b2", "crm-customer", "in.csv", false);
        RecordKey other = new RecordKey("customer", "B-2");
        store().commitBatch(List.of(batchRun(new RecordState(other), "batch:b2:1", "x@y.z")),
                again.advance(1, null, 1, 0, 0), false);
        RunEffects later = batchRun(store().recordStates(List.of(other), clock.instant()).get(other), "batch:b2:2", "n@m.o");
        store().commitBatch(List.of(later), again.advance(2, null, 2, 0, 0), false);

        assertThat(rows("SELECT COUNT(*) FROM batch_records")).isZero();
        assertThat(store().knownValues("crm", "customer", "B-2")).containsEntry("email", "\"n@m.o\"");
        assertThat(store().writes("erp", "customer", "B-2", 10)).extracting(RecordedWrite::valueJson)
                .containsExactly("\"n@m.o\"", "\"x@y.z\"");
    }

    @Test
    void recordStatesFindWhatIsStoredOfKeysAmongOthersAndNothingOfKeysBesideStoredOnes() throws Exception {
        // Each table holds one key in the middle of the range read: the reads must find it
        // whether or not the store first probes the keys' range (H2 does).
        store().remember("crm", "customer", "K-5", Map.of("email", "\"k5@b.c\""), "live-5");
        store().recordWrite("erp", "customer", "K-3", Map.of("phone", "\"3\""), "live-3", null);
        store().placeHold("customer", "K-7", "phone", "flip-flop", "[1,2,1]");
        store().remember("crm", "deal", "K-6", Map.of("stage", "\"won\""), "live-6");
        BatchCheckpoint start = store().startBatch("b1", "crm-customer", "in.csv", false);
        RecordKey four = new RecordKey("customer", "K-4");
        store().commitBatch(List.of(batchRun(new RecordState(four), "batch:b1:1", "k4@b.c")),
                start.advance(1, null, 1, 0, 0), false);
        assertThat(rows("SELECT COUNT(*) FROM batch_records")).isOne();

        List<RecordKey> keys = java.util.stream.Stream.of("K-9", "K-1", "K-5", "K-7", "K-3", "K-4", "K-6")
                .map(key -> new RecordKey("customer", key)).toList();
        Map<RecordKey, RecordState> states = store().recordStates(keys, clock.instant().minusSeconds(60));

        assertThat(states.get(new RecordKey("customer", "K-5")).known("crm")).containsOnlyKeys("email");
        assertThat(states.get(new RecordKey("customer", "K-3")).recentWrites("erp")).containsOnlyKeys("phone");
        assertThat(states.get(new RecordKey("customer", "K-7")).hold("phone")).isPresent();
        assertThat(states.get(four).known("crm").get("email").valueJson()).as("the batch row, moved first")
                .isEqualTo("\"k4@b.c\"");
        assertThat(rows("SELECT COUNT(*) FROM batch_records")).isZero();
        assertThat(states.get(new RecordKey("customer", "K-6")).blank()).as("K-6 is known as a deal only").isTrue();
        assertThat(states.get(new RecordKey("customer", "K-1")).blank()).isTrue();
        assertThat(states.get(new RecordKey("customer", "K-9")).blank()).isTrue();

        // Keys whose range holds only another entity's rows, or none at all, read as new.
        Map<RecordKey, RecordState> beside = store().recordStates(List.of(new RecordKey("deal", "K-4"),
                new RecordKey("deal", "K-8"), new RecordKey("customer", "L-1"), new RecordKey("customer", "L-2")),
                clock.instant().minusSeconds(60));
        assertThat(beside.values()).allSatisfy(state -> assertThat(state.blank()).isTrue());
    }
}
