package dev.steward.run;

import dev.steward.model.Flow;
import dev.steward.model.Step;
import dev.steward.plugin.Transform;
import dev.steward.plugin.TransformFactory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;

/**
 * The compiled transforms of an active workspace, one per {@code transform} step. Closing it
 * closes them all (a JavaScript transform holds sandboxed contexts), those still compiling when
 * their compile ends. Thread-safe.
 */
public final class Transforms implements AutoCloseable {

    private final Map<Step.Transform, CompletableFuture<Transform>> byStep;

    private Transforms(Map<Step.Transform, CompletableFuture<Transform>> byStep) {
        this.byStep = byStep;
    }

    /** The transform factories on the class path, by language; the first one found wins. */
    public static Map<String, TransformFactory> discover(ClassLoader loader) {
        Map<String, TransformFactory> factories = new TreeMap<>();
        for (TransformFactory factory : ServiceLoader.load(TransformFactory.class, loader)) {
            factories.putIfAbsent(factory.language(), factory);
        }
        return factories;
    }

    /**
     * Compiles every transform step of the flows. The loader compiled each one already and let
     * through only flows whose scripts compiled, so a failure here is unexpected and thrown.
     */
    static Transforms compile(Iterable<Flow> flows, Map<String, TransformFactory> factories) {
        Map<Step.Transform, CompletableFuture<Transform>> compiled = new LinkedHashMap<>();
        try {
            for (Flow flow : flows) {
                for (Step step : flow.steps()) {
                    if (step instanceof Step.Transform transform && !compiled.containsKey(transform)) {
                        TransformFactory factory = factories.get(transform.language());
                        if (factory == null) {
                            throw new IllegalStateException("no transform language '" + transform.language() + "'");
                        }
                        compiled.put(transform, CompletableFuture.completedFuture(
                                factory.compile(transform.script(), transform.source())));
                    }
                }
            }
        } catch (RuntimeException e) {
            new Transforms(compiled).close();
            throw e;
        }
        return new Transforms(Map.copyOf(compiled));
    }

    /**
     * The transforms of the flows' steps as {@code pending} compiles them (the start of
     * {@code steward serve}): each step compiled there once, not again. A step still compiling
     * is waited for by {@link #get}; one whose compile failed throws there (the engine sets such
     * flows aside before any of their runs). Steps not queued there are compiled now.
     */
    static Transforms of(Iterable<Flow> flows, Map<String, TransformFactory> factories, PendingTransforms pending) {
        Map<Step.Transform, CompletableFuture<Transform>> byStep = new LinkedHashMap<>();
        List<Flow> rest = new ArrayList<>();
        for (Flow flow : flows) {
            boolean all = true;
            for (Step step : flow.steps()) {
                if (step instanceof Step.Transform transform) {
                    CompletableFuture<Transform> compiled = pending.compiled(transform);
                    if (compiled == null) {
                        all = false;
                    } else {
                        byStep.putIfAbsent(transform, compiled);
                    }
                }
            }
            if (!all) {
                rest.add(flow);
            }
        }
        Transforms now = compile(rest, factories);
        // A flow with some steps queued and some not was compiled whole: keep the queued compiles.
        now.byStep.forEach((step, compiled) -> {
            if (byStep.putIfAbsent(step, compiled) != null) {
                closeWhenCompiled(compiled);
            }
        });
        return new Transforms(Map.copyOf(byStep));
    }

    Transform get(Step.Transform step) {
        CompletableFuture<Transform> transform = byStep.get(step);
        if (transform == null) {
            throw new IllegalStateException("the transform at " + step.location() + " was not compiled");
        }
        try {
            return transform.join();
        } catch (CompletionException e) {
            throw new IllegalStateException("the transform at " + step.location() + " did not compile: "
                    + e.getCause().getMessage(), e.getCause());
        }
    }

    @Override
    public void close() {
        byStep.values().forEach(Transforms::closeWhenCompiled);
    }

    private static void closeWhenCompiled(CompletableFuture<Transform> compiled) {
        compiled.thenAccept(transform -> {
            try {
                transform.close();
            } catch (RuntimeException e) {
                System.getLogger("dev.steward.run.Transforms").log(System.Logger.Level.WARNING,
                        "closing a transform failed", e);
            }
        });
    }
}
