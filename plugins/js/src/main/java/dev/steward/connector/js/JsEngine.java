package dev.steward.connector.js;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.Engine;
import org.graalvm.polyglot.HostAccess;
import org.graalvm.polyglot.PolyglotAccess;
import org.graalvm.polyglot.SandboxPolicy;
import org.graalvm.polyglot.Source;
import org.graalvm.polyglot.Value;
import org.graalvm.polyglot.EnvironmentAccess;
import org.graalvm.polyglot.io.IOAccess;

/**
 * One GraalVM engine and the watchdog of every call made through it, and the one place where the
 * sandbox of a script's context is configured.
 *
 * <p>Why one per process: an engine caches parsed and profiled code, so every transform and js
 * connector must share it for sources to be parsed once. The transform and connector factories
 * are made separately by {@link java.util.ServiceLoader}, so {@link #shared()} is the one static
 * holder of this module; tests and the benchmark make their own engines with {@link #create()}.
 * Making it takes a second or more of start-up (the first engine of a JVM loads thousands of
 * classes), so {@link #prepareShared()} starts that on a background thread as soon as Steward sees
 * that the workspace it loads runs scripts ({@link JsTransformFactory#prepare()}), and it runs
 * beside the rest of the start (reading the workspace, compiling the rules) until a script needs
 * it; a process that loads no scripts never makes it. Thread-safe.
 */
public final class JsEngine implements AutoCloseable {

    /**
     * What the contexts share, made when the first context is (on the engine's thread, see
     * {@link #prepareShared()}), not when this class is first used: building them loads the
     * polyglot machinery, which the thread that asks for the engine need not wait for.
     */
    private static final class Shared {
        /**
         * No host access at all: no host classes, methods or fields, and (as CONSTRAINED demands) no
         * mutable target mappings. One instance, because all contexts of an engine must share it.
         */
        static final HostAccess NO_HOST_ACCESS = HostAccess.newBuilder().allowMutableTargetMappings().build();

        /** Freezes the global object and every builtin: see lockdown.js. */
        static final Source LOCKDOWN = lockdown();
    }

    private static final System.Logger LOG = System.getLogger(JsEngine.class.getName());

    /** The process's engine: null until {@link #prepareShared()} or {@link #shared()} starts making it. */
    private static CompletableFuture<JsEngine> shared;

    private final Engine engine;
    private final Watchdog watchdog;

    private JsEngine(Engine engine) {
        this.engine = engine;
        this.watchdog = new Watchdog();
    }

    /**
     * The process's engine, never closed: waits for it when it is still being made, and makes it
     * on a background thread first if nothing has started that yet.
     *
     * @throws IllegalStateException when the engine could not be made (then on every call)
     */
    public static JsEngine shared() {
        try {
            return prepareShared().join();
        } catch (CompletionException e) {
            throw new IllegalStateException("could not start the JavaScript engine: " + e.getCause().getMessage(), e.getCause());
        }
    }

    /** Starts making the process's engine on a daemon thread, once; returns it to come. */
    static synchronized CompletableFuture<JsEngine> prepareShared() {
        if (shared == null) {
            CompletableFuture<JsEngine> made = new CompletableFuture<>();
            shared = made;
            Thread.ofPlatform().daemon().name("steward-js-engine").start(() -> {
                try {
                    long started = System.nanoTime();
                    JsEngine engine = create();
                    LOG.log(System.Logger.Level.INFO, "JavaScript engine ready in {0} ms: {1}",
                            String.valueOf((System.nanoTime() - started) / 1_000_000), engine.runtime());
                    made.complete(engine);
                } catch (RuntimeException | Error e) {
                    made.completeExceptionally(e);
                }
            });
        }
        return shared;
    }

    /**
     * Whether scripts are compiled to machine code ({@code GraalVM CE}, when the JVM was started
     * with the Graal compiler: see the {@code ./steward} launcher) or only interpreted
     * ({@code Interpreted}, on a stock JDK without it).
     */
    String runtime() {
        String name = engine.getImplementationName();
        return name.equals("Interpreted")
                ? "scripts interpreted, no Graal compiler in this JVM (STEWARD_JS_JIT=on ./steward adds it, with a JDK"
                        + " 25.0.2 or newer and host/target/jit built: README, JVM flags)"
                : "scripts compiled by the Graal compiler (" + name + ")";
    }

    /** A new engine of its own (tests, benchmarks); close it when done. */
    public static JsEngine create() {
        Engine engine = Engine.newBuilder("js")
                .sandbox(SandboxPolicy.CONSTRAINED)
                // the community edition on a stock JDK runs the interpreter only; that is known
                .option("engine.WarnInterpreterOnly", "false")
                .out(OutputStream.nullOutputStream())
                .err(OutputStream.nullOutputStream())
                .build();
        JsEngine created = new JsEngine(engine);
        created.warmUp();
        return created;
    }

    /**
     * Runs Steward's own glue once. The first context of a JVM loads hundreds of classes and
     * takes about a second; that cost belongs to start-up, not to the time budget of the first
     * user script that happens to run.
     */
    private void warmUp() {
        try (Context context = newContext(OutputStream.nullOutputStream())) {
            Value parsed = context.eval("js", "JSON.parse").execute("{\"a\":[1,2.5,\"x\",true,null],\"b\":{\"c\":\"d\"}}");
            Value result = context.eval("js", "(function (r, ctx) { r.n = r.a.length; r.s = String(r.b.c).toUpperCase(); return r; })")
                    .execute(parsed, parsed);
            GuestValues.object(result, 1 << 20, "warm-up");
        }
    }

    Watchdog watchdog() {
        return watchdog;
    }

    Engine engine() {
        return engine;
    }

    /**
     * A fresh sandboxed context whose {@code print} and {@code console} write to {@code out}, with
     * the global object and every builtin frozen, so that no call can leave anything there for
     * the next. The freezing walks every builtin: it is most of the cost of a cold context.
     */
    Context newContext(OutputStream out) {
        Context context = Context.newBuilder("js")
                .engine(engine)
                .sandbox(SandboxPolicy.CONSTRAINED)
                .allowHostAccess(Shared.NO_HOST_ACCESS)
                .allowHostClassLookup(className -> false)
                .allowHostClassLoading(false)
                .allowIO(IOAccess.NONE)
                .allowCreateThread(false)
                .allowCreateProcess(false)
                .allowNativeAccess(false)
                .allowPolyglotAccess(PolyglotAccess.NONE)
                .allowEnvironmentAccess(EnvironmentAccess.NONE)
                .out(out)
                .err(out)
                .build();
        try {
            context.eval(Shared.LOCKDOWN);
        } catch (RuntimeException e) {
            context.close(true);
            throw new IllegalStateException("could not freeze the builtins of a JavaScript context", e);
        }
        return context;
    }

    private static Source lockdown() {
        try (InputStream in = JsEngine.class.getResourceAsStream("lockdown.js")) {
            if (in == null) {
                throw new IllegalStateException("lockdown.js is missing from the js plugin");
            }
            return Source.newBuilder("js", new String(in.readAllBytes(), StandardCharsets.UTF_8), "steward-lockdown.js")
                    .buildLiteral();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        synchronized (JsEngine.class) {
            if (shared != null && shared.getNow(null) == this) {
                return;
            }
        }
        watchdog.close();
        engine.close(true);
    }
}
