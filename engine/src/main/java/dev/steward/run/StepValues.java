package dev.steward.run;

import com.fasterxml.jackson.databind.JsonNode;
import dev.steward.expr.Lookup;
import dev.steward.expr.Template;
import dev.steward.rules.FieldChange;

import java.util.List;
import java.util.Map;

/**
 * The values one run's filter and branch conditions and {@code ${...}} templates read: a bare
 * name or {@code fields.name} is a canonical field, {@code payload.path} a value of the
 * payload, {@code steps.name.path} a field of an earlier call's result, {@code key} the record's
 * key. Conditions see a missing value as empty; a template that names a missing value fails
 * ({@link MissingValueException}). Used by one run's thread only.
 */
final class StepValues implements Lookup {

    private final JsonNode payload;
    private final Map<String, Object> fields;
    private final String key;
    private final Map<String, Object> calls;
    private final ChangeSet set;
    private final boolean dryRun;

    /** @param dryRun calls are not made: a reference to a call's result stays as written */
    StepValues(JsonNode payload, Map<String, Object> fields, String key, Map<String, Object> calls, ChangeSet set,
               boolean dryRun) {
        this.dryRun = dryRun;
        this.payload = payload;
        this.fields = fields;
        this.key = key;
        this.calls = calls;
        this.set = set;
    }

    /** A template names a value the event does not have. */
    static final class MissingValueException extends RuntimeException {
        MissingValueException(String message) {
            super(message, null, false, false);
        }
    }

    @Override
    public Object value(String name) {
        int dot = name.indexOf('.');
        if (dot < 0) {
            return fields.get(name);
        }
        String root = name.substring(0, dot);
        List<String> path = List.of(name.substring(dot + 1).split("\\."));
        return switch (root) {
            case "payload" -> Values.plain(Values.at(payload, name.substring(dot + 1)));
            case "fields" -> fields.get(path.getFirst());
            case "steps" -> result(path);
            default -> null;
        };
    }

    @Override
    public boolean changed(String name) {
        String field = name.startsWith("fields.") ? name.substring(7) : name;
        if (set == null) {
            return false;
        }
        for (FieldChange change : set.changes) {
            if (change.getField().equals(field)) {
                return true;
            }
        }
        return false;
    }

    /** The value with its references replaced. */
    Object render(Object template) {
        return Template.render(template, this::resolve);
    }

    private Object resolve(Template.Reference ref) {
        Object value = switch (ref.root()) {
            case "key" -> key;
            case "payload" -> Values.plain(Values.at(payload, String.join(".", ref.path())));
            case "fields" -> fields.get(ref.path().getFirst());
            default -> result(ref.path());
        };
        if (value == null && dryRun && ref.root().equals("steps")) {
            return ref.text();
        }
        if (value == null) {
            throw new MissingValueException(ref.text() + " names no value in this event" + why(ref));
        }
        return value;
    }

    private String why(Template.Reference ref) {
        if (ref.root().equals("steps") && !calls.containsKey(ref.path().getFirst())) {
            return ": the call '" + ref.path().getFirst() + "' did not run (a branch not taken?)";
        }
        if (ref.root().equals("steps")) {
            return ": the result of '" + ref.path().getFirst() + "' has no " + String.join(".", ref.path().subList(1, ref.path().size()));
        }
        return "";
    }

    private Object result(List<String> path) {
        Object node = calls.get(path.getFirst());
        for (String part : path.subList(1, path.size())) {
            if (!(node instanceof Map<?, ?> map)) {
                return null;
            }
            node = map.get(part);
        }
        return node;
    }
}
