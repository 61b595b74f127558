package dev.steward.run;

import dev.steward.Engine;
import dev.steward.load.WorkspaceLoader;
import dev.steward.model.Workspace;
import dev.steward.rules.RuleSetCompiler;
import dev.steward.store.StoredEvent;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

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
 * A CRM and an ERP as two real H2 databases, with a flow each way over {@code customer}: the CRM
 * masters {@code email}, the ERP masters {@code creditLimit}. Test support: runs events to the end.
 */
public final class TwoWayWorkspace implements AutoCloseable {

    final Workspace workspace;
    final Engine engine;

    /**
     * @param sync   the sync step's options after {@code to: [...]}, e.g. {@code ", enforce: true"}
     * @param extra  extra lines of steward.yaml (e.g. a {@code loops:} block)
     * @param crmSteps steps of the crm-customer flow before its rules, each a line {@code - ...}
     */
    TwoWayWorkspace(Path home, String sync, String extra, String mastershipExtra, String crmSteps) throws IOException {
        writeFiles(home, sync, extra, mastershipExtra, crmSteps);
        RuleSetCompiler compiler = new RuleSetCompiler();
        var factories = Connectors.discover(getClass().getClassLoader());
        workspace = new WorkspaceLoader(factories, compiler, name -> null).load(home);
        assertThat(workspace.diagnostics()).filteredOn(d -> d.isError()).isEmpty();
        engine = Engine.start(workspace, compiler, factories, new Engine.Options(Clock.systemUTC(), new SplittableRandom(1),
                new SimpleMeterRegistry(), "two-way", RetryPolicy.DEFAULT, true));
    }

    /** Writes the workspace's files (see the constructor's parameters) without starting anything. */
    public static void writeFiles(Path home, String sync, String extra, String mastershipExtra, String crmSteps)
            throws IOException {
        Files.createDirectories(home.resolve("flows"));
        Files.createDirectories(home.resolve("rules"));
        Files.writeString(home.resolve("steward.yaml"), extra + """
                systems:
                  crm:
                    connector: jdbc
                    url: jdbc:h2:./data/crm
                    init: crm.sql
                    entities:
                      customer: { table: customers, key: id, fields: { email: email, creditLimit: credit_limit, tier: tier } }
                  erp:
                    connector: jdbc
                    url: jdbc:h2:./data/erp
                    init: erp.sql
                    entities:
                      customer: { table: customers, key: crm_id, fields: { email: email, creditLimit: credit_limit, tier: tier } }
                """);
        Files.writeString(home.resolve("crm.sql"), "CREATE TABLE IF NOT EXISTS customers (id VARCHAR(20) PRIMARY KEY,"
                + " email VARCHAR(100), credit_limit DECIMAL(12,2), tier VARCHAR(20));\n");
        Files.writeString(home.resolve("erp.sql"), "CREATE TABLE IF NOT EXISTS customers (crm_id VARCHAR(20) PRIMARY KEY,"
                + " email VARCHAR(100), credit_limit DECIMAL(12,2), tier VARCHAR(20));\n");
        Files.writeString(home.resolve("rules/mastership.yaml"), """
                - { entity: customer, fields: [email], master: crm, subscribers: [erp], reason: CRM owns contact data. }
                - { entity: customer, fields: [creditLimit], master: erp, subscribers: [crm], reason: ERP owns credit. }
                """ + mastershipExtra);
        for (String[] side : new String[][] {{"crm", "erp", "id"}, {"erp", "crm", "crm_id"}}) {
            Files.writeString(home.resolve("flows/" + side[0] + "-customer.yaml"), """
                    id: %1$s-customer
                    trigger: { webhook: { path: %1$s/customer } }
                    source: %1$s
                    entity: customer
                    key: %3$s
                    version: updated
                    fields: { email: email, creditLimit: credit_limit, tier: tier }
                    steps:
                    %5$s  - rules: [mastership.yaml]
                      - sync: { to: [%2$s]%4$s }
                    """.formatted(side[0], side[1], side[2], sync,
                    side[0].equals("crm") ? crmSteps.indent(2) : ""));
        }
    }

    TwoWayWorkspace(Path home, String sync, String extra, String mastershipExtra) throws IOException {
        this(home, sync, extra, mastershipExtra, "");
    }

    TwoWayWorkspace(Path home) throws IOException {
        this(home, "", "", "");
    }

    /** Receives one delivery for a flow and waits, bounded, until its event is final. */
    StoredEvent run(String flowId, String body) {
        String id = engine.receive(workspace.flows().get(flowId), Optional.empty(), body.getBytes(StandardCharsets.UTF_8)).eventId();
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

    Object field(String system, String key, String field) {
        return engine.read(system, "customer", key).fields().get(field);
    }

    @Override
    public void close() {
        engine.close();
    }
}
