package dev.steward.run;

import dev.steward.Engine;
import dev.steward.load.WorkspaceLoader;
import dev.steward.model.Workspace;
import dev.steward.plugin.Connector;
import dev.steward.plugin.ConnectorContext;
import dev.steward.plugin.ConnectorFactory;
import dev.steward.plugin.EntityConfig;
import dev.steward.plugin.SecretStore;
import dev.steward.plugin.SystemConfig;
import dev.steward.plugin.WriteOptions;
import dev.steward.rules.RuleSetCompiler;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A connector's {@code context.secrets()} is the engine's store: what one engine keeps, the next
 * one on the same store reads (a restart), encrypted under {@code STEWARD_SECRET_KEY}; without
 * the key it lives in memory only and the table stays empty.
 */
class ConnectorSecretsTest {

    static final String KEY = Base64.getEncoder().encodeToString(new byte[32]);

    @TempDir
    Path home;

    /** The secret store each system's connector was given, by system. */
    final Map<String, SecretStore> given = new ConcurrentHashMap<>();

    @Test
    void aSecretAConnectorKeepsOutlivesTheEngineWithTheKey() throws Exception {
        workspace();
        try (Engine engine = start(Map.of("STEWARD_SECRET_KEY", KEY)::get)) {
            given.get("vault").put("refreshToken", "rt-1");
        }
        assertThat(rows()).isEqualTo(1);
        try (Engine engine = start(Map.of("STEWARD_SECRET_KEY", KEY)::get)) {
            assertThat(given.get("vault").get("refreshToken")).as("after a restart").contains("rt-1");
        }
    }

    @Test
    void withoutTheKeyASecretLivesInMemoryOnly() throws Exception {
        workspace();
        try (Engine engine = start(name -> null)) {
            given.get("vault").put("refreshToken", "rt-1");
            assertThat(given.get("vault").get("refreshToken")).contains("rt-1");
        }
        assertThat(rows()).isZero();
        try (Engine engine = start(name -> null)) {
            assertThat(given.get("vault").get("refreshToken")).isEmpty();
        }
    }

    private Engine start(Function<String, String> env) {
        RuleSetCompiler compiler = new RuleSetCompiler();
        Map<String, ConnectorFactory> factories = Map.of("vault", new Keeper());
        Workspace workspace = new WorkspaceLoader(factories, compiler, env).load(home);
        assertThat(workspace.diagnostics()).isEmpty();
        return Engine.start(workspace, compiler, factories, new Engine.Options(Clock.systemUTC(), new SplittableRandom(1),
                new SimpleMeterRegistry(), "secrets", RetryPolicy.DEFAULT, false).withEnv(env));
    }

    private void workspace() throws Exception {
        Files.writeString(home.resolve("steward.yaml"), """
                systems:
                  vault:
                    connector: vault
                    entities:
                      customer: { fields: { email: email } }
                """);
    }

    private int rows() throws Exception {
        var settings = dev.steward.model.StoreSettings.embedded(home);
        try (Connection c = DriverManager.getConnection(settings.url(), settings.user(), settings.password());
             Statement s = c.createStatement();
             ResultSet rows = s.executeQuery("SELECT COUNT(*) FROM connector_secrets WHERE system_name = 'vault'")) {
            rows.next();
            return rows.getInt(1);
        }
    }

    /** A connector that only keeps the secret store its context gives it. */
    private final class Keeper implements ConnectorFactory {

        @Override
        public String type() {
            return "vault";
        }

        @Override
        public Connector create(SystemConfig config, ConnectorContext context) {
            given.put(config.name(), context.secrets());
            return new Connector() {
                @Override
                public Optional<Map<String, Object>> read(EntityConfig entity, String key) {
                    return Optional.empty();
                }

                @Override
                public void upsert(EntityConfig entity, String key, Map<String, Object> fields, WriteOptions options) {
                }
            };
        }
    }
}
