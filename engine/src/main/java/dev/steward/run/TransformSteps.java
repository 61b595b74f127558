package dev.steward.run;

import com.fasterxml.jackson.databind.JsonNode;
import dev.steward.model.Flow;
import dev.steward.model.Step;
import dev.steward.plugin.ScriptFailedException;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Runs a flow's {@code transform} steps, in order, on a record's canonical fields, before its
 * changes are computed. A script sees the fields and {@code ctx} (flow, eventId, source, entity,
 * key), and returns the fields to use: it may change a value, drop a field or add one the flow
 * maps. Stateless.
 */
final class TransformSteps {

    private TransformSteps() {
    }

    /** Whether the flow has a {@code transform} step: only then is {@link #apply} needed. */
    static boolean any(Flow flow) {
        for (Step step : flow.steps()) {
            if (step instanceof Step.Transform) {
                return true;
            }
        }
        return false;
    }

    /**
     * Replaces {@code fields} with what the transforms return, adding a trace step for each.
     *
     * @return the error that ends the event failed (a script that failed, or returned a field the
     *         flow does not map), or empty
     */
    static Optional<String> apply(Flow flow, Transforms transforms, String eventId, String key,
                                  Map<String, JsonNode> fields, List<RunTrace.StepTrace> trace) {
        Map<String, Object> record = new LinkedHashMap<>();
        fields.forEach((field, value) -> record.put(field, Values.plain(value)));
        Map<String, Object> context = Map.of("flow", flow.id(), "eventId", eventId, "source", flow.source(),
                "entity", flow.entity(), "key", key);
        boolean any = false;
        for (Step step : flow.steps()) {
            if (!(step instanceof Step.Transform transform)) {
                continue;
            }
            any = true;
            String at = step.location().toString();
            Map<String, Object> result;
            try {
                result = transforms.get(transform).apply(new LinkedHashMap<>(record), context);
            } catch (ScriptFailedException e) {
                trace.add(new RunTrace.StepTrace("transform", at, "failed", e.getMessage()));
                return Optional.of("transform failed: " + e.getMessage());
            }
            TreeSet<String> unmapped = new TreeSet<>(result.keySet());
            unmapped.removeAll(flow.fields().keySet());
            if (!unmapped.isEmpty()) {
                String error = transform.script() + " returned " + String.join(", ", unmapped)
                        + ", which the flow does not map in 'fields' (it maps " + String.join(", ", flow.fields().keySet()) + ")";
                trace.add(new RunTrace.StepTrace("transform", at, "failed", error));
                return Optional.of("transform failed: " + error);
            }
            trace.add(new RunTrace.StepTrace("transform", at, "ok", transform.script() + summary(record, result)));
            record.clear();
            record.putAll(result);
        }
        if (any) {
            fields.clear();
            record.forEach((field, value) -> fields.put(field, Values.toNode(value)));
        }
        return Optional.empty();
    }

    /** What a transform did, for the trace: {@code : changed phone; dropped fax}. */
    private static String summary(Map<String, Object> before, Map<String, Object> after) {
        List<String> changed = new ArrayList<>();
        List<String> dropped = new ArrayList<>();
        List<String> added = new ArrayList<>();
        before.forEach((field, value) -> {
            if (!after.containsKey(field)) {
                dropped.add(field);
            } else if (!Values.canonical(Values.toNode(value)).equals(Values.canonical(Values.toNode(after.get(field))))) {
                changed.add(field);
            }
        });
        after.keySet().stream().filter(field -> !before.containsKey(field)).forEach(added::add);
        List<String> parts = new ArrayList<>();
        if (!changed.isEmpty()) {
            parts.add("changed " + String.join(", ", changed));
        }
        if (!dropped.isEmpty()) {
            parts.add("dropped " + String.join(", ", dropped));
        }
        if (!added.isEmpty()) {
            parts.add("added " + String.join(", ", added));
        }
        return parts.isEmpty() ? ": no change" : ": " + String.join("; ", parts);
    }
}
