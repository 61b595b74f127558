package dev.steward.host;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import static dev.steward.host.HostProcess.pause;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The real host ({@code java -jar target/steward.jar serve}) as a child process, killed with
 * SIGKILL at random moments (a seeded {@link Random}) while senders post webhooks to it, and
 * started again each time on the same workspace and embedded H2 store. The senders behave like
 * real webhook senders: a delivery that got no 202 (connection refused while the host was down,
 * a connection cut by the kill, a 503) is sent again with the same {@code webhook-id}. The
 * target, in this JVM, honours {@code Idempotency-Key}. At the end, after a last start: every
 * event that got a 202 is succeeded or a dead letter, none is lost or stuck, the store holds no
 * event no one was answered for, and the target applied each event's write exactly once.
 *
 * <p>{@code -Dsteward.crash.kills=N} (or {@code STEWARD_CRASH_KILLS}) sets the number of kills:
 * 20 by default, 100 or more for the long soak. Needs the packaged jar, which {@code mvn verify}
 * builds before the integration tests run.
 */
class CrashRecoveryIT {

    static final int KILLS = Integer.getInteger("steward.crash.kills",
            Integer.parseInt(System.getenv().getOrDefault("STEWARD_CRASH_KILLS", "20")));
    static final int SENDERS = 2;
    static final Duration SENDER_PAUSE = Duration.ofMillis(10);
    static final int KEYS = 40;
    static final Duration DRAIN_WITHIN = Duration.ofSeconds(120);

    @TempDir
    Path temp;
    IdempotentTarget erp;
    Process host;
    ExecutorService senders;

    @AfterEach
    void stopEverything() throws InterruptedException {
        if (senders != null) {
            senders.shutdownNow();
            senders.awaitTermination(10, TimeUnit.SECONDS);
        }
        if (host != null && host.isAlive()) {
            host.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        if (erp != null) {
            erp.close();
        }
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.MINUTES) // the soak; the default run takes 2 to 3 minutes
    void killedAtRandomTheHostLosesNothingAndAppliesNothingTwice() throws Exception {
        SplittableRandom targetDelays = new SplittableRandom(11);
        // The target answers after a short random delay, so that kills also land between its
        // applying a write and Steward's recording that the write was done.
        erp = new IdempotentTarget((request, key, attempt) -> {
            ResponseDefinitionBuilder answer = IdempotentTarget.Answer.applied().response();
            return new IdempotentTarget.Answer(true, answer.withFixedDelay(targetDelays.nextInt(25)));
        });
        HostProcess steward = new HostProcess(workspace(erp.port()), temp.resolve("host.log"));
        Path home = steward.home;
        int port = steward.port;
        Random random = new Random(Long.getLong("steward.crash.seed", 20_261_127L));
        long started = System.nanoTime();

        // Senders: every delivery is sent until it gets a 202; acknowledged holds delivery -> event.
        RetryingSender sender = new RetryingSender(port, KEYS);
        Map<String, String> acknowledged = sender.acknowledged;
        AtomicInteger nextDelivery = new AtomicInteger();
        AtomicBoolean stopNew = new AtomicBoolean();
        senders = Executors.newFixedThreadPool(SENDERS);
        List<Future<?>> sending = new ArrayList<>();
        for (int s = 0; s < SENDERS; s++) {
            sending.add(senders.submit(() -> {
                while (!stopNew.get() && !Thread.currentThread().isInterrupted()) {
                    sender.deliver("crash", nextDelivery.getAndIncrement());
                    pause(SENDER_PAUSE);
                }
                return null;
            }));
        }

        int kills = 0;
        int killedBeforeReady = 0;
        while (kills < KILLS) {
            host = steward.launch();
            if (random.nextInt(5) == 0) {
                // Now and then, kill it while it starts: opening the store, migrating, claiming.
                pause(Duration.ofMillis(random.nextInt(3_000)));
                killedBeforeReady += steward.isUp() ? 0 : 1;
            } else {
                steward.awaitReady(host);
                pause(Duration.ofMillis(200 + random.nextInt(2_300))); // the random moment of the kill, under load
            }
            host.destroyForcibly(); // SIGKILL on Linux: no shutdown hook, no flush, no goodbye
            assertThat(host.waitFor(20, TimeUnit.SECONDS)).as("the killed host exited").isTrue();
            kills++;
        }

        host = steward.launch();
        steward.awaitReady(host);
        stopNew.set(true);
        for (Future<?> task : sending) {
            task.get(HostProcess.READY_WITHIN.toSeconds(), TimeUnit.SECONDS); // each finishes its last delivery
        }
        assertThat(sender.unexpected).as("answers a sender should never get").isEmpty();
        steward.awaitNothingOpen(DRAIN_WITHIN);
        long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started);

        // Every acknowledged event is known to the store, and finished.
        Set<String> eventIds = new HashSet<>(acknowledged.values());
        assertThat(eventIds).as("one event per delivery").hasSize(acknowledged.size());
        Map<String, Integer> statuses = new TreeMap<>();
        Set<String> succeeded = new HashSet<>();
        int rerun = 0;
        for (String eventId : eventIds) {
            HttpResponse<String> response = steward.get("/api/events/" + eventId);
            assertThat(response.statusCode()).as("event " + eventId + " got a 202 and must not be lost").isEqualTo(200);
            JsonNode event = RunningHost.json(response);
            String status = event.path("status").asText();
            statuses.merge(status, 1, Integer::sum);
            assertThat(status).as(event.toString()).isIn("succeeded", "failed");
            if (status.equals("succeeded")) {
                succeeded.add(eventId);
            }
            rerun += event.path("attempts").asInt() > 1 ? 1 : 0;
        }
        assertThat(steward.getJson("/api/events?status=pending&limit=1").path("events")).isEmpty();
        assertThat(steward.getJson("/api/events?status=running&limit=1").path("events")).isEmpty();

        // No duplicate side effect: each succeeded event's write applied once, under its own key.
        Map<String, Integer> applied = erp.applied();
        assertThat(applied.values()).allMatch(times -> times == 1);
        Map<String, Long> appliedPerEvent = applied.keySet().stream()
                .collect(Collectors.groupingBy(key -> key.substring(0, key.lastIndexOf(':')), Collectors.counting()));
        assertThat(appliedPerEvent.values()).allMatch(times -> times == 1);
        // On a mismatch, the events' own accounts (status, attempts, trace) go into the message.
        Set<String> unexplained = new TreeSet<>(succeeded);
        unexplained.removeAll(appliedPerEvent.keySet());
        Set<String> unexpected = new TreeSet<>(appliedPerEvent.keySet());
        unexpected.removeAll(succeeded);
        StringBuilder accounts = new StringBuilder();
        for (String eventId : unexplained) {
            accounts.append("\nsucceeded, never applied: ").append(steward.get("/api/events/" + eventId).body());
        }
        for (String eventId : unexpected) {
            accounts.append("\napplied, not succeeded: ").append(steward.get("/api/events/" + eventId).body());
        }
        accounts.append("\ntarget requests of these events: ").append(erp.requests().stream()
                .filter(seen -> unexplained.stream().anyMatch(id -> seen.key().startsWith(id + ":"))
                        || unexpected.stream().anyMatch(id -> seen.key().startsWith(id + ":")))
                .toList());
        assertThat(appliedPerEvent.keySet()).as(accounts.toString()).containsExactlyInAnyOrderElementsOf(succeeded);
        long replays = erp.requests().stream().filter(IdempotentTarget.Seen::replayed).count();

        // The store, read directly once the host has stopped, holds exactly the acknowledged events.
        host.destroy();
        assertThat(host.waitFor(30, TimeUnit.SECONDS)).as("the host stops on SIGTERM").isTrue();
        Map<String, String> stored = new HashMap<>();
        try (Connection db = DriverManager.getConnection("jdbc:h2:" + home.resolve("data/steward"), "sa", "");
                Statement select = db.createStatement();
                ResultSet rows = select.executeQuery("SELECT id, status FROM events")) {
            while (rows.next()) {
                stored.put(rows.getString(1), rows.getString(2));
            }
        }
        assertThat(stored.keySet()).containsExactlyInAnyOrderElementsOf(eventIds);

        System.out.printf("CrashRecoveryIT: %d SIGKILLs (%d during start-up) in %d s; %d events acknowledged (%s),"
                        + " %d re-run after a kill, %d deliveries sent again (%d answered as duplicates),"
                        + " %d writes applied, %d repeated writes answered from the target's idempotency store%n",
                kills, killedBeforeReady, seconds, eventIds.size(), statuses, rerun, sender.resent.get(), sender.duplicates.get(),
                applied.size(), replays);
        assertThat(kills).isGreaterThanOrEqualTo(KILLS);
    }

    private Path workspace(int erpPort) throws IOException {
        return RunningHost.crmEmailToErp(temp.resolve("workspace"), 4, erpPort, "");
    }
}
