package dev.steward.host;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static dev.steward.host.HostProcess.pause;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The real host as a child process ({@link HostProcess}), stopped with SIGTERM at seeded random
 * moments while senders keep a backlog in front of its workers, and started again each time on
 * the same workspace and embedded H2 store. Every stop must be clean and quick: exit code 0,
 * well within {@code host.shutdownGrace}, no error or exception in the output. After the last
 * start: every acknowledged event succeeded in exactly one attempt, and the target (which honours
 * {@code Idempotency-Key}) was asked for each write once, so no stop made a write run again.
 */
class GracefulStopIT {

    static final int STOPS = 3;
    static final int DELIVERIES = 500;
    static final int SENDERS = 3;
    static final int KEYS = 60;
    static final Duration GRACE = Duration.ofSeconds(10);
    static final Duration DRAIN_WITHIN = Duration.ofSeconds(120);
    private static final Pattern TROUBLE = Pattern.compile("\\bERROR\\b|Exception|already closed|\\tat ");

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
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void aRunStillGoingAfterTheGraceIsHandedBackAtOnce() throws Exception {
        erp = new IdempotentTarget((request, key, attempt) -> new IdempotentTarget.Answer(true,
                IdempotentTarget.Answer.applied().response().withFixedDelay(6_000))); // a write that outlasts the grace
        Path home = RunningHost.crmEmailToErp(temp.resolve("workspace"), 1, erp.port(), "");
        Path settings = home.resolve("steward.yaml");
        Files.writeString(settings, Files.readString(settings).replace("host:\n", "host:\n  shutdownGrace: 1s\n"));
        try (RunningHost host = new RunningHost(home)) {
            assertThat(host.workspace.host().shutdownGrace()).isEqualTo(Duration.ofSeconds(1));
            String eventId = RunningHost.json(host.hook("crm/customer", "{\"id\":\"K-1\",\"email\":\"a@example.com\"}", "hang-1"))
                    .path("eventId").asText();
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (!erp.requests().stream().anyMatch(seen -> seen.key().startsWith(eventId)) && System.nanoTime() < deadline) {
                pause(Duration.ofMillis(20));
            }
            assertThat(host.getJson("/api/events/" + eventId).path("status").asText()).isEqualTo("running");

            long started = System.nanoTime();
            host.server.stopTakingWebhooks(Duration.ofSeconds(1));
            host.engine.stopWorkers(Duration.ofSeconds(1));
            long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);

            assertThat(tookMillis).as("the stop waited for the grace, not for the hanging write").isLessThan(5_000);
            assertThat(host.engine.store().claim("another-host", 1, Duration.ofMinutes(5)))
                    .as("handed back: another host may claim it now, not after the 5-minute lease")
                    .singleElement().satisfies(event -> assertThat(event.id()).isEqualTo(eventId));
        }
    }

    @Test
    @Timeout(value = 6, unit = TimeUnit.MINUTES)
    void sigtermUnderLoadExitsZeroQuicklyAndNoWriteRunsTwice() throws Exception {
        SplittableRandom delays = new SplittableRandom(23);
        // Each write takes the target 50 to 150 ms: a backlog builds up, and a stop always finds runs in progress.
        erp = new IdempotentTarget((request, key, attempt) -> {
            ResponseDefinitionBuilder answer = IdempotentTarget.Answer.applied().response();
            return new IdempotentTarget.Answer(true, answer.withFixedDelay(50 + delays.nextInt(100)));
        });
        HostProcess steward = new HostProcess(RunningHost.crmEmailToErp(temp.resolve("workspace"), 4, erp.port(), ""),
                temp.resolve("host.log"));
        Random random = new Random(20_261_128L);
        RetryingSender sender = new RetryingSender(steward.port, KEYS);
        AtomicInteger next = new AtomicInteger();
        senders = Executors.newFixedThreadPool(SENDERS);
        List<Future<?>> sending = new ArrayList<>();
        for (int s = 0; s < SENDERS; s++) {
            sending.add(senders.submit(() -> {
                for (int n = next.getAndIncrement(); n < DELIVERIES && !Thread.currentThread().isInterrupted(); n = next.getAndIncrement()) {
                    sender.deliver("stop", n);
                }
                return null;
            }));
        }

        List<Long> stopMillis = new ArrayList<>();
        List<Integer> backlogs = new ArrayList<>();
        for (int stop = 0; stop < STOPS; stop++) {
            host = steward.launch(); // no --bind: the default
            steward.awaitReady(host);
            pause(Duration.ofMillis(800 + random.nextInt(1_500))); // the random moment of the stop, under load
            backlogs.add(steward.getJson("/health").path("backlog").asInt(-1));
            long sent = System.nanoTime();
            host.destroy(); // SIGTERM
            assertThat(host.waitFor(GRACE.toSeconds() + 20, TimeUnit.SECONDS)).as("the host stops on SIGTERM").isTrue();
            stopMillis.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sent));
            assertThat(host.exitValue()).as("exit code after SIGTERM:\n" + steward.logTail()).isZero();
        }
        // Under load: a stop found events waiting or running (how far the senders got by then depends on the machine).
        assertThat(backlogs).as("the backlog at each stop").anyMatch(backlog -> backlog > 0);

        host = steward.launch();
        steward.awaitReady(host);
        for (Future<?> task : sending) {
            task.get(HostProcess.READY_WITHIN.toSeconds(), TimeUnit.SECONDS);
        }
        assertThat(sender.unexpected).as("answers a sender should never get").isEmpty();
        assertThat(sender.acknowledged).hasSize(DELIVERIES);
        steward.awaitNothingOpen(DRAIN_WITHIN);

        Set<String> eventIds = new HashSet<>(sender.acknowledged.values());
        assertThat(eventIds).as("one event per delivery").hasSize(DELIVERIES);
        for (String eventId : eventIds) {
            JsonNode event = steward.getJson("/api/events/" + eventId);
            assertThat(event.path("status").asText()).as(event.toString()).isEqualTo("succeeded");
            assertThat(event.path("attempts").asInt()).as("no stop made a run start again: " + event).isEqualTo(1);
        }
        Map<String, Integer> applied = erp.applied();
        assertThat(erp.requests()).as("each Idempotency-Key was sent once").allSatisfy(seen -> {
            assertThat(seen.attempt()).as(seen.key()).isEqualTo(1);
            assertThat(seen.replayed()).as(seen.key()).isFalse();
        });
        assertThat(applied.values()).allMatch(times -> times == 1);
        Set<String> appliedEvents = applied.keySet().stream().map(key -> key.substring(0, key.lastIndexOf(':')))
                .collect(Collectors.toSet());
        assertThat(appliedEvents).containsExactlyInAnyOrderElementsOf(eventIds);

        long sent = System.nanoTime();
        host.destroy();
        assertThat(host.waitFor(GRACE.toSeconds() + 20, TimeUnit.SECONDS)).isTrue();
        stopMillis.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sent));
        assertThat(host.exitValue()).isZero();

        List<String> log = Files.readAllLines(steward.log);
        assertThat(log).as("the start line names the loopback address the default bind is")
                .anyMatch(line -> line.contains(" on http://127.0.0.1:" + steward.port + " "));
        assertThat(log).as("errors or exceptions in the host's output").noneMatch(line -> TROUBLE.matcher(line).find());
        assertThat(stopMillis).as("each stop, in ms").allMatch(ms -> ms < GRACE.toMillis());
        System.out.printf("GracefulStopIT: %d SIGTERMs under load (backlog at the stop: %s events), stop took %s ms;"
                        + " %d events, all succeeded in one attempt; %d deliveries sent again, %d of them refused"
                        + " with 503 while a host was stopping; %d writes, none repeated%n",
                STOPS + 1, backlogs, stopMillis, eventIds.size(), sender.resent.get(), sender.refusedWhileStopping.get(),
                applied.size());
    }
}
