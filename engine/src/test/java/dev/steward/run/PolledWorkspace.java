package dev.steward.run;

import dev.steward.Engine;
import dev.steward.load.WorkspaceLoader;
import dev.steward.model.Workspace;
import dev.steward.plugin.Connector;
import dev.steward.plugin.ConnectorContext;
import dev.steward.plugin.ConnectorFactory;
import dev.steward.plugin.EntityConfig;
import dev.steward.plugin.Page;
import dev.steward.plugin.SystemConfig;
import dev.steward.plugin.WriteOptions;
import dev.steward.rules.RuleSetCompiler;
import dev.steward.store.StoredEvent;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An ERP and a CRM as real H2 databases; the ERP's products are polled and synced to the CRM.
 * The jdbc connectors are the real ones, wrapped only to count {@code list} calls (how many
 * polls ran, across every engine of one test). Test support.
 */
final class PolledWorkspace {

    final Path home;
    final Workspace workspace;
    final RuleSetCompiler compiler = new RuleSetCompiler();
    final AtomicInteger lists = new AtomicInteger();
    private final Map<String, ConnectorFactory> factories;

    /**
     * @param trigger the flow's trigger block, e.g. {@code { poll: { every: 1s, since: updated } }}
     * @param store   extra steward.yaml text, e.g. a {@code store:} block for PostgreSQL
     */
    PolledWorkspace(Path home, String trigger, String store) throws IOException {
        this.home = home;
        Files.createDirectories(home.resolve("flows"));
        Files.createDirectories(home.resolve("rules"));
        Files.writeString(home.resolve("steward.yaml"), store + """
                systems:
                  crm:
                    connector: jdbc
                    url: %s
                    user: sa
                    init: crm.sql
                    entities:
                      product: { table: products, key: sku, fields: { inventoryQty: qty, updated: updated } }
                  erp:
                    connector: jdbc
                    url: %s
                    user: sa
                    init: erp.sql
                    entities:
                      product: { table: items, key: sku, fields: { inventoryQty: qty_on_hand, updated: changed } }
                """.formatted(url("crm"), url("erp")));
        Files.writeString(home.resolve("crm.sql"), "CREATE TABLE IF NOT EXISTS products (sku VARCHAR(20) PRIMARY KEY,"
                + " qty INT, updated BIGINT);\n");
        Files.writeString(home.resolve("erp.sql"), "CREATE TABLE IF NOT EXISTS items (sku VARCHAR(20) PRIMARY KEY,"
                + " qty_on_hand INT, changed BIGINT);\n");
        Files.writeString(home.resolve("rules/mastership.yaml"), """
                - { entity: product, fields: [inventoryQty], master: erp, subscribers: [crm], reason: ERP counts stock. }
                """);
        Files.writeString(home.resolve("flows/erp-product.yaml"), """
                id: erp-product
                trigger: %s
                source: erp
                entity: product
                key: sku
                fields: { inventoryQty: qty_on_hand }
                steps:
                  - rules: [mastership.yaml]
                  - sync: { to: [crm] }
                """.formatted(trigger));
        Map<String, ConnectorFactory> found = new HashMap<>(Connectors.discover(getClass().getClassLoader()));
        ConnectorFactory jdbc = found.get("jdbc");
        found.put("jdbc", new CountingFactory(jdbc, lists::incrementAndGet));
        this.factories = Map.copyOf(found);
        this.workspace = new WorkspaceLoader(factories, compiler, name -> null).load(home);
        assertThat(workspace.diagnostics()).filteredOn(d -> d.isError()).isEmpty();
    }

    String url(String system) {
        return "jdbc:h2:" + home.resolve("data/" + system).toAbsolutePath();
    }

    /** Polls started by each engine, by worker id. */
    final Map<String, AtomicInteger> listsBy = new java.util.concurrent.ConcurrentHashMap<>();

    Engine start(String worker, Clock clock) {
        AtomicInteger own = listsBy.computeIfAbsent(worker, w -> new AtomicInteger());
        Map<String, ConnectorFactory> counted = new HashMap<>(factories);
        counted.put("jdbc", new CountingFactory(((CountingFactory) factories.get("jdbc")).real(), () -> {
            own.incrementAndGet();
            lists.incrementAndGet();
        }));
        return Engine.start(workspace, compiler, counted, new Engine.Options(clock, new SplittableRandom(1),
                new SimpleMeterRegistry(), worker, RetryPolicy.DEFAULT, true));
    }

    /** Runs SQL against a system's database, as a person changing the ERP would. */
    void sql(String system, String... statements) {
        try (Connection c = DriverManager.getConnection(url(system), "sa", "")) {
            for (String statement : statements) {
                c.createStatement().execute(statement);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    static List<StoredEvent> events(Engine engine) {
        return engine.store().recent(10_000, Optional.of("erp-product"), Optional.empty());
    }

    /** Waits, bounded, for a condition; never a fixed sleep. */
    static void await(String what, Duration within, BooleanSupplier condition) {
        long deadline = System.nanoTime() + within.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.onSpinWait();
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    /** The real factory, its connectors counting their list calls. */
    private record CountingFactory(ConnectorFactory real, Runnable onPoll) implements ConnectorFactory {

        @Override
        public String type() {
            return real.type();
        }

        @Override
        public List<dev.steward.plugin.ConfigProblem> validate(SystemConfig config, Path workspace) {
            return real.validate(config, workspace);
        }

        @Override
        public boolean lists(SystemConfig config, String entity) {
            return real.lists(config, entity);
        }

        @Override
        public Connector create(SystemConfig config, ConnectorContext context) {
            Connector connector = real.create(config, context);
            return new Connector() {
                @Override
                public Optional<Map<String, Object>> read(EntityConfig entity, String key) {
                    return connector.read(entity, key);
                }

                @Override
                public void upsert(EntityConfig entity, String key, Map<String, Object> fields, WriteOptions options) {
                    connector.upsert(entity, key, fields, options);
                }

                @Override
                public void upsertAll(EntityConfig entity, List<dev.steward.plugin.RecordWrite> writes) {
                    connector.upsertAll(entity, writes);
                }

                @Override
                public Page list(EntityConfig entity, Optional<String> cursor, int limit) {
                    if (cursor.isEmpty()) {
                        onPoll.run(); // one poll starts from the first page
                    }
                    return connector.list(entity, cursor, limit);
                }

                @Override
                public void close() {
                    connector.close();
                }
            };
        }
    }
}
