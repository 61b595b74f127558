package dev.steward.host;

import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import dev.steward.testing.PostgresServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.steward.host.HostProcess.pause;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Several real hosts ({@code java -jar target/steward.jar serve}, each a child process on a random
 * port of 127.0.0.1) sharing one throwaway PostgreSQL server of this class's own, with a short
 * {@code store.lease} (4 s). Webhooks are spread over the hosts; the target, in this JVM, honours
 * {@code Idempotency-Key} and records the order in which it applied writes. Each test checks
 * against the target and the store, read directly: every acknowledged event succeeded, each write
 * was applied once, and each record's writes were applied in the store's order of arrival.
 *
 * <p>{@code -Dsteward.multihost.events=N} (or {@code STEWARD_MULTIHOST_EVENTS}) sets the number of
 * events of the first test: 2,000 by default, 10,000 for the long run. Needs the packaged jar,
 * which {@code mvn verify} builds before the integration tests run.
 */
class MultiHostIT {

    static final int EVENTS = Integer.getInteger("steward.multihost.events",
            Integer.parseInt(System.getenv().getOrDefault("STEWARD_MULTIHOST_EVENTS", "2000")));
    static final int KEYS = 200;
    static final Duration LEASE = Duration.ofSeconds(4);
    static final Duration DRAIN_WITHIN = Duration.ofSeconds(120);

    static PostgresServer postgres;
    int schema;

    @TempDir
    Path temp;
    IdempotentTarget erp;
    final List<Process> hosts = new ArrayList<>();
    ExecutorService senders;

    @BeforeAll
    static void startPostgres() {
        postgres = PostgresServer.start();
    }

    @AfterAll
    static void stopPostgres() {
        if (postgres != null) {
            postgres.close();
        }
    }

    @AfterEach
    void stopEverything() throws Exception {
        if (senders != null) {
            senders.shutdownNow();
            senders.awaitTermination(10, TimeUnit.SECONDS);
        }
        for (Process host : hosts) {
            signal("CONT", host);
            host.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        if (erp != null) {
            erp.close();
        }
    }

    @Test
    @Timeout(value = 15, unit = TimeUnit.MINUTES) // the long run (10,000 events); the default takes about a minute
    void threeHostsRunEveryEventOnceInEachRecordsOrderAndOneDeliveryToTwoHostsIsOneEvent() throws Exception {
        erp = new IdempotentTarget((request, key, attempt) -> IdempotentTarget.Answer.applied());
        long started = System.nanoTime();
        List<HostProcess> steward = startHosts(3);
        List<RetryingSender> perHost = steward.stream().map(h -> new RetryingSender(h.port, KEYS)).toList();
        long ready = System.nanoTime();

        sendAll(perHost, "multi", EVENTS, 16);
        long sent = System.nanoTime();
        // The same deliveries to two hosts at once: one event each, the second answer a duplicate.
        int duplicatesBefore = perHost.get(0).duplicates.get() + perHost.get(1).duplicates.get();
        List<Future<?>> twice = new ArrayList<>();
        for (int n = 0; n < 50; n++) {
            int delivery = n;
            twice.add(senders.submit(() -> perHost.get(0).deliver("twice", delivery)));
            twice.add(senders.submit(() -> perHost.get(1).deliver("twice", delivery)));
        }
        for (Future<?> f : twice) {
            f.get(60, TimeUnit.SECONDS);
        }
        awaitDrained(EVENTS + 50);
        long drained = System.nanoTime();

        Map<String, String> acknowledged = acknowledged(perHost);
        assertThat(acknowledged).hasSize(EVENTS + 50);
        for (int n = 0; n < 50; n++) {
            assertThat(perHost.get(0).acknowledged.get("twice-" + n)).as("delivery twice-" + n + " on both hosts")
                    .isEqualTo(perHost.get(1).acknowledged.get("twice-" + n));
        }
        assertThat(perHost.get(0).duplicates.get() + perHost.get(1).duplicates.get() - duplicatesBefore).isEqualTo(50);
        assertEveryEventAppliedOnceInOrder(Set.copyOf(acknowledged.values()));
        System.out.printf("MultiHostIT: %d events over 3 hosts: hosts ready in %d ms, sent in %d ms, all run %d ms later;"
                + " %d events run more than once%n", acknowledged.size(), TimeUnit.NANOSECONDS.toMillis(ready - started),
                TimeUnit.NANOSECONDS.toMillis(sent - ready), TimeUnit.NANOSECONDS.toMillis(drained - sent), rerun());
    }

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void aHostKilledAndAnotherFrozenPastItsLeaseLoseNothingAndCommitNothingStale() throws Exception {
        SplittableRandom delays = new SplittableRandom(7);
        // Slow answers, so that both hosts have runs in flight when they are killed and frozen.
        erp = new IdempotentTarget((request, key, attempt) -> {
            ResponseDefinitionBuilder answer = IdempotentTarget.Answer.applied().response();
            synchronized (delays) {
                return new IdempotentTarget.Answer(true, answer.withFixedDelay(100 + delays.nextInt(150)));
            }
        });
        List<HostProcess> steward = startHosts(3);
        List<RetryingSender> perHost = steward.stream().map(h -> new RetryingSender(h.port, KEYS)).toList();
        int events = 800;
        sendAll(perHost, "fault", events, 12);
        awaitSucceeded(events / 10);

        Process killed = hosts.get(0);
        Process frozen = hosts.get(1);
        killed.destroyForcibly(); // SIGKILL
        assertThat(killed.waitFor(20, TimeUnit.SECONDS)).isTrue();
        signal("STOP", frozen);
        int heldWhenFrozen = runningClaimedBy(frozen.pid());
        long frozenAt = System.nanoTime();
        // Past its lease: the third host takes over the killed host's and the frozen host's events.
        awaitTrue(() -> runningClaimedBy(frozen.pid()) == 0 && runningClaimedBy(killed.pid()) == 0,
                LEASE.plusSeconds(30), "the third host took over the runs of the killed and the frozen host");
        long takeoverMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - frozenAt);
        pause(Duration.ofSeconds(1)); // and runs some of them before the frozen host wakes
        signal("CONT", frozen);
        awaitDrained(events);

        Map<String, String> acknowledged = acknowledged(perHost);
        assertThat(acknowledged).hasSize(events);
        assertEveryEventAppliedOnceInOrder(Set.copyOf(acknowledged.values()));
        String frozenLog = Files.readString(steward.get(1).log);
        int refused = count(frozenLog, "was not recorded: the event was taken over");
        if (heldWhenFrozen > 0) {
            assertThat(refused + count(frozenLog, "lost their lease")).as("the frozen host's stale runs were refused:\n"
                    + steward.get(1).logTail()).isPositive();
        }
        assertThat(frozen.isAlive()).as("the frozen host lives on").isTrue();
        System.out.printf("MultiHostIT: SIGKILL + SIGSTOP; %d runs held by the frozen host, taken over within %d ms;"
                + " %d stale outcomes refused; runs re-run %d%n", heldWhenFrozen, takeoverMs, refused, rerun());
    }

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void postgresStoppedImmediatelyUnderLoadLosesNoAcknowledgedEventAndTheHostsRecoverWithoutARestart() throws Exception {
        erp = new IdempotentTarget((request, key, attempt) -> IdempotentTarget.Answer.applied());
        List<HostProcess> steward = startHosts(2);
        List<RetryingSender> perHost = steward.stream().map(h -> new RetryingSender(h.port, KEYS, Duration.ofSeconds(40))).toList();
        AtomicBoolean stopNew = new AtomicBoolean();
        AtomicInteger next = new AtomicInteger();
        senders = Executors.newFixedThreadPool(4);
        List<Future<?>> sending = new ArrayList<>();
        for (int s = 0; s < 4; s++) {
            sending.add(senders.submit(() -> {
                while (!stopNew.get() && !Thread.currentThread().isInterrupted()) {
                    int n = next.getAndIncrement();
                    perHost.get(n % perHost.size()).deliver("outage", n);
                    pause(Duration.ofMillis(5));
                }
                return null;
            }));
        }
        awaitSucceeded(200);
        postgres.stopImmediately();
        int before = next.get();
        // Longer than the pool's connection timeout (10 s), so that waiting webhooks are answered 503.
        pause(Duration.ofSeconds(13));
        postgres.startAgain();
        pause(Duration.ofSeconds(3));
        stopNew.set(true);
        for (Future<?> task : sending) {
            task.get(120, TimeUnit.SECONDS);
        }
        int sent = next.get();
        awaitDrained(-1);

        Map<String, String> acknowledged = acknowledged(perHost);
        assertThat(acknowledged).hasSize(sent);
        assertThat(perHost.stream().mapToInt(s -> s.storeUnavailable.get()).sum())
                .as("webhooks answered 503 with Retry-After while PostgreSQL was down").isPositive();
        perHost.forEach(s -> assertThat(s.unexpected).isEmpty());
        assertEveryEventAppliedOnceInOrder(Set.copyOf(acknowledged.values()));
        assertThat(hosts).allMatch(Process::isAlive);
        System.out.printf("MultiHostIT: PostgreSQL down 13 s under load (%d deliveries sent before); %d events acknowledged,"
                        + " %d answers 503 store unavailable, %d deliveries sent again%n", before, acknowledged.size(),
                perHost.stream().mapToInt(s -> s.storeUnavailable.get()).sum(), perHost.stream().mapToInt(s -> s.resent.get()).sum());
    }

    // ---------------------------------------------------------------------------------------------

    /** A fresh schema-free database per test: drops and recreates the store's tables by a new database. */
    private String storeUrl() throws SQLException {
        String name = "steward_" + (++schema) + "_" + Long.toHexString(System.nanoTime() & 0xffffffL);
        try (Connection c = DriverManager.getConnection(postgres.url(), "postgres", null);
                Statement statement = c.createStatement()) {
            statement.execute("CREATE DATABASE " + name);
        }
        currentUrl = postgres.url().substring(0, postgres.url().lastIndexOf('/') + 1) + name;
        return currentUrl;
    }

    private String currentUrl;

    private List<HostProcess> startHosts(int count) throws Exception {
        String url = storeUrl();
        List<HostProcess> steward = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Path home = RunningHost.crmEmailToErp(temp.resolve("host" + i), 4, erp.port(), "");
            Files.writeString(home.resolve("steward.yaml"), """
                    store:
                      url: "%s"
                      user: postgres
                      lease: %ds
                    """.formatted(url, LEASE.toSeconds()), java.nio.file.StandardOpenOption.APPEND);
            HostProcess host = new HostProcess(home, temp.resolve("host" + i + ".log"));
            steward.add(host);
            hosts.add(host.launch());
            if (i == 0) {
                host.awaitReady(hosts.get(0)); // the first one migrates the schema alone
            }
        }
        for (int i = 1; i < count; i++) {
            steward.get(i).awaitReady(hosts.get(i));
        }
        return steward;
    }

    private void sendAll(List<RetryingSender> perHost, String prefix, int events, int threads) throws Exception {
        senders = Executors.newFixedThreadPool(threads);
        AtomicInteger next = new AtomicInteger();
        List<Future<?>> sending = new ArrayList<>();
        for (int s = 0; s < threads; s++) {
            sending.add(senders.submit(() -> {
                for (int n = next.getAndIncrement(); n < events; n = next.getAndIncrement()) {
                    perHost.get(n % perHost.size()).deliver(prefix, n);
                }
                return null;
            }));
        }
        for (Future<?> task : sending) {
            task.get(5, TimeUnit.MINUTES);
        }
        perHost.forEach(s -> assertThat(s.unexpected).isEmpty());
    }

    private static Map<String, String> acknowledged(List<RetryingSender> perHost) {
        Map<String, String> all = new HashMap<>();
        perHost.forEach(s -> all.putAll(s.acknowledged));
        return all;
    }

    /**
     * Every acknowledged event succeeded and is in the store, which holds no other; the target
     * applied each event's write once; each record's writes were applied in its events' order of
     * arrival; each event has exactly one succeeded attempt (no stale outcome recorded twice).
     */
    private void assertEveryEventAppliedOnceInOrder(Set<String> eventIds) throws SQLException {
        Map<String, String> keyOf = new HashMap<>();
        Map<String, List<String>> arrival = new HashMap<>();
        try (Connection c = store(); Statement s = c.createStatement();
                ResultSet rows = s.executeQuery("SELECT id, record_key, status FROM events ORDER BY seq")) {
            while (rows.next()) {
                assertThat(rows.getString(3)).as("event " + rows.getString(1)).isEqualTo("SUCCEEDED");
                keyOf.put(rows.getString(1), rows.getString(2));
                arrival.computeIfAbsent(rows.getString(2), k -> new ArrayList<>()).add(rows.getString(1));
            }
        }
        assertThat(keyOf.keySet()).containsExactlyInAnyOrderElementsOf(eventIds);
        try (Connection c = store(); Statement s = c.createStatement();
                ResultSet rows = s.executeQuery("SELECT event_id, COUNT(*) FROM attempts WHERE outcome = 'succeeded'"
                        + " GROUP BY event_id HAVING COUNT(*) <> 1")) {
            assertThat(rows.next()).as("an event with more than one succeeded attempt").isFalse();
        }
        Map<String, Integer> applied = erp.applied();
        assertThat(applied.values()).as("writes applied more than once").allMatch(times -> times == 1);
        Map<String, List<String>> appliedOrder = new LinkedHashMap<>();
        for (String key : applied.keySet()) {
            String eventId = key.substring(0, key.lastIndexOf(':'));
            appliedOrder.computeIfAbsent(keyOf.get(eventId), k -> new ArrayList<>()).add(eventId);
        }
        assertThat(appliedOrder.values().stream().mapToInt(List::size).sum()).as("writes applied").isEqualTo(eventIds.size());
        assertThat(appliedOrder).as("each record's writes in its events' order of arrival").isEqualTo(arrival);
    }

    private Connection store() throws SQLException {
        return DriverManager.getConnection(currentUrl, "postgres", null);
    }

    private long scalar(String sql) {
        try (Connection c = store(); Statement s = c.createStatement(); ResultSet rows = s.executeQuery(sql)) {
            rows.next();
            return rows.getLong(1);
        } catch (SQLException e) {
            return -1; // the server is down for a moment: not yet
        }
    }

    private void awaitSucceeded(int atLeast) throws InterruptedException {
        awaitTrue(() -> scalar("SELECT COUNT(*) FROM events WHERE status = 'SUCCEEDED'") >= atLeast, DRAIN_WITHIN,
                atLeast + " events succeeded");
    }

    /** Until nothing is open (and, when {@code total} is not negative, that many events are stored). */
    private void awaitDrained(int total) throws InterruptedException {
        awaitTrue(() -> scalar("SELECT COUNT(*) FROM events WHERE status IN ('PENDING', 'RUNNING')") == 0
                        && (total < 0 || scalar("SELECT COUNT(*) FROM events") == total),
                DRAIN_WITHIN, "every event finished");
    }

    private int runningClaimedBy(long pid) {
        return (int) scalar("SELECT COUNT(*) FROM events WHERE status = 'RUNNING' AND claimed_by LIKE '%/" + pid + "'");
    }

    private long rerun() {
        return scalar("SELECT COUNT(*) FROM events WHERE attempts > 1");
    }

    private static void awaitTrue(java.util.function.BooleanSupplier condition, Duration within, String what)
            throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + within + ": " + what);
            }
            Thread.sleep(100);
        }
    }

    private static int count(String text, String needle) {
        int n = 0;
        for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) {
            n++;
        }
        return n;
    }

    private static void signal(String name, Process process) throws IOException, InterruptedException {
        if (process.isAlive()) {
            new ProcessBuilder("kill", "-" + name, String.valueOf(process.pid())).inheritIO().start().waitFor(10, TimeUnit.SECONDS);
        }
    }
}
