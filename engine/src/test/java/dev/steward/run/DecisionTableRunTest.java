package dev.steward.run;

import dev.steward.Engine;
import dev.steward.load.WorkspaceLoader;
import dev.steward.model.Workspace;
import dev.steward.rules.RuleSetCompiler;
import dev.steward.store.EventStatus;
import dev.steward.store.StoredEvent;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A decision table deciding real events in a running engine over two H2 databases: an invalid
 * row quarantines the record, a reject row keeps one field from the target, and the trace names
 * the row that decided.
 */
class DecisionTableRunTest {

    @TempDir
    Path home;
    Engine engine;
    Workspace workspace;

    @BeforeEach
    void start() throws IOException {
        TieredCustomers.write(home);
        Files.writeString(home.resolve("rules/checks.table.yaml"), """
                entity: customer
                hit: first
                rows:
                  - field: email
                    new: not (is empty, matches "[^@\\s]+@[^@\\s]+")
                    outcome: invalid
                    message: email '{new}' is not an email address
                  - field: tier
                    new: '"platinum"'
                    outcome: reject
                    message: platinum is granted in the ERP only
                """);
        Files.writeString(home.resolve("flows/crm-customer.yaml"), """
                id: crm-customer
                trigger: { webhook: { path: crm/customer } }
                source: crm
                entity: customer
                key: id
                fields: { email: email, tier: tier }
                steps:
                  - rules: [mastership.yaml, checks.table.yaml]
                  - sync: { to: [erp] }
                """);
        RuleSetCompiler compiler = new RuleSetCompiler();
        var factories = Connectors.discover(getClass().getClassLoader());
        workspace = new WorkspaceLoader(factories, compiler, name -> null).load(home);
        assertThat(workspace.diagnostics()).isEmpty();
        engine = Engine.start(workspace, compiler, factories, new Engine.Options(Clock.systemUTC(), new SplittableRandom(1),
                new SimpleMeterRegistry(), "tables", RetryPolicy.DEFAULT, true));
    }

    @AfterEach
    void stop() {
        engine.close();
    }

    @Test
    void anInvalidRowQuarantinesTheWholeRecordAndNamesItsLine() {
        StoredEvent event = run("{\"id\":\"C-1\",\"email\":\"not-an-email\",\"tier\":\"gold\"}");

        assertThat(event.status()).isEqualTo(EventStatus.INVALID);
        assertThat(event.error()).isEqualTo("quarantined, nothing written: email: email 'not-an-email' is not an email address");
        assertThat(event.trace()).contains("\"decision\":\"invalid\"").contains("rules/checks.table.yaml:4");
        assertThat(engine.read("erp", "customer", "C-1").exists()).isFalse();
    }

    @Test
    void aRejectRowKeepsOneFieldFromTheTargetAndTheOthersAreWritten() {
        StoredEvent event = run("{\"id\":\"C-2\",\"email\":\"ann@example.com\",\"tier\":\"platinum\"}");

        assertThat(event.status()).isEqualTo(EventStatus.SUCCEEDED);
        assertThat(event.trace()).contains("\"reason\":\"platinum is granted in the ERP only\"")
                .contains("rules/checks.table.yaml:8");
        assertThat(engine.read("erp", "customer", "C-2").fields()).containsEntry("email", "ann@example.com")
                .containsEntry("tier", null);
    }

    private StoredEvent run(String body) {
        String id = engine.receive(workspace.flows().get("crm-customer"), Optional.empty(),
                body.getBytes(StandardCharsets.UTF_8)).eventId();
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            StoredEvent event = engine.store().event(id).orElseThrow();
            if (event.status().isFinal()) {
                return event;
            }
            Thread.yield();
        }
        throw new AssertionError("event did not finish: " + engine.store().event(id));
    }
}
