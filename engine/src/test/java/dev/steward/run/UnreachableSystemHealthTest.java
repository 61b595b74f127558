package dev.steward.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.steward.Engine;
import dev.steward.load.WorkspaceLoader;
import dev.steward.model.Workspace;
import dev.steward.rules.RuleSetCompiler;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A system whose database does not answer turns /health degraded, naming it; the others do not. */
class UnreachableSystemHealthTest {

    @TempDir
    Path home;

    @Test
    void anUnreachableDatabaseMakesHealthDegradedAndSaysWhich() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        Files.writeString(home.resolve("steward.yaml"), """
                systems:
                  crm:
                    connector: jdbc
                    url: jdbc:h2:./data/crm
                    entities:
                      customer: { table: customers, key: id, fields: { email: email } }
                  erp:
                    connector: jdbc
                    url: jdbc:postgresql://127.0.0.1:%d/erp
                    connectTimeout: 250ms
                    entities:
                      customer: { table: customers, key: crm_id, fields: { email: email } }
                """.formatted(closedPort));
        RuleSetCompiler compiler = new RuleSetCompiler();
        var factories = Connectors.discover(getClass().getClassLoader());
        Workspace workspace = new WorkspaceLoader(factories, compiler, name -> null).load(home);
        assertThat(workspace.diagnostics()).isEmpty();

        try (Engine engine = Engine.start(workspace, compiler, factories, new Engine.Options(Clock.systemUTC(),
                new SplittableRandom(1), new SimpleMeterRegistry(), "unreachable", RetryPolicy.DEFAULT, false))) {
            Health health = engine.health();

            assertThat(health.status()).isEqualTo("degraded");
            assertThat(health.reasons()).singleElement().asString().startsWith("system erp: the database cannot be reached");
            assertThat(health.details().get("unreachable")).asInstanceOf(
                    org.assertj.core.api.InstanceOfAssertFactories.MAP).containsOnlyKeys("erp");
        }
    }
}
