package dev.steward.run;

import dev.steward.model.Flow;
import dev.steward.model.Step;
import dev.steward.plugin.Transform;
import dev.steward.plugin.TransformFactory;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;

/**
 * The compiled transforms of an active workspace, one per {@code transform} step. Closing it
 * closes them all (a JavaScript transform holds sandboxed contexts). Thread-safe.
 */
public final class Transforms implements AutoCloseable {

    private final Map<Step.Transform, Transform> byStep;

    private Transforms(Map<Step.Transform, Transform> byStep) {
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
        Map<Step.Transform, Transform> compiled = new LinkedHashMap<>();
        try {
            for (Flow flow : flows) {
                for (Step step : flow.steps()) {
                    if (step instanceof Step.Transform transform && !compiled.containsKey(transform)) {
                        TransformFactory factory = factories.get(transform.language());
                        if (factory == null) {
                            throw new IllegalStateException("no transform language '" + transform.language() + "'");
                        }
                        compiled.put(transform, factory.compile(transform.script(), transform.source()));
                    }
                }
            }
        } catch (RuntimeException e) {
            new Transforms(compiled).close();
            throw e;
        }
        return new Transforms(Map.copyOf(compiled));
    }

    Transform get(Step.Transform step) {
        Transform transform = byStep.get(step);
        if (transform == null) {
            throw new IllegalStateException("the transform at " + step.location() + " was not compiled");
        }
        return transform;
    }

    @Override
    public void close() {
        byStep.values().forEach(transform -> {
            try {
                transform.close();
            } catch (RuntimeException e) {
                System.getLogger("dev.steward.run.Transforms").log(System.Logger.Level.WARNING,
                        "closing a transform failed", e);
            }
        });
    }
}
