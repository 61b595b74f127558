package dev.steward.connector.js;

import static org.assertj.core.api.Assertions.assertThat;

import dev.steward.plugin.ScriptLimits;
import dev.steward.plugin.Transform;
import dev.steward.plugin.TransformFactory;
import java.time.Duration;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** The process's engine: started on a background thread when a workspace with scripts loads (or at the first compile), there for the first script. */
class SharedEngineTest {

    private static final ScriptLimits LIMITS = new ScriptLimits(Duration.ofMillis(2000), 100_000, 64L << 20);

    @Test
    void theFactoryServiceLoaderMakesStartsTheEngineAndItsFirstTransformRunsOnIt() {
        TransformFactory factory = ServiceLoader.load(TransformFactory.class).stream()
                .map(ServiceLoader.Provider::get).filter(f -> f.language().equals("js")).findFirst().orElseThrow();
        CompletableFuture<JsEngine> coming = JsEngine.prepareShared();
        try (Transform t = factory.compile("transforms/first.js", """
                function transform(record, ctx) { record.email = record.email.trim().toLowerCase(); return record; }
                """, LIMITS)) {
            assertThat(t.apply(Map.of("email", "  Ada@Example.COM "), Map.of())).containsEntry("email", "ada@example.com");
        }
        assertThat(coming).isCompleted();
        assertThat(JsEngine.prepareShared()).isSameAs(coming);
        assertThat(JsEngine.shared()).isSameAs(coming.join());
    }

    @Test
    void closingTheSharedEngineLeavesItRunning() {
        JsEngine shared = JsEngine.shared();
        shared.close();
        try (Transform t = new JsTransformFactory().compile("transforms/after-close.js",
                "function transform(record, ctx) { return { n: record.n + 1 }; }", LIMITS)) {
            assertThat(t.apply(Map.of("n", 1), Map.of())).containsEntry("n", 2);
        }
    }
}
