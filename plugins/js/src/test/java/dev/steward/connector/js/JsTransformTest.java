package dev.steward.connector.js;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.steward.plugin.ScriptFailedException;
import dev.steward.plugin.ScriptFailedException.Reason;
import dev.steward.plugin.ScriptLimits;
import dev.steward.plugin.ScriptRejectedException;
import dev.steward.plugin.Transform;
import dev.steward.plugin.TransformFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class JsTransformTest {

    private static final ScriptLimits LIMITS = new ScriptLimits(Duration.ofMillis(2000), 100_000, 64L << 20);

    private static JsEngine engine;
    private static TransformFactory factory;

    @BeforeAll
    static void engine() {
        engine = JsEngine.create();
        factory = new JsTransformFactory(engine);
    }

    @AfterAll
    static void close() {
        engine.close();
    }

    @Test
    void transformsARecord() {
        try (Transform t = factory.compile("transforms/lower.js", """
                function transform(record, ctx) {
                  record.email = record.email.toLowerCase();
                  record.flow = ctx.flow;
                  ctx.log('lowered', record.email);
                  return record;
                }
                """, LIMITS)) {
            Map<String, Object> out = t.apply(Map.of("id", "C-1", "email", "Ada@Example.COM"), Map.of("flow", "crm-customer"));

            assertThat(out).containsExactlyInAnyOrderEntriesOf(
                    Map.of("id", "C-1", "email", "ada@example.com", "flow", "crm-customer"));
            assertThat(t.name()).isEqualTo("transforms/lower.js");
        }
    }

    @Test
    void nestedObjectsAndNumbersRoundTrip() {
        Map<String, Object> address = new LinkedHashMap<>();
        address.put("street", "1 \"Main\" St\n\\ünïcode ✓");
        address.put("zip", null);
        Map<String, Object> record = new LinkedHashMap<>();
        record.put("int", 5000);
        record.put("long", 1L << 40);
        record.put("double", 12.5);
        record.put("negative", -3);
        record.put("flag", true);
        record.put("address", address);
        record.put("tags", List.of("a", 1, List.of(false)));

        try (Transform t = factory.compile("identity.js", "function transform(r, ctx) { return r; }", LIMITS)) {
            assertThat(t.apply(record, Map.of())).isEqualTo(record);
        }
    }

    @Test
    void aSyntaxErrorIsRejectedWithLineAndColumn() {
        ScriptRejectedException e = catchThrowableOfType(ScriptRejectedException.class, () ->
                factory.compile("transforms/bad.js", "function transform(r) {\n  return r +;\n}", LIMITS));

        assertThat(e.script()).isEqualTo("transforms/bad.js");
        assertThat(e.line()).isEqualTo(2);
        assertThat(e.column()).isEqualTo(13);
        assertThat(e.reason()).isEqualTo("Expected an operand but found ;");
        assertThat(e.getMessage()).isEqualTo("transforms/bad.js:2:13: Expected an operand but found ;");
        assertThat(e.retryable()).isFalse();
    }

    @Test
    void aScriptWithoutTransformIsRejected() {
        assertThatThrownBy(() -> factory.compile("none.js", "function transfrom(r) { return r; }", LIMITS))
                .isInstanceOf(ScriptRejectedException.class)
                .hasMessage("none.js:0:0: defines no function transform (write: function transform(...) { ... })");
    }

    @Test
    void topLevelCodeThatNeverEndsIsRejected() {
        assertThatThrownBy(() -> factory.compile("loop.js", "while (true) {}\nfunction transform(r) { return r; }", LIMITS))
                .isInstanceOf(ScriptRejectedException.class)
                .hasMessageContaining("its top-level code failed: the script ran past its time budget and was cancelled");
    }

    static List<Arguments> failures() {
        return List.of(
                Arguments.of("an infinite loop", "while (true) {}", Reason.TIMEOUT, "transform ran past its time budget of 2000 ms and was cancelled"),
                Arguments.of("Java.type", "var System = Java.type('java.lang.System'); System.exit(1);", Reason.FORBIDDEN,
                        "Access to host class java.lang.System is not allowed"),
                Arguments.of("load", "load('x.js');", Reason.FORBIDDEN, "Operation is not allowed for: x.js"),
                Arguments.of("require", "var fs = require('fs'); fs.readFileSync('/etc/passwd');", Reason.FORBIDDEN,
                        "require is not defined"),
                Arguments.of("many small objects", "var a = []; while (true) { a.push({i: a.length, s: 'x' + a.length}); }",
                        null, "transform"),
                Arguments.of("a huge string", "var s = 'x'; while (true) { s += s; }", Reason.THREW, "RangeError: Invalid string length"),
                Arguments.of("an output over the bound", "return {big: 'x'.repeat(200000)};", Reason.OUTPUT_TOO_LARGE,
                        "the result is larger than 100000 characters of JSON"),
                Arguments.of("a cycle", "var o = {}; o.self = o; return o;", Reason.BAD_RESULT, "nested deeper than 64 levels"),
                Arguments.of("not an object", "return [record];", Reason.BAD_RESULT, "the result of transform must be an object, not an array"),
                Arguments.of("a throw", "throw new Error('no email');", Reason.THREW, "transform threw Error: no email"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("failures")
    void aFailingCallEndsInTimeAndTheNextCallWorks(String what, String body, Reason reason, String message) {
        String source = "function transform(record, ctx) {\n  if (record.bad) {\n    " + body + "\n  }\n  return record;\n}\n";
        try (Transform t = factory.compile("transforms/t.js", source, LIMITS)) {
            long start = System.nanoTime();
            ScriptFailedException e = catchThrowableOfType(ScriptFailedException.class,
                    () -> t.apply(Map.of("bad", true), Map.of()));
            Duration took = Duration.ofNanos(System.nanoTime() - start);

            assertThat(e).as(what).isNotNull();
            if (reason != null) {
                assertThat(e.reason()).isEqualTo(reason);
            } else {
                assertThat(e.reason()).isIn(Reason.MEMORY, Reason.TIMEOUT); // whichever budget runs out first
            }
            assertThat(e.getMessage()).startsWith("transforms/t.js").contains(message);
            assertThat(e.retryable()).isFalse();
            assertThat(took).as("the watchdog ends it near its budget, not never").isLessThan(LIMITS.timeout().multipliedBy(5));
            assertThat(t.apply(Map.of("bad", false, "n", 1), Map.of())).isEqualTo(Map.of("bad", false, "n", 1));
        }
    }

    @Test
    void aHugeAllocationIsCancelledByTheMemoryBudget() {
        ScriptLimits generousTime = LIMITS.withTimeout(Duration.ofSeconds(20));
        String source = "function transform(r) {\n  var a = [];\n  while (true) { a.push('x'.repeat(10000000 + a.length)); }\n}";
        try (Transform t = factory.compile("transforms/hog.js", source, generousTime)) {
            long start = System.nanoTime();
            ScriptFailedException e = catchThrowableOfType(ScriptFailedException.class, () -> t.apply(Map.of(), Map.of()));
            Duration took = Duration.ofNanos(System.nanoTime() - start);

            assertThat(e.reason()).isEqualTo(Reason.MEMORY);
            assertThat(e.getMessage()).isEqualTo("transforms/hog.js: transform allocated more than 64 MiB and was cancelled");
            assertThat(took).isLessThan(Duration.ofSeconds(10));
        }
    }

    @Test
    void aThrowNamesTheLine() {
        try (Transform t = factory.compile("transforms/t.js", "function transform(r) {\n\n  throw new TypeError('bad');\n}", LIMITS)) {
            ScriptFailedException e = catchThrowableOfType(ScriptFailedException.class, () -> t.apply(Map.of(), Map.of()));

            assertThat(e.line()).hasValue(3);
            assertThat(e.getMessage()).isEqualTo("transforms/t.js:3: transform threw TypeError: bad");
        }
    }

    @Test
    void aScriptCannotTouchTheInputMaps() {
        Map<String, Object> record = new HashMap<>(Map.of("a", 1));
        try (Transform t = factory.compile("t.js", "function transform(r) { r.a = 2; r.b = 3; return r; }", LIMITS)) {
            assertThat(t.apply(record, Map.of())).isEqualTo(Map.of("a", 2, "b", 3));
            assertThat(record).isEqualTo(Map.of("a", 1));
        }
    }

    @Test
    void concurrentCallsEachGetTheirOwnAnswer() throws Exception {
        // A generous budget: this test is about answers, and a cold context on a loaded machine is slow.
        try (Transform t = factory.compile("t.js", "function transform(r) { r.twice = r.n * 2; return r; }",
                LIMITS.withTimeout(Duration.ofSeconds(30)));
             ExecutorService pool = Executors.newFixedThreadPool(8)) {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int thread = 0; thread < 8; thread++) {
                int base = thread * 1000;
                results.add(pool.submit(() -> {
                    for (int i = base; i < base + 200; i++) {
                        if (!t.apply(Map.of("n", i), Map.of()).equals(Map.of("n", i, "twice", 2 * i))) {
                            return false;
                        }
                    }
                    return true;
                }));
            }
            for (Future<Boolean> each : results) {
                assertThat(each.get()).isTrue();
            }
        }
    }

    @Test
    void aClosedTransformRefusesCalls() {
        Transform t = factory.compile("t.js", "function transform(r) { return r; }", LIMITS);
        t.close();

        assertThatThrownBy(() -> t.apply(Map.of(), Map.of())).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void serviceLoaderFindsTheJsTransformFactory() {
        assertThat(ServiceLoader.load(TransformFactory.class).stream().map(p -> p.get().language()))
                .containsExactly("js");
    }

    @Test
    void limitsAreChecked() {
        assertThatThrownBy(() -> ScriptLimits.DEFAULTS.withTimeout(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
        assertThat(Arrays.asList(ScriptLimits.DEFAULTS.timeout(), ScriptLimits.DEFAULTS.maxOutputChars()))
                .containsExactly(Duration.ofSeconds(1), 1 << 20);
    }
}
