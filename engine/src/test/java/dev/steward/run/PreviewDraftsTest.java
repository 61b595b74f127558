package dev.steward.run;

import dev.steward.Engine;
import dev.steward.api.ConflictStats;
import dev.steward.api.Preview;
import dev.steward.load.WorkspaceLoader;
import dev.steward.model.Workspace;
import dev.steward.rules.RuleSetCompiler;
import dev.steward.store.EventStatus;
import dev.steward.store.StoredEvent;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Shadow mode in the engine over two H2 databases: events that have not run yet are decided
 * against the store's state now, a decision table in the draft quarantines what the running one
 * accepts, and nothing moves; a quarantined run is counted among the conflicts prevented.
 */
class PreviewDraftsTest {

    private static final String TABLE = """
            entity: customer
            hit: first
            rows:
              - field: email
                new: not (is empty, matches "[^@\\s]+@[^@\\s]+")
                outcome: invalid
                message: email '{new}' is not an email address
            """;

    @TempDir
    Path home;
    Engine engine;
    Workspace workspace;

    void start(boolean workers) throws IOException {
        TieredCustomers.write(home);
        Files.writeString(home.resolve("rules/checks.table.yaml"), TABLE);
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
                new SimpleMeterRegistry(), "preview", RetryPolicy.DEFAULT, workers));
    }

    @AfterEach
    void stop() {
        if (engine != null) {
            engine.close();
        }
    }

    @Test
    void pendingEventsAreDecidedAgainstTheStoresStateAndNothingMoves() throws IOException {
        start(false);
        String gold = receive("{\"id\":\"C-1\",\"email\":\"ann@example.com\",\"tier\":\"gold\"}");
        receive("{\"id\":\"C-2\",\"email\":\"bob@example.com\",\"tier\":\"silver\"}");
        String goldAgain = receive("{\"id\":\"C-3\",\"email\":\"cy@example.com\",\"tier\":\"gold\"}");
        String draft = TABLE + """
                  - field: tier
                    new: '"gold"'
                    outcome: invalid
                    message: gold is granted in the ERP only
                """;

        Preview preview = engine.previewDrafts(Map.of("rules/checks.table.yaml", draft), 1000);

        assertThat(preview.validation().valid()).isTrue();
        assertThat(preview.current()).isEqualTo(engine.rulesVersion());
        assertThat(preview.flows()).containsExactly("crm-customer");
        assertThat(preview.events()).isEqualTo(3);
        assertThat(preview.changed()).isEqualTo(2);
        assertThat(preview.differences()).singleElement().satisfies(d -> {
            assertThat(d.field()).isEqualTo("tier");
            assertThat(d.before()).isEqualTo("accept");
            assertThat(d.after()).isEqualTo("invalid");
            assertThat(d.beforeBy()).contains("mastership.yaml:1");
            assertThat(d.afterBy()).isEqualTo("rules/checks.table.yaml:8");
            assertThat(d.count()).isEqualTo(2);
            assertThat(d.samples()).containsExactly(goldAgain, gold);
        });
        assertThat(engine.store().recent(10, Optional.empty(), Optional.empty())).extracting(StoredEvent::status)
                .containsOnly(EventStatus.PENDING);
        assertThat(engine.store().knownValues("crm", "customer", "C-1")).isEmpty();
        assertThat(engine.read("erp", "customer", "C-1").exists()).isFalse();
        assertThat(Files.readString(home.resolve("rules/checks.table.yaml"))).isEqualTo(TABLE);

        Preview unrelated = engine.previewDrafts(Map.of("rules/other.table.yaml", TABLE), 1000);
        assertThat(unrelated.flows()).as("no flow uses the file").isEmpty();
        assertThat(unrelated.events()).isZero();
        Preview broken = engine.previewDrafts(Map.of("rules/checks.table.yaml", "entity: customer\nrows: [\n"), 1000);
        assertThat(broken.validation().valid()).isFalse();
        assertThat(broken.validation().diagnostics()).anySatisfy(d -> assertThat(d.file()).isEqualTo("rules/checks.table.yaml"));
        assertThat(broken.events()).isZero();
        assertThatThrownBy(() -> engine.previewDrafts(Map.of("rules/checks.table.yaml", draft), 10_001))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aQuarantinedRunIsCountedPerFieldAndDay() throws IOException {
        start(true);
        String id = receive("{\"id\":\"C-9\",\"email\":\"not-an-email\",\"tier\":\"gold\"}");
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!engine.store().event(id).orElseThrow().status().isFinal() && System.nanoTime() < deadline) {
            Thread.yield();
        }
        assertThat(engine.store().event(id).orElseThrow().status()).isEqualTo(EventStatus.INVALID);

        ConflictStats today = engine.conflictStats(false);

        assertThat(today.period()).isEqualTo("day");
        assertThat(today.from()).isEqualTo(today.to());
        assertThat(today.totals()).isEqualTo(new ConflictStats.Counts(0, 1, 0, 0, 0));
        assertThat(today.byField()).containsExactly(new ConflictStats.FieldCounts("customer", "email",
                new ConflictStats.Counts(0, 1, 0, 0, 0)));
        assertThat(today.days()).singleElement().satisfies(d -> assertThat(d.counts().quarantined()).isEqualTo(1));
    }

    private String receive(String body) {
        return engine.receive(workspace.flows().get("crm-customer"), Optional.empty(),
                body.getBytes(StandardCharsets.UTF_8)).eventId();
    }
}
