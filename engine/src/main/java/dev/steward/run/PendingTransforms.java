package dev.steward.run;

import dev.steward.model.Diagnostic;
import dev.steward.model.Flow;
import dev.steward.model.Step;
import dev.steward.plugin.Transform;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The transforms of a workspace that {@code steward serve} loaded without waiting for them: each
 * compiled once, in the order read, on one background thread, while the store opens and the
 * host starts listening. The compiled transforms are the ones the running configuration uses
 * ({@link Transforms#of}), so a script is compiled once at start, not once to check it and
 * again to run it. A script that does not compile gives the same diagnostics, at the same
 * file:line, as a load that compiles at once; the engine then sets its flows aside
 * ({@link #failedFlows}). Thread-safe.
 */
public final class PendingTransforms {

    /** One transform step's compile, and the diagnostics its failure is reported with. */
    private record Pending(CompletableFuture<Transform> compiled, Function<RuntimeException, List<Diagnostic>> failure) {
    }

    private final ExecutorService thread = Executors.newSingleThreadExecutor(
            Thread.ofPlatform().daemon().name("steward-transforms").factory());
    private final Map<Step.Transform, Pending> steps = new LinkedHashMap<>();
    private final long started = System.nanoTime();
    /** Completed when the compiles may begin: at once, or when {@link #release()} is called on a {@link #held()} one. */
    private final CompletableFuture<Void> released = new CompletableFuture<>();
    private volatile boolean sealed;

    /** Compiles each step as soon as it is queued. */
    public PendingTransforms() {
        released.complete(null);
    }

    private PendingTransforms(boolean held) {
        if (!held) {
            released.complete(null);
        }
    }

    /**
     * Queues the compiles but begins none (nor the script engine) until {@link #release()}:
     * {@code steward serve} releases them once it listens, so that the script engine's start
     * does not compete for the CPU with the start of the store, the connectors and the listeners
     * (bench/startup.md, Round 5).
     */
    public static PendingTransforms held() {
        return new PendingTransforms(true);
    }

    /** Whether the compiles wait for {@link #release()}. */
    public boolean isHeld() {
        return !released.isDone();
    }

    /** Lets the queued compiles begin (once; nothing when they were not held). */
    public synchronized void release() {
        released.complete(null);
        if (sealed) {
            thread.shutdown(); // after the compiles were handed to it, above
        }
    }

    /**
     * Queues a step's compile on the background thread.
     *
     * @param failure the diagnostics of a failed compile, from its exception (a
     *                {@link dev.steward.plugin.ScriptRejectedException} carries the script's line)
     */
    public synchronized void submit(Step.Transform step, Supplier<Transform> compile,
                                    Function<RuntimeException, List<Diagnostic>> failure) {
        if (sealed) {
            throw new IllegalStateException("the workspace's transforms were all queued already");
        }
        if (!steps.containsKey(step)) {
            steps.put(step, new Pending(released.thenApplyAsync(ignored -> compile.get(), thread), failure));
        }
    }

    /** No more steps: the background thread ends once it has compiled those queued. */
    public synchronized void seal() {
        sealed = true;
        if (released.isDone()) {
            thread.shutdown();
        }
    }

    /** Whether there is nothing queued (a workspace without transforms). */
    public synchronized boolean isEmpty() {
        return steps.isEmpty();
    }

    /** How many steps are queued. */
    public synchronized int size() {
        return steps.size();
    }

    /** Done when every queued compile has ended, well or not (never exceptionally). */
    public CompletableFuture<Void> done() {
        CompletableFuture<?>[] all;
        synchronized (this) {
            all = steps.values().stream().map(p -> p.compiled().handle((t, e) -> null)).toArray(CompletableFuture[]::new);
        }
        return CompletableFuture.allOf(all);
    }

    /**
     * Closes every transform compiled here, those still compiling when they are done: for a
     * workspace loaded and never started (an engine that starts closes them with its configuration).
     */
    public synchronized void closeAll() {
        steps.values().forEach(p -> p.compiled().thenAccept(Transform::close));
    }

    /** Nanoseconds from this object's making (the workspace's load) until now. */
    public long elapsedNanos() {
        return System.nanoTime() - started;
    }

    /** The compile of a step queued here, or null when it was not. */
    synchronized CompletableFuture<Transform> compiled(Step.Transform step) {
        Pending pending = steps.get(step);
        return pending == null ? null : pending.compiled();
    }

    /** The flows (by file) with a step whose compile failed, each with that step's diagnostics. */
    public synchronized Map<String, List<Diagnostic>> failedFlows(Iterable<Flow> flows) {
        Map<String, List<Diagnostic>> failed = new LinkedHashMap<>();
        for (Flow flow : flows) {
            Set<Diagnostic> own = new LinkedHashSet<>();
            for (Step step : flow.steps()) {
                if (step instanceof Step.Transform transform && steps.containsKey(transform)) {
                    own.addAll(failure(steps.get(transform)));
                }
            }
            if (!own.isEmpty()) {
                failed.put(flow.file(), List.copyOf(own));
            }
        }
        return failed;
    }

    private static List<Diagnostic> failure(Pending pending) {
        if (!pending.compiled().isCompletedExceptionally()) {
            return List.of();
        }
        try {
            pending.compiled().join();
            return List.of();
        } catch (CompletionException e) {
            RuntimeException cause = e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
            return pending.failure().apply(cause);
        }
    }
}
