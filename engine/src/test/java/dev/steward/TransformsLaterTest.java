package dev.steward;

import dev.steward.api.Received;
import dev.steward.load.HomeLoader;
import dev.steward.load.WorkspaceLoader;
import dev.steward.model.Diagnostic;
import dev.steward.model.Workspace;
import dev.steward.plugin.ConnectorFactory;
import dev.steward.plugin.ScriptLimits;
import dev.steward.plugin.Transform;
import dev.steward.plugin.TransformFactory;
import dev.steward.rules.RuleSetCompiler;
import dev.steward.run.Connectors;
import dev.steward.run.PendingTransforms;
import dev.steward.run.RetryPolicy;
import dev.steward.run.Transforms;
import dev.steward.store.EventStatus;
import dev.steward.store.StoredEvent;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code steward serve}'s start with the transforms compiled after the load: a real engine on
 * two H2 databases and the real JavaScript transform language, whose compile a gate holds back.
 * Events are taken (stored) while the transform compiles and run once it has, with the script
 * compiled once; a script that does not compile sets its flow aside with the diagnostics a load
 * that waits would give, and the events it took wait instead of failing.
 */
class TransformsLaterTest {

    /** The transform of the tests whose script compiles: the CRM's email trimmed and lower-cased. */
    private static final String TIDY = """
            function transform(record, ctx) {
              record.email = record.email.trim().toLowerCase();
              return record;
            }
            """;

    @TempDir
    Path home;

    /** The js language, each compile counted and held until the gate opens. */
    private static final class Gated implements TransformFactory {
        final TransformFactory real = Transforms.discover(Gated.class.getClassLoader()).get("js");
        final CountDownLatch gate = new CountDownLatch(1);
        final AtomicInteger compiles = new AtomicInteger();

        @Override
        public String language() {
            return "js";
        }

        @Override
        public Transform compile(String name, String source, ScriptLimits limits) {
            compiles.incrementAndGet();
            try {
                if (!gate.await(30, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("the test never opened the gate");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            return real.compile(name, source, limits);
        }
    }

    @Test
    void eventsAreTakenWhileTheTransformCompilesAndRunOnceItHasWithTheScriptCompiledOnce() throws IOException {
        write(TIDY);
        Gated js = new Gated();
        try (Engine engine = start(js)) {
            assertThat(engine.warming()).contains("1 transform compiling");
            assertThat(engine.health().details()).containsKey("warming");
            Received received = engine.receive(engine.workspace().flows().get("crm-customer"), Optional.empty(),
                    "{\"id\":\"C-1\",\"email\":\"  Ada@CRM.Example \"}".getBytes(StandardCharsets.UTF_8));
            assertThat(engine.store().event(received.eventId())).as("committed before any compile ended").isPresent();
            sleep(300);
            assertThat(engine.store().event(received.eventId()).orElseThrow().status())
                    .as("no run before its transform compiled").isEqualTo(EventStatus.PENDING);

            js.gate.countDown();
            StoredEvent event = awaitFinal(engine, received.eventId());

            assertThat(event.status()).isEqualTo(EventStatus.SUCCEEDED);
            assertThat(engine.read("erp", "customer", "C-1").fields().get("email")).isEqualTo("ada@crm.example");
            assertThat(engine.warming()).isEmpty();
            assertThat(engine.health().details()).doesNotContainKey("warming");
            assertThat(js.compiles).as("compiled once: checked and run by the same compile").hasValue(1);
        }
    }

    @Test
    void heldTransformsBeginToCompileWhenReleasedAndTheEventsTakenMeanwhileRunThen() throws IOException {
        // steward serve: the compiles (and the script engine) begin once the host listens (bench/startup.md, Round 5)
        write(TIDY);
        Gated js = new Gated();
        js.gate.countDown();
        PendingTransforms pending = PendingTransforms.held();
        try (Engine engine = start(js, pending)) {
            assertThat(pending.isHeld()).isTrue();
            assertThat(engine.warming()).contains("1 transform compiling");
            Received received = engine.receive(engine.workspace().flows().get("crm-customer"), Optional.empty(),
                    "{\"id\":\"C-5\",\"email\":\" Eve@CRM.Example\"}".getBytes(StandardCharsets.UTF_8));
            assertThat(engine.store().event(received.eventId())).as("committed while held").isPresent();
            assertThat(js.compiles.get()).as("no compile began before the release (the load and the start are over)")
                    .isZero();

            pending.release();

            assertThat(awaitFinal(engine, received.eventId()).status()).isEqualTo(EventStatus.SUCCEEDED);
            assertThat(js.compiles.get()).isEqualTo(1);
            assertThat(engine.warming()).isEmpty();
        }
    }

    @Test
    void aSaveWhileTheFirstTransformsCompileGoesLiveAndTheWorkersStartOnItWhenThatCompileEnds() throws IOException {
        write(TIDY);
        Gated js = new Gated();
        try (Engine engine = start(js)) {
            dev.steward.api.Validation saved = engine.apply(Map.of("transforms/tidy.js", """
                    function transform(record, ctx) {
                      record.email = 'saved:' + record.email.trim();
                      return record;
                    }
                    """), true);
            assertThat(saved.valid()).as(saved.diagnostics().toString()).isTrue();
            assertThat(engine.warming()).as("the workers still wait for the first compile").isPresent();
            Received received = engine.receive(engine.workspace().flows().get("crm-customer"), Optional.empty(),
                    "{\"id\":\"C-4\",\"email\":\" d@crm.example\"}".getBytes(StandardCharsets.UTF_8));
            sleep(300);
            assertThat(engine.store().event(received.eventId()).orElseThrow().status()).isEqualTo(EventStatus.PENDING);

            js.gate.countDown();

            assertThat(awaitFinal(engine, received.eventId()).status()).isEqualTo(EventStatus.SUCCEEDED);
            assertThat(engine.read("erp", "customer", "C-4").fields().get("email")).as("run by the saved script")
                    .isEqualTo("saved:d@crm.example");
        }
    }

    @Test
    void aTransformThatDoesNotCompileSetsItsFlowAsideWithTheDiagnosticsOfALoadThatWaitsAndItsEventsWait()
            throws IOException {
        write("""
                function transform(record, ctx) {
                  return record;
                }}
                """);
        Gated js = new Gated();
        Workspace waited = new WorkspaceLoader(connectors(), Map.of("js", js.real), new RuleSetCompiler(), name -> null)
                .load(home);
        assertThat(waited.brokenFlows()).containsKey("flows/crm-customer.yaml");
        try (Engine engine = start(js)) {
            assertThat(engine.workspace().flows()).as("valid until its compile ends").containsKey("crm-customer");
            Received received = engine.receive(engine.workspace().flows().get("crm-customer"), Optional.empty(),
                    "{\"id\":\"C-2\",\"email\":\"b@crm.example\"}".getBytes(StandardCharsets.UTF_8));

            js.gate.countDown();
            await(() -> engine.warming().isEmpty());

            assertThat(engine.workspace().flows()).doesNotContainKey("crm-customer").containsKey("erp-customer");
            List<Diagnostic> diagnostics = engine.workspace().brokenFlows().get("flows/crm-customer.yaml");
            assertThat(diagnostics).isEqualTo(waited.brokenFlows().get("flows/crm-customer.yaml"));
            assertThat(diagnostics).anySatisfy(d -> assertThat(d.toString()).startsWith("transforms/tidy.js:3:"));
            assertThat(engine.workspace().diagnostics()).containsAll(diagnostics);
            // the others run
            Received other = engine.receive(engine.workspace().flows().get("erp-customer"), Optional.empty(),
                    "{\"crm_id\":\"C-3\",\"email\":\"c@erp.example\"}".getBytes(StandardCharsets.UTF_8));
            assertThat(awaitFinal(engine, other.eventId()).status()).isEqualTo(EventStatus.SUCCEEDED);
            StoredEvent waiting = engine.store().event(received.eventId()).orElseThrow();
            assertThat(waiting.status().isFinal()).as("kept for a fix, not failed: " + waiting.error()).isFalse();
        }
    }

    private Engine start(Gated js) {
        return start(js, new PendingTransforms());
    }

    private Engine start(Gated js, PendingTransforms pending) {
        RuleSetCompiler compiler = new RuleSetCompiler();
        Map<String, ConnectorFactory> connectors = connectors();
        Workspace workspace = new WorkspaceLoader(connectors, Map.of("js", js), compiler, name -> null)
                .withPendingTransforms(pending).load(home);
        pending.seal();
        assertThat(workspace.diagnostics()).filteredOn(Diagnostic::isError).isEmpty();
        return Engine.begin(workspace, HomeLoader.of(workspace.home(), connectors, Map.of("js", js.real), compiler,
                name -> null), false, new Engine.Options(Clock.systemUTC(), new SplittableRandom(1),
                new SimpleMeterRegistry(), "later", RetryPolicy.DEFAULT, true), pending);
    }

    private Map<String, ConnectorFactory> connectors() {
        return Connectors.discover(getClass().getClassLoader());
    }

    /** TwoWayWorkspace's files; crm-customer runs {@code transforms/tidy.js} first. */
    private void write(String script) throws IOException {
        Files.createDirectories(home.resolve("transforms"));
        Files.writeString(home.resolve("transforms/tidy.js"), script);
        dev.steward.run.TwoWayWorkspace.writeFiles(home, "", "", "", "- transform: { js: transforms/tidy.js }");
    }

    private static StoredEvent awaitFinal(Engine engine, String id) {
        await(() -> engine.store().event(id).orElseThrow().status().isFinal());
        return engine.store().event(id).orElseThrow();
    }

    private static void await(BooleanSupplier condition) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within 30 s");
            }
            sleep(20);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
