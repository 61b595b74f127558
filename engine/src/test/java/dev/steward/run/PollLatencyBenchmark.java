package dev.steward.run;

import dev.steward.Engine;
import dev.steward.store.StoredEvent;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * Polling latency: from a change committed in the polled ERP table (a real H2 database, the
 * real jdbc connector) to its event stored, and to its run finished (synced to the CRM), with
 * {@code every: 10s} by default. Each change comes at a random moment of the poll period, so the
 * mean is about half the period plus the poll's own cost. Not a test (it takes a few minutes);
 * run with {@code bench/triggers.sh}, or:
 *
 * <pre>
 * mvn -B -q -pl engine -am test-compile dependency:build-classpath -Dmdep.outputFile=/tmp/engine.cp
 * cd engine && java -cp target/classes:target/test-classes:../plugins/api/target/classes:../plugins/jdbc/target/classes:$(cat /tmp/engine.cp) \
 *   dev.steward.run.PollLatencyBenchmark [every=10s] [changes=12]
 * </pre>
 */
public final class PollLatencyBenchmark {

    public static void main(String[] args) throws Exception {
        String every = args.length > 0 ? args[0] : "10s";
        int changes = args.length > 1 ? Integer.parseInt(args[1]) : 12;
        long period = dev.steward.plugin.DurationSetting.parse(every).orElseThrow().toMillis();
        Path home = Files.createTempDirectory("steward-poll-bench");
        PolledWorkspace ws = new PolledWorkspace(home, "{ poll: { every: " + every + ", since: updated } }", "");
        ws.sql("erp", "CREATE TABLE IF NOT EXISTS items (sku VARCHAR(20) PRIMARY KEY, qty_on_hand INT, changed BIGINT)",
                "INSERT INTO items VALUES ('A', 0, 0)");
        SplittableRandom random = new SplittableRandom(17);
        List<Long> stored = new ArrayList<>();
        List<Long> finished = new ArrayList<>();
        try (Engine engine = ws.start("bench", Clock.systemUTC())) {
            PolledWorkspace.await("the first poll", Duration.ofSeconds(60), () -> PolledWorkspace.events(engine).size() == 1);
            for (int i = 1; i <= changes; i++) {
                Thread.sleep(random.nextLong(period));
                long changedAt = System.currentTimeMillis();
                ws.sql("erp", "UPDATE items SET qty_on_hand = " + i + ", changed = " + i + " WHERE sku = 'A'");
                String delivery = "poll:A@" + i;
                PolledWorkspace.await("change " + i, Duration.ofMillis(period * 3 + 30_000), () -> event(engine, delivery)
                        .filter(e -> e.status().isFinal()).isPresent());
                StoredEvent event = event(engine, delivery).orElseThrow();
                stored.add(event.receivedAt().toEpochMilli() - changedAt);
                finished.add(event.finishedAt().toEpochMilli() - changedAt);
                System.out.printf("change %2d: stored after %5d ms, synced after %5d ms%n", i, stored.getLast(), finished.getLast());
            }
        }
        System.out.printf("every %s, %d changes: change->stored %s; change->synced %s%n", every, changes,
                summary(stored), summary(finished));
    }

    private static Optional<StoredEvent> event(Engine engine, String delivery) {
        return PolledWorkspace.events(engine).stream().filter(e -> delivery.equals(e.deliveryId())).findFirst();
    }

    private static String summary(List<Long> millis) {
        List<Long> sorted = millis.stream().sorted().toList();
        double mean = sorted.stream().mapToLong(Long::longValue).average().orElse(0);
        return "min %d ms, median %d ms, mean %.0f ms, max %d ms".formatted(sorted.getFirst(),
                sorted.get(sorted.size() / 2), mean, sorted.getLast());
    }
}
