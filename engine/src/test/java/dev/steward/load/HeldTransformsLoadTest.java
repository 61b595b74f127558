package dev.steward.load;

import dev.steward.plugin.Transform;
import dev.steward.plugin.TransformFactory;
import dev.steward.plugin.ScriptLimits;
import dev.steward.rules.RuleSetCompiler;
import dev.steward.run.Connectors;
import dev.steward.run.PendingTransforms;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code steward serve}'s load with its transforms held until the host listens: the script
 * engine is not started by the load for transform steps, but still is for a js connector,
 * whose script compiles when the connectors open, before the host listens.
 */
class HeldTransformsLoadTest {

    @TempDir
    Path home;

    /** A js language that only counts how often its engine was asked to start. */
    private static final class Counting implements TransformFactory {
        final AtomicInteger prepared = new AtomicInteger();

        @Override
        public String language() {
            return "js";
        }

        @Override
        public void prepare() {
            prepared.incrementAndGet();
        }

        @Override
        public Transform compile(String name, String source, ScriptLimits limits) {
            throw new IllegalStateException("not compiled in this test");
        }
    }

    @Test
    void aHeldLoadStartsNoScriptEngineForTransformStepsButAWaitingLoadDoes() throws IOException {
        dev.steward.run.TwoWayWorkspace.writeFiles(home, "", "", "", "- transform: { js: transforms/tidy.js }");

        assertThat(prepareCount(PendingTransforms.held())).as("held: the engine starts when the host listens").isZero();
        assertThat(prepareCount(new PendingTransforms())).as("not held: started at the load, as before").isEqualTo(1);
    }

    @Test
    void aHeldLoadStillStartsTheScriptEngineForAJsConnector() throws IOException {
        Files.writeString(home.resolve("steward.yaml"), """
                systems:
                  scripted:
                    connector: js
                """);

        assertThat(prepareCount(PendingTransforms.held())).isEqualTo(1);
    }

    private int prepareCount(PendingTransforms pending) {
        Counting js = new Counting();
        try (HomeLoader loader = HomeLoader.of(home, Connectors.discover(getClass().getClassLoader()), Map.of("js", js),
                new RuleSetCompiler(), name -> null)) {
            loader.load(pending);
        }
        return js.prepared.get();
    }
}
