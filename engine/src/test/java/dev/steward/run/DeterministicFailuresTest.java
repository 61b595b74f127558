package dev.steward.run;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.steward.Engine;
import dev.steward.load.WorkspaceLoader;
import dev.steward.model.Workspace;
import dev.steward.plugin.Connector;
import dev.steward.plugin.ConnectorContext;
import dev.steward.plugin.ConnectorFactory;
import dev.steward.plugin.EntityConfig;
import dev.steward.plugin.SystemConfig;
import dev.steward.plugin.SystemUnavailableException;
import dev.steward.plugin.WriteOptions;
import dev.steward.rules.RuleSetCompiler;
import dev.steward.store.EventStatus;
import dev.steward.store.NewEvent;
import dev.steward.store.StoredEvent;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

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

/**
 * A run that fails the same way every time is a dead letter after its first attempt; only what
 * may pass by itself (a connector's retryable error) is retried. The target is a connector whose
 * writes fail by the record's key, the way a plugin's bug or a system's outage would.
 */
class DeterministicFailuresTest {

    @TempDir
    Path home;
    Engine engine;
    Workspace workspace;
    ListAppender<ILoggingEvent> log = new ListAppender<>();

    /** Writes fail by key: {@code NPE-…} with a NullPointerException, {@code DOWN-…} as an unreachable system. */
    static final class FailingTargets implements ConnectorFactory {
        @Override
        public String type() {
            return "failing";
        }

        @Override
        public Connector create(SystemConfig config, ConnectorContext context) {
            return new Connector() {
                @Override
                public Optional<Map<String, Object>> read(EntityConfig entity, String key) {
                    return Optional.empty();
                }

                @Override
                public void upsert(EntityConfig entity, String key, Map<String, Object> fields, WriteOptions options) {
                    if (key.startsWith("NPE-")) {
                        Object missing = fields.get("no such field");
                        missing.hashCode();
                    }
                    if (key.startsWith("DOWN-")) {
                        throw new SystemUnavailableException("connection refused");
                    }
                }
            };
        }
    }

    @BeforeEach
    void start() throws IOException {
        Files.createDirectories(home.resolve("flows"));
        Files.writeString(home.resolve("steward.yaml"), """
                systems:
                  crm: { connector: failing, entities: { customer: { fields: { email: email } } } }
                  erp: { connector: failing, entities: { customer: { fields: { email: email } } } }
                """);
        Files.writeString(home.resolve("flows/crm-customer.yaml"), """
                id: crm-customer
                trigger: { webhook: { path: crm/customer } }
                source: crm
                entity: customer
                key: id
                fields: { email: email, creditLimit: credit_limit }
                steps:
                  - sync: { to: [erp] }
                """);
        Map<String, ConnectorFactory> factories = Map.of("failing", new FailingTargets());
        RuleSetCompiler compiler = new RuleSetCompiler();
        workspace = new WorkspaceLoader(factories, compiler, name -> null).load(home);
        assertThat(workspace.diagnostics()).filteredOn(d -> d.isError()).isEmpty();
        engine = Engine.start(workspace, compiler, factories, new Engine.Options(Clock.systemUTC(), new SplittableRandom(3),
                new SimpleMeterRegistry(), "deterministic", new RetryPolicy(3, Duration.ofMillis(1), Duration.ofMillis(5)), true));
        log.start();
        ((Logger) LoggerFactory.getLogger(EventWorkers.class)).addAppender(log);
    }

    @AfterEach
    void stop() {
        ((Logger) LoggerFactory.getLogger(EventWorkers.class)).detachAppender(log);
        engine.close();
    }

    @Test
    void aBugInTheRunIsADeadLetterAtOnce() {
        StoredEvent event = await(receive("{\"id\":\"NPE-1\",\"email\":\"a@x.example\"}"));

        assertThat(event.status()).isEqualTo(EventStatus.FAILED);
        assertThat(event.attempts()).isEqualTo(1);
        assertThat(event.error()).contains("NullPointerException");
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (engine.store().attempts(event.id()).isEmpty() && System.nanoTime() < deadline) {
            Thread.onSpinWait(); // the attempt's history is written just after the outcome
        }
        assertThat(engine.store().attempts(event.id())).singleElement()
                .satisfies(a -> assertThat(a.outcome()).isEqualTo("failed"));
    }

    @Test
    void aNumberStoredBeforeIntakeBoundedNumbersIsADeadLetterAtOnce() {
        // As an older version stored it: straight into the store, past intake's checks.
        String id = engine.store().accept(new NewEvent("crm-customer", null, "customer", "C-9",
                "{\"id\":\"C-9\",\"email\":\"a@x.example\",\"credit_limit\":1E+999999999}")).eventId();
        engine.replayAll(Optional.empty(), Optional.empty(), 1);
        StoredEvent event = await(id);

        assertThat(event.status()).isEqualTo(EventStatus.FAILED);
        assertThat(event.attempts()).isEqualTo(1);
        assertThat(event.error()).contains("'credit_limit' is out of range");
    }

    @Test
    void aConnectorsTransientErrorIsStillRetried() {
        StoredEvent event = await(receive("{\"id\":\"DOWN-1\",\"email\":\"a@x.example\"}"));

        assertThat(event.status()).isEqualTo(EventStatus.FAILED);
        assertThat(event.attempts()).isEqualTo(3);
        assertThat(event.error()).startsWith("gave up after 3 attempts").contains("connection refused");
    }

    @Test
    void controlCharactersOfAKeyAreEscapedInLogLines() {
        StoredEvent event = await(receive("{\"id\":\"NPE-2\\r\\n12:00:00.000 INFO forged line\",\"email\":\"a@x.example\"}"));

        assertThat(event.status()).isEqualTo(EventStatus.FAILED);
        assertThat(log.list).isNotEmpty().allSatisfy(line -> assertThat(line.getFormattedMessage()).doesNotContain("\r", "\n"));
        assertThat(log.list).anySatisfy(line -> assertThat(line.getFormattedMessage())
                .contains("NPE-2\\r\\n12:00:00.000 INFO forged line"));
    }

    private String receive(String body) {
        return engine.receive(workspace.flows().get("crm-customer"), Optional.empty(),
                body.getBytes(StandardCharsets.UTF_8)).eventId();
    }

    private StoredEvent await(String id) {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            StoredEvent event = engine.store().event(id).orElseThrow();
            if (event.status().isFinal()) {
                return event;
            }
            Thread.onSpinWait();
        }
        throw new AssertionError("event did not finish: " + engine.store().event(id));
    }
}
