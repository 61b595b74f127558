package dev.steward.run;

import dev.steward.Engine;
import dev.steward.store.StoredEvent;
import dev.steward.testing.MutableClock;
import dev.steward.testing.PostgresDatabase;
import dev.steward.testing.PostgresExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static dev.steward.run.PolledWorkspace.await;
import static dev.steward.run.PolledWorkspace.events;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two hosts (two engines in this JVM, each with its own worker id) on one PostgreSQL store:
 * a poll runs on one of them at a time, and a schedule ticks once per tick.
 */
@ExtendWith(PostgresExtension.class)
class PostgresTriggersIT {

    @TempDir
    Path home;

    private static String store(PostgresDatabase database) {
        return """
                store:
                  url: "%s"
                  user: %s
                  password: "%s"
                """.formatted(database.url(), database.user(), database.password());
    }

    @Test
    void twoHostsPollOnceAndTheOtherTakesOver(PostgresDatabase database) throws Exception {
        PolledWorkspace ws = new PolledWorkspace(home, "{ poll: { every: 1s, since: updated } }", store(database));
        ws.sql("erp", "CREATE TABLE IF NOT EXISTS items (sku VARCHAR(20) PRIMARY KEY, qty_on_hand INT, changed BIGINT)",
                "INSERT INTO items VALUES ('A', 1, 1), ('B', 2, 1)");
        Engine a = ws.start("host-a/1", Clock.systemUTC());
        Engine b = ws.start("host-b/2", Clock.systemUTC());
        try {
            await("the first two records", Duration.ofSeconds(30), () -> events(a).size() == 2);
            int before = ws.lists.get();
            long started = System.nanoTime();
            for (int i = 2; i <= 6; i++) {
                ws.sql("erp", "UPDATE items SET qty_on_hand = " + i + ", changed = " + i + " WHERE sku = 'A'");
                int version = i;
                await("change " + i, Duration.ofSeconds(20), () -> events(a).stream()
                        .anyMatch(e -> e.deliveryId().equals("poll:A@" + version)));
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            int polls = ws.lists.get() - before;
            // one poll a second between both hosts; two pollers would make about twice as many
            assertThat(polls).as("polls in %.1f s", seconds).isLessThanOrEqualTo((int) Math.ceil(seconds) + 2);
            assertThat(events(b)).hasSize(7);
            assertThat(events(b)).extracting(StoredEvent::deliveryId).doesNotHaveDuplicates();

            boolean aPolls = ws.listsBy.get("host-a/1").get() > 0;
            assertThat(ws.listsBy.get("host-a/1").get() + ws.listsBy.get("host-b/2").get()).isEqualTo(ws.lists.get());
            Engine survivor = aPolls ? b : a;
            String survivorId = aPolls ? "host-b/2" : "host-a/1";
            int survivorPolls = ws.listsBy.get(survivorId).get();
            closeQuietly(aPolls ? a : b);
            ws.sql("erp", "UPDATE items SET qty_on_hand = 99, changed = 99 WHERE sku = 'B'");
            await("the other host to poll", Duration.ofSeconds(30), () -> events(survivor).stream()
                    .anyMatch(e -> e.deliveryId().equals("poll:B@99")));
            assertThat(events(survivor)).hasSize(8);
            assertThat(ws.listsBy.get(survivorId).get()).isGreaterThan(survivorPolls);
        } finally {
            closeQuietly(a);
            closeQuietly(b);
        }
    }

    @Test
    void aScheduleTicksOncePerTickOnTwoHosts(PostgresDatabase database) throws Exception {
        PolledWorkspace ws = new PolledWorkspace(home, "{ poll: { every: 1h, since: updated } }", store(database));
        Files.writeString(home.resolve("flows/nightly.yaml"), """
                id: nightly
                trigger: { schedule: { cron: "0 2 * * *" } }
                source: erp
                entity: product
                key: tick
                fields: { inventoryQty: qty_on_hand }
                steps: []
                """);
        ws = new PolledWorkspace(home, "{ poll: { every: 1h, since: updated } }", store(database));
        MutableClock clock = MutableClock.at("2026-03-01T01:59:00Z");
        Engine a = ws.start("host-a/1", clock);
        Engine b = ws.start("host-b/2", clock);
        try {
            Engine probe = a;
            await("the schedule to be registered", Duration.ofSeconds(10), () -> probe.store().triggers().stream()
                    .anyMatch(t -> t.flowId().equals("nightly")));
            assertThat(nightly(a)).isEmpty();
            clock.set(Instant.parse("2026-03-01T02:00:00.200Z"));
            await("the 02:00 tick", Duration.ofSeconds(10), () -> nightly(probe).size() == 1);
            clock.set(Instant.parse("2026-03-01T14:00:00Z"));
            awaitLooks(a);
            clock.set(Instant.parse("2026-03-02T02:00:01Z"));
            await("the next night's tick", Duration.ofSeconds(10), () -> nightly(probe).size() == 2);
            // three nights with no host looking: one event, for the latest tick
            clock.set(Instant.parse("2026-03-05T03:00:00Z"));
            await("the latest missed tick", Duration.ofSeconds(10), () -> nightly(probe).size() == 3);
            awaitLooks(a);
            List<StoredEvent> ticks = nightly(b);
            assertThat(ticks).extracting(StoredEvent::deliveryId).containsExactlyInAnyOrder(
                    "tick:2026-03-01T02:00:00Z", "tick:2026-03-02T02:00:00Z", "tick:2026-03-05T02:00:00Z");
            assertThat(ticks.getFirst().payload()).contains("\"tick\":\"2026-03-0");
            await("the ticks' runs", Duration.ofSeconds(20), () -> nightly(probe).stream().allMatch(e -> e.status().isFinal()));
        } finally {
            closeQuietly(a);
            closeQuietly(b);
        }
    }

    private static List<StoredEvent> nightly(Engine engine) {
        return engine.store().recent(100, java.util.Optional.of("nightly"), java.util.Optional.empty());
    }

    /** Lets each host look for due triggers a few times (they look every 250 ms). */
    private static void awaitLooks(Engine engine) {
        long until = System.nanoTime() + Duration.ofSeconds(1).toNanos();
        await("a few looks", Duration.ofSeconds(5), () -> System.nanoTime() > until);
    }

    private final java.util.Set<Engine> closed = new java.util.HashSet<>();

    private void closeQuietly(Engine engine) {
        if (closed.add(engine)) {
            engine.close();
        }
    }
}
