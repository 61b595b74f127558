package dev.steward.connector.js;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.steward.plugin.ConfigProblem;
import dev.steward.plugin.Connector;
import dev.steward.plugin.ConnectorContext;
import dev.steward.plugin.ConnectorException;
import dev.steward.plugin.ConnectorFactory;
import dev.steward.plugin.EntityConfig;
import dev.steward.plugin.ScriptFailedException;
import dev.steward.plugin.ScriptRejectedException;
import dev.steward.plugin.SystemConfig;
import dev.steward.plugin.WriteOptions;
import java.io.IOException;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JsConnectorTest {

    private static final String LEGACY = """
            function read(entity, key, ctx) {
              if (key === 'missing') return null;
              return { id: key, entity: entity, system: ctx.system, credit_limit: 5000 };
            }
            function upsert(entity, key, fields, ctx) {
              if (!fields.email || fields.email.indexOf('@') < 0) {
                throw new Error('the legacy system wants an email, got ' + fields.email);
              }
              ctx.log('upsert', entity, key, fields.email, ctx.eventId, ctx.idempotencyKey);
            }
            """;

    private static final EntityConfig CUSTOMER = new EntityConfig("customer", Map.of(), Map.of("email", "email"));

    private static JsEngine engine;

    @TempDir
    Path workspace;

    private final KeptLog log = new KeptLog();

    @BeforeAll
    static void engine() {
        engine = JsEngine.create();
    }

    @AfterAll
    static void close() {
        engine.close();
    }

    @Test
    void readsThroughTheScript() throws IOException {
        try (Connector legacy = connector(LEGACY, Map.of())) {
            assertThat(legacy.read(CUSTOMER, "C-1")).contains(
                    Map.of("id", "C-1", "entity", "customer", "system", "legacy", "credit_limit", 5000));
            assertThat(legacy.read(CUSTOMER, "missing")).isEmpty();
        }
    }

    @Test
    void upsertsThroughTheScriptAndLogsThroughTheContext() throws IOException {
        try (Connector legacy = connector(LEGACY, Map.of())) {
            legacy.upsert(CUSTOMER, "C-1", Map.of("email", "ada@example.com"), new WriteOptions("idem-1", "evt_1"));

            assertThat(log.lines).containsExactly("systems/legacy.js: upsert customer C-1 ada@example.com evt_1 idem-1");
        }
    }

    @Test
    void aThrowRefusesTheWriteWithTheScriptsLine() throws IOException {
        try (Connector legacy = connector(LEGACY, Map.of())) {
            assertThatThrownBy(() -> legacy.upsert(CUSTOMER, "C-1", Map.of("email", "nope"), new WriteOptions("k", "e")))
                    .isInstanceOf(ScriptFailedException.class)
                    .hasMessage("systems/legacy.js:7: upsert threw Error: the legacy system wants an email, got nope")
                    .satisfies(e -> assertThat(((ConnectorException) e).retryable()).isFalse());
        }
    }

    @Test
    void aWriteSeesNothingOfTheWritesBeforeIt() throws IOException {
        String script = """
                var writes = [];
                function read() { return null; }
                function upsert(entity, key, fields, ctx) {
                  writes.push(fields.email);
                  Object.prototype.last = fields.email;
                  ctx.log(writes.join(), String(({}).last));
                }
                """;
        try (Connector legacy = connector(script, Map.of())) {
            legacy.upsert(CUSTOMER, "C-1", Map.of("email", "ada@x.example"), new WriteOptions("k-1", "evt_1"));
            legacy.upsert(CUSTOMER, "C-2", Map.of("email", "bob@x.example"), new WriteOptions("k-2", "evt_2"));
        }

        assertThat(log.lines).containsExactly("systems/legacy.js: ada@x.example undefined",
                "systems/legacy.js: bob@x.example undefined");
    }

    @Test
    void aReadPastItsTimeoutIsCancelled() throws IOException {
        String loops = "function read(e, k) { while (true) {} }\nfunction upsert() {}";
        try (Connector legacy = connector(loops, Map.of("timeout", "200ms"))) {
            assertThatThrownBy(() -> legacy.read(CUSTOMER, "C-1"))
                    .isInstanceOf(ScriptFailedException.class)
                    .hasMessage("systems/legacy.js: read ran past its time budget of 200 ms and was cancelled");
        }
    }

    @Test
    void aScriptWithoutUpsertIsRejected() {
        assertThatThrownBy(() -> connector("function read() { return null; }", Map.of()))
                .isInstanceOf(ScriptRejectedException.class)
                .hasMessageContaining("defines no function upsert");
    }

    @Test
    void settingsAreValidated() {
        JsConnectorFactory factory = new JsConnectorFactory(engine);
        assertThat(factory.validate(system(Map.of("timeout", "soon", "maxOutput", -1))))
                .extracting(ConfigProblem::path).containsExactly("script", "timeout", "maxOutput");
        assertThat(factory.validate(system(Map.of("script", "../outside.js"))))
                .extracting(ConfigProblem::message).containsExactly("'../outside.js' must be a path inside the workspace");
        assertThat(factory.validate(system(Map.of("script", "systems/legacy.js", "timeout", "2s")))).isEmpty();
    }

    @Test
    void serviceLoaderFindsTheJsConnectorFactory() {
        assertThat(ServiceLoader.load(ConnectorFactory.class).stream().map(p -> p.get().type())).contains("js");
    }

    private Connector connector(String script, Map<String, Object> settings) throws IOException {
        Files.createDirectories(workspace.resolve("systems"));
        Files.writeString(workspace.resolve("systems/legacy.js"), script);
        Map<String, Object> all = new java.util.HashMap<>(settings);
        all.put("script", "systems/legacy.js");
        return new JsConnectorFactory(engine).create(system(all), new Context());
    }

    private static SystemConfig system(Map<String, Object> settings) {
        return new SystemConfig("legacy", "js", settings, Map.of("customer", CUSTOMER));
    }

    /** A real context whose logger keeps what it is told. */
    private final class Context implements ConnectorContext {

        @Override
        public System.Logger logger() {
            return log;
        }

        @Override
        public Clock clock() {
            return Clock.systemUTC();
        }

        @Override
        public HttpClient httpClient() {
            throw new UnsupportedOperationException("the js connector makes no HTTP calls");
        }

        @Override
        public Optional<String> secret(String name) {
            return Optional.empty();
        }

        @Override
        public Path workspace() {
            return workspace;
        }
    }
}
