package dev.steward.run;

import dev.steward.Engine;
import dev.steward.store.StoredEvent;
import dev.steward.store.TriggerState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static dev.steward.run.PolledWorkspace.await;
import static dev.steward.run.PolledWorkspace.events;
import static org.assertj.core.api.Assertions.assertThat;

/** A polled ERP entity on real H2 databases: every change becomes one event, across a restart. */
class PollTriggerTest {

    @TempDir
    Path home;

    @Test
    void everyChangeIsOneEventAcrossARestart() throws Exception {
        PolledWorkspace ws = new PolledWorkspace(home, "{ poll: { every: 1s, since: updated } }", "");
        ws.sql("erp", "CREATE TABLE IF NOT EXISTS items (sku VARCHAR(20) PRIMARY KEY, qty_on_hand INT, changed BIGINT)",
                "INSERT INTO items VALUES ('A', 1, 1), ('B', 2, 1), ('C', 3, 1)");
        try (Engine engine = ws.start("host-a", Clock.systemUTC())) {
            await("the first three records", Duration.ofSeconds(20), () -> events(engine).size() == 3);
            ws.sql("erp", "UPDATE items SET qty_on_hand = 10, changed = 2 WHERE sku = 'B'");
            await("the change of B", Duration.ofSeconds(20), () -> events(engine).size() == 4);
            await("B synced to the CRM", Duration.ofSeconds(20),
                    () -> "10".equals(String.valueOf(engine.read("crm", "product", "B").nativeFields().get("qty"))));
        }
        // while no host runs: a change and a new record
        ws.sql("erp", "UPDATE items SET qty_on_hand = 30, changed = 3 WHERE sku = 'C'",
                "INSERT INTO items VALUES ('D', 4, 3)");
        try (Engine engine = ws.start("host-a", Clock.systemUTC())) {
            await("the changes made while stopped", Duration.ofSeconds(20), () -> events(engine).size() == 6);
            int polls = ws.lists.get();
            await("two more polls", Duration.ofSeconds(20), () -> ws.lists.get() >= polls + 2);
            List<StoredEvent> events = events(engine);
            assertThat(events).hasSize(6);
            assertThat(events).extracting(StoredEvent::deliveryId).containsExactlyInAnyOrder(
                    "poll:A@1", "poll:B@1", "poll:C@1", "poll:B@2", "poll:C@3", "poll:D@3");
            TriggerState state = engine.store().triggers().getFirst();
            assertThat(state.position()).contains("3");
            assertThat(state.failures()).isZero();
            await("C and D synced to the CRM", Duration.ofSeconds(20),
                    () -> "30".equals(String.valueOf(engine.read("crm", "product", "C").nativeFields().get("qty")))
                            && "4".equals(String.valueOf(engine.read("crm", "product", "D").nativeFields().get("qty"))));
        }
    }

    @Test
    void cursorPollingSeesNewRecordsOnce() throws Exception {
        PolledWorkspace ws = new PolledWorkspace(home, "{ poll: { every: 1s, since: cursor } }", "");
        ws.sql("erp", "CREATE TABLE IF NOT EXISTS items (sku VARCHAR(20) PRIMARY KEY, qty_on_hand INT, changed BIGINT)");
        StringBuilder rows = new StringBuilder();
        for (int i = 0; i < 450; i++) {
            rows.append(i == 0 ? "" : ", ").append("('K%04d', %d, 1)".formatted(i, i));
        }
        ws.sql("erp", "INSERT INTO items VALUES " + rows);
        try (Engine engine = ws.start("host-a", Clock.systemUTC())) {
            await("450 records over three pages", Duration.ofSeconds(30), () -> events(engine).size() == 450);
            ws.sql("erp", "INSERT INTO items VALUES ('K9999', 1, 1)");
            await("the record added", Duration.ofSeconds(20), () -> events(engine).size() == 451);
            int polls = ws.lists.get();
            await("more polls", Duration.ofSeconds(20), () -> engine.store().triggers().getFirst().lastSuccessAt()
                    .filter(t -> t.isAfter(Instant.now().minusMillis(200))).isPresent() && ws.lists.get() >= polls);
            assertThat(events(engine)).hasSize(451);
            // the cursor is the last page's: the key the previous full page ended with
            assertThat(engine.store().triggers().getFirst().position()).contains("K0399");
        }
    }

    @Test
    void aFailingPollRetriesAndShowsInHealth() throws Exception {
        PolledWorkspace ws = new PolledWorkspace(home, "{ poll: { every: 1s, since: updated } }", "");
        // no items table yet: every poll fails
        try (Engine engine = ws.start("host-a", Clock.systemUTC())) {
            ws.sql("erp", "DROP TABLE IF EXISTS items");
            await("two failures in a row", Duration.ofSeconds(20),
                    () -> engine.store().triggers().stream().anyMatch(t -> t.failures() >= 2));
            var health = engine.health();
            assertThat(health.status()).isEqualTo("degraded");
            assertThat(health.reasons()).anySatisfy(r -> assertThat(r).contains("the poll trigger of flow erp-product failed"));
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> triggers = (List<Map<String, Object>>) health.details().get("triggers");
            assertThat(triggers).singleElement().satisfies(t -> assertThat((String) t.get("lastError")).containsIgnoringCase("items"));
            ws.sql("erp", "CREATE TABLE items (sku VARCHAR(20) PRIMARY KEY, qty_on_hand INT, changed BIGINT)",
                    "INSERT INTO items VALUES ('A', 1, 1)");
            await("the poll to recover", Duration.ofSeconds(20), () -> events(engine).size() == 1
                    && engine.store().triggers().getFirst().failures() == 0);
            assertThat(engine.health().reasons()).noneSatisfy(r -> assertThat(r).contains("trigger"));
        }
    }
}
