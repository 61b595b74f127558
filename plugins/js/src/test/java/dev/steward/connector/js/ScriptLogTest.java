package dev.steward.connector.js;

import static org.assertj.core.api.Assertions.assertThat;

import dev.steward.plugin.ScriptLimits;
import dev.steward.plugin.Transform;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** What a script logs is bounded per call and cannot forge log lines. */
class ScriptLogTest {

    private static final ScriptLimits LIMITS = ScriptLimits.DEFAULTS.withTimeout(Duration.ofSeconds(20));

    private static JsEngine engine;

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
    void aCallLogsAHundredLinesThenSaysHowManyItDropped() {
        String script = "function transform(r, ctx) { for (var i = 0; i < 17674; i++) { ctx.log('line', i); } return r; }";
        try (Transform t = new JsTransformFactory(engine, log).compile("transforms/chatty.js", script, LIMITS)) {
            t.apply(Map.of(), Map.of());

            assertThat(log.lines).hasSize(101);
            assertThat(log.lines.get(99)).isEqualTo("transforms/chatty.js: line 99");
            assertThat(log.lines.get(100)).isEqualTo("transforms/chatty.js: 17574 more log lines of this call dropped"
                    + " (a call may log 100 lines and 16 KiB)");

            log.lines.clear();
            t.apply(Map.of(), Map.of());
            assertThat(log.lines).as("the next call has a budget of its own").hasSize(101)
                    .startsWith("transforms/chatty.js: line 0");
        }
    }

    @Test
    void longLinesStopAtSixteenKibibytesAndConsoleCountsToo() {
        String script = """
                function transform(r, ctx) {
                  for (var i = 0; i < 20; i++) { console.log(i + 'x'.repeat(5000)); ctx.log(i + 'y'.repeat(1000)); }
                  return r;
                }
                """;
        try (Transform t = new JsTransformFactory(engine, log).compile("transforms/wide.js", script, LIMITS)) {
            t.apply(Map.of(), Map.of());

            assertThat(log.lines.subList(0, log.lines.size() - 1).stream().mapToInt(String::length).sum())
                    .isBetween(12 * 1024, 16 * 1024 + 2000);
            assertThat(log.lines.getFirst()).hasSize("transforms/wide.js: ".length() + ScriptLog.MAX_LINE + 1).endsWith("x…");
            assertThat(log.lines.getLast()).matches("transforms/wide\\.js: \\d+ more log lines of this call dropped .*");
        }
    }

    @Test
    void lineBreaksAndControlCharactersAreEscaped() {
        String script = """
                function transform(r, ctx) {
                  ctx.log('key', r.key);
                  console.log('console ' + r.key);
                  return r;
                }
                """;
        try (Transform t = new JsTransformFactory(engine, log).compile("transforms/keys.js", script, LIMITS)) {
            t.apply(Map.of("key", "C-1\r\n2026-01-01 INFO forged\u0007\u2028"), Map.of());

            assertThat(log.lines).containsExactly(
                    "transforms/keys.js: key C-1\\r\\n2026-01-01 INFO forged\\u0007\\u2028",
                    // console output is split at line feeds (each line says whose it is); a CR stays visible
                    "transforms/keys.js: console C-1\\r",
                    "transforms/keys.js: 2026-01-01 INFO forged\\u0007\\u2028");
        }
    }
}
