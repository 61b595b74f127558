package dev.steward.connector.js;

import static org.assertj.core.api.Assertions.assertThat;

import dev.steward.plugin.ScriptLimits;
import dev.steward.plugin.Transform;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Nothing one call of a script does is seen by the next: not its global variables, not what it
 * hangs on the builtins. The contexts are pooled, so each case calls on one thread, where the
 * same context serves every call.
 */
class CleanScopeTest {

    /** A generous budget: the first context on a loaded machine is slow. */
    private static final ScriptLimits LIMITS = ScriptLimits.DEFAULTS.withTimeout(Duration.ofSeconds(20));

    private static JsEngine engine;
    private static JsTransformFactory factory;

    @BeforeAll
    static void engine() {
        engine = JsEngine.create();
        factory = new JsTransformFactory(engine);
    }

    @AfterAll
    static void close() {
        engine.close();
    }

    /**
     * Each script keeps what it saw in one place and reports it as {@code seen}; a clean scope
     * means every call reports only its own record.
     */
    static List<Arguments> leaks() {
        return List.of(
                Arguments.of("a var at the top", """
                        var seen = [];
                        function transform(r) { seen.push(r.email); r.seen = seen.join(); return r; }
                        """),
                Arguments.of("a let at the top", """
                        let seen = [];
                        function transform(r) { seen.push(r.email); r.seen = seen.join(); return r; }
                        """),
                Arguments.of("a const object at the top", """
                        const cache = {};
                        function transform(r) { cache[r.email] = 1; r.seen = Object.keys(cache).join(); return r; }
                        """),
                Arguments.of("a global made without var", """
                        function transform(r) { try { seen = (typeof seen === 'undefined' ? '' : seen + ',') + r.email; } catch (e) {}
                          r.seen = typeof seen === 'undefined' ? r.email : seen; return r; }
                        """),
                Arguments.of("a property of globalThis", """
                        function transform(r) { try { globalThis.seen = (globalThis.seen ? globalThis.seen + ',' : '') + r.email; } catch (e) {}
                          r.seen = globalThis.seen || r.email; return r; }
                        """),
                Arguments.of("a property of this at the top", """
                        this.seen = this.seen || [];
                        function transform(r) { try { seen.push(r.email); } catch (e) {} r.seen = (typeof seen === 'object' && seen.length ? seen : [r.email]).join(); return r; }
                        """),
                Arguments.of("Array.prototype", """
                        function transform(r) { try { Array.prototype.seen = (Array.prototype.seen || []).concat(r.email); } catch (e) {}
                          r.seen = ([].seen || [r.email]).join(); return r; }
                        """),
                Arguments.of("Object.prototype", """
                        function transform(r) { try { Object.prototype.seen = ({}.seen ? {}.seen + ',' : '') + r.email; } catch (e) {}
                          r.seen = ({}).seen || r.email; return r; }
                        """),
                Arguments.of("a builtin's method replaced", """
                        function transform(r) {
                          var before = String.prototype.trim.call('  x  ') === 'x' ? '' : String.prototype.trim.call('');
                          try { var previous = before; String.prototype.trim = function () { return previous + r.email; }; } catch (e) {}
                          r.seen = before ? before.split(',').concat(r.email).join() : r.email; return r; }
                        """),
                Arguments.of("a property of a builtin function", """
                        function transform(r) { try { JSON.parse.seen = (JSON.parse.seen ? JSON.parse.seen + ',' : '') + r.email; } catch (e) {}
                          r.seen = JSON.parse.seen || r.email; return r; }
                        """),
                Arguments.of("a builtin's property redefined", """
                        function transform(r) {
                          try { Object.defineProperty(Math.max, 'name', { value: Math.max.name === 'max' ? r.email : Math.max.name + ',' + r.email }); } catch (e) {}
                          r.seen = Math.max.name === 'max' ? r.email : Math.max.name; return r; }
                        """),
                Arguments.of("the prototype of generators", """
                        function transform(r) { var proto = Object.getPrototypeOf(function* () {}).prototype;
                          try { proto.seen = (proto.seen ? proto.seen + ',' : '') + r.email; } catch (e) {}
                          r.seen = proto.seen || r.email; return r; }
                        """),
                Arguments.of("the last RegExp match", """
                        function transform(r) { var last = RegExp.$1; /^(.*)@/.exec(r.email);
                          r.seen = last ? last + '@x.example,' + r.email : r.email; return r; }
                        """),
                Arguments.of("a property added to RegExp.prototype", """
                        function transform(r) { var last = /a/.seen; try { RegExp.prototype.seen = r.email; } catch (e) {}
                          r.seen = last ? last + ',' + r.email : r.email; return r; }
                        """),
                Arguments.of("RegExp.prototype.exec replaced", """
                        function transform(r) { var last = /a/.exec.last; var mine = function () { return null; };
                          mine.last = r.email; try { RegExp.prototype.exec = mine; } catch (e) {}
                          r.seen = last ? last + ',' + r.email : r.email; return r; }
                        """),
                Arguments.of("a RegExp.prototype accessor replaced", """
                        function transform(r) { var last = /a/.flags === '' ? '' : /a/.flags;
                          try { Object.defineProperty(RegExp.prototype, 'flags', { get() { return r.email; }, configurable: true }); } catch (e) {}
                          r.seen = last ? last + ',' + r.email : r.email; return r; }
                        """),
                Arguments.of("a RegExp.prototype property made non-configurable", """
                        function transform(r) { var d = Object.getOwnPropertyDescriptor(RegExp.prototype, 'test');
                          var last = d.value.name === 'test' ? '' : d.value.name;
                          var mine = { [r.email]: function () { return true; } }[r.email];
                          try { Object.defineProperty(RegExp.prototype, 'test', { value: mine, configurable: false }); } catch (e) {}
                          r.seen = last ? last + ',' + r.email : r.email; return r; }
                        """),
                Arguments.of("the order of RegExp.prototype's properties", """
                        function transform(r) { var names = Object.getOwnPropertyNames(RegExp.prototype);
                          var last = names[names.length - 1] === 'source' ? 'ada@x.example' : '';
                          var source = Object.getOwnPropertyDescriptor(RegExp.prototype, 'source');
                          try { delete RegExp.prototype.source; Object.defineProperty(RegExp.prototype, 'source', source); } catch (e) {}
                          r.seen = last ? last + ',' + r.email : r.email; return r; }
                        """),
                Arguments.of("the prototype of RegExp.prototype", """
                        function transform(r) { var proto = Object.getPrototypeOf(RegExp.prototype);
                          var last = proto === Object.prototype ? '' : proto.seen;
                          try { Object.setPrototypeOf(RegExp.prototype, { seen: r.email, __proto__: Object.prototype }); } catch (e) {}
                          r.seen = last ? last + ',' + r.email : r.email; return r; }
                        """),
                Arguments.of("RegExp.prototype changed by a promise job", """
                        function transform(r) { var last = /a/.seen;
                          Promise.resolve().then(function () { try { RegExp.prototype.seen = r.email; } catch (e) {} });
                          r.seen = last ? last + ',' + r.email : r.email; return r; }
                        """),
                Arguments.of("RegExp.prototype changed by the top level", """
                        var last = /a/.seen; try { RegExp.prototype.seen = (last ? last + ',' : '') + 'top'; } catch (e) {}
                        function transform(r) { r.seen = last ? last + ',' + r.email : r.email; return r; }
                        """),
                Arguments.of("String.prototype.foo added", """
                        function transform(r) { var last = ''.foo; try { String.prototype.foo = r.email; } catch (e) {}
                          r.seen = last ? last + ',' + r.email : r.email; return r; }
                        """));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("leaks")
    void nothingOfOneEventReachesTheNext(String what, String script) {
        try (Transform t = factory.compile("transforms/leak.js", script, LIMITS)) {
            for (String email : List.of("ada@x.example", "bob@x.example", "cy@x.example")) {
                Map<String, Object> out = t.apply(Map.of("email", email), Map.of("eventId", "evt-" + email));
                assertThat(out).as(what).containsEntry("seen", email);
            }
        }
    }

    /**
     * Whatever a call tries on String.prototype and RegExp.prototype, the next call on the same
     * thread, from the same pool, sees them as built.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("builtinChanges")
    void aLaterCallSeesTheBuiltinsAsBuilt(String what, String change) {
        String script = """
                function look() {
                  return [typeof ''.foo, 'a-b'.replace('-', '+'), 'a-b'.replace(/-/g, '+'), String(/(x)/.exec('x')),
                    /x/g.flags, /x/.test('x'), 'a1b2'.split(/\\d/).join(' '), typeof /x/.bar,
                    Object.getOwnPropertyNames(RegExp.prototype).join(), Object.isFrozen(RegExp.prototype),
                    Object.getPrototypeOf(RegExp.prototype) === Object.prototype].join('|');
                }
                function transform(r) {
                  r.before = look();
                  if (r.change) {
                    %s
                  }
                  return r;
                }
                """.formatted(change.lines().map(line -> "try { " + line + " } catch (e) {}").collect(Collectors.joining("\n")));
        try (Transform t = factory.compile("transforms/change.js", script, LIMITS)) {
            Object asBuilt = t.apply(Map.of(), Map.of()).get("before");
            assertThat(asBuilt).isEqualTo("undefined|a+b|a+b|x,x|g|true|a b |undefined|"
                    + "source,flags,multiline,global,ignoreCase,sticky,unicode,dotAll,hasIndices,unicodeSets,constructor,exec,test,toString,compile|true|true");
            assertThat(t.apply(Map.of("change", true), Map.of())).as(what).containsEntry("before", asBuilt);
            for (int i = 0; i < 3; i++) {
                assertThat(t.apply(Map.of(), Map.of())).as(what).containsEntry("before", asBuilt);
            }
        }
    }

    static List<Arguments> builtinChanges() {
        return List.of(
                Arguments.of("String.prototype.replace, RegExp.prototype.exec and String.prototype.foo", """
                        try { String.prototype.replace = function () { return 'hijacked'; }; } catch (e) {}
                        try { String.prototype.foo = 'left over'; } catch (e) {}
                        RegExp.prototype.exec = function () { return null; };
                        """),
                Arguments.of("accessors and symbols of RegExp.prototype", """
                        Object.defineProperty(RegExp.prototype, 'flags', { get() { return 'hijacked'; }, configurable: true });
                        RegExp.prototype[Symbol.replace] = function () { return 'hijacked'; };
                        RegExp.prototype[Symbol.split] = function () { return ['hijacked']; };
                        Object.defineProperty(RegExp.prototype, 'test', { value: function () { return false; }, enumerable: true });
                        """),
                Arguments.of("a property added and one deleted", """
                        RegExp.prototype.bar = 'left over';
                        delete RegExp.prototype.toString;
                        """),
                Arguments.of("RegExp.prototype made non-configurable, reparented and frozen", """
                        Object.defineProperty(RegExp.prototype, 'bar', { value: 'left over', configurable: false });
                        Object.defineProperty(RegExp.prototype, 'exec', { value: function () { return null; }, configurable: false, writable: false });
                        Object.setPrototypeOf(RegExp.prototype, null);
                        Object.freeze(RegExp.prototype);
                        """));
    }

    /** Its callbacks run when the collector gets to them, which may be during a later call. */
    @Test
    void noFinalizationRegistry() {
        try (Transform t = factory.compile("transforms/finalize.js",
                "function transform(r) { r.registry = typeof FinalizationRegistry; r.weakRef = typeof WeakRef; return r; }", LIMITS)) {
            assertThat(t.apply(Map.of(), Map.of())).containsEntry("registry", "undefined").containsEntry("weakRef", "function");
        }
    }

    @Test
    void recordsOfOneEventDoNotSeeEachOther() {
        String script = """
                var count = 0;
                function transform(r, ctx) { count++; Array.prototype.last = r.email; r.count = count; return r; }
                """;
        try (Transform t = factory.compile("transforms/count.js", script, LIMITS)) {
            Map<String, Object> event = Map.of("eventId", "evt-batch-1");
            for (String email : List.of("ada@x.example", "bob@x.example")) {
                assertThat(t.apply(Map.of("email", email), event)).containsEntry("count", 1);
            }
            Transform check = factory.compile("transforms/check.js",
                    "function transform(r) { r.last = [].last === undefined ? 'none' : [].last; return r; }", LIMITS);
            assertThat(check.apply(Map.of(), event)).containsEntry("last", "none");
            check.close();
        }
    }

    @Test
    void everydayCodeStillWorksOnTheLockedBuiltins() {
        String script = """
                'use strict';
                class Refused extends Error { constructor(m) { super(m); this.name = 'Refused'; } }
                const tidy = (s) => s.trim().toLowerCase();
                function Legacy() {}
                Legacy.prototype.toString = function () { return 'legacy'; };
                function transform(r) {
                  const out = { constructor: 'kept', email: tidy(r.email) };
                  out.toString = 'a field called toString';
                  out.hasOwnProperty = 'and one called hasOwnProperty';
                  out.legacy = String(new Legacy());
                  out.error = String(new Refused('no'));
                  out.sorted = [3, 1, 2].sort().map(n => n * 2);
                  out.found = /^(\\w+)@/.exec(out.email)[1];
                  return out;
                }
                """;
        try (Transform t = factory.compile("transforms/everyday.js", script, LIMITS)) {
            for (int i = 0; i < 2; i++) {
                assertThat(t.apply(Map.of("email", " Ada@X.example "), Map.of())).containsExactlyInAnyOrderEntriesOf(Map.of(
                        "constructor", "kept", "email", "ada@x.example", "toString", "a field called toString",
                        "hasOwnProperty", "and one called hasOwnProperty", "legacy", "legacy", "error", "Refused: no",
                        "sorted", List.of(2, 4, 6), "found", "ada"));
            }
        }
    }
}
