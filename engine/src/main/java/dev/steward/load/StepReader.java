package dev.steward.load;

import dev.steward.expr.Condition;
import dev.steward.expr.Expressions;
import dev.steward.expr.Template;
import dev.steward.expr.UnparsableExpressionException;
import dev.steward.model.Diagnostic;
import dev.steward.model.RetrySettings;
import dev.steward.model.SourceLocation;
import dev.steward.model.Step;
import dev.steward.plugin.SystemConfig;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Reads the {@code filter}, {@code branch} and {@code call} steps of one flow, and checks the
 * {@code ${...}} references of call inputs and sync fields: a condition or reference that does
 * not parse is an error at its file line and column. One instance per flow: it remembers the
 * names of the calls read so far, so that {@code ${steps.order.id}} must name an earlier call.
 */
final class StepReader {

    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,99}");

    private final YamlFile yaml;
    private final Map<String, SystemConfig> systems;
    private final Map<String, String> fields;
    /** Reads a step inside a branch case, as the flow reader reads any step. */
    private final Function<Node, Optional<Step>> nested;
    private final Set<String> callNames = new LinkedHashSet<>();

    StepReader(YamlFile yaml, Map<String, SystemConfig> systems, Map<String, String> fields,
               Function<Node, Optional<Step>> nested) {
        this.yaml = yaml;
        this.systems = systems;
        this.fields = fields;
        this.nested = nested;
    }

    /** {@code filter: { when: condition }}. */
    Optional<Step> filter(Node node, SourceLocation location) {
        Optional<Map<String, Node>> entries = yaml.mapping(node, "filter", YamlFile.keys("when"));
        if (entries.isEmpty()) {
            return Optional.empty();
        }
        Node when = entries.get().get("when");
        if (when == null) {
            yaml.error(node, "filter needs 'when': the condition the event must meet, like { when: stage \"closed-won\" }");
            return Optional.empty();
        }
        return condition(when, "filter.when").map(c -> new Step.Filter(c, text(when), location));
    }

    /** {@code branch: [ { when: ..., steps: [...] }, ..., { otherwise: [...] } ]}. */
    Optional<Step> branch(Node node, SourceLocation location) {
        if (!(node instanceof SequenceNode list) || list.getValue().isEmpty()) {
            yaml.error(node, "branch is a list of cases, like [ { when: amount > 1000, steps: [...] }, { otherwise: [...] } ]");
            return Optional.empty();
        }
        List<Step.Case> cases = new ArrayList<>();
        boolean ok = true;
        List<Node> items = list.getValue();
        for (int i = 0; i < items.size(); i++) {
            Node item = items.get(i);
            Optional<Map<String, Node>> entries = yaml.mapping(item, "a branch case", YamlFile.keys("when", "steps", "otherwise"));
            if (entries.isEmpty()) {
                ok = false;
                continue;
            }
            Map<String, Node> e = entries.get();
            SourceLocation at = new SourceLocation(yaml.file, YamlFile.line(item), YamlFile.column(item));
            if (e.containsKey("otherwise")) {
                if (e.size() != 1) {
                    yaml.error(item, "an otherwise case holds only its steps: { otherwise: [...] }");
                    ok = false;
                } else if (i != items.size() - 1) {
                    yaml.error(item, "otherwise must be the last case: the cases after it would never run");
                    ok = false;
                } else {
                    Optional<List<Step>> steps = steps(e.get("otherwise"), "otherwise");
                    ok &= steps.isPresent();
                    steps.ifPresent(s -> cases.add(new Step.Case(Optional.empty(), "otherwise", s, at)));
                }
                continue;
            }
            if (!e.containsKey("when") || !e.containsKey("steps")) {
                yaml.error(item, "a branch case needs 'when' and 'steps' (or is { otherwise: [...] })");
                ok = false;
                continue;
            }
            Optional<Condition> when = condition(e.get("when"), "branch.when");
            Optional<List<Step>> steps = steps(e.get("steps"), "branch.steps");
            if (when.isEmpty() || steps.isEmpty()) {
                ok = false;
                continue;
            }
            cases.add(new Step.Case(when, text(e.get("when")), steps.get(), at));
        }
        return ok ? Optional.of(new Step.Branch(cases, location)) : Optional.empty();
    }

    private Optional<List<Step>> steps(Node node, String what) {
        if (!(node instanceof SequenceNode list)) {
            yaml.error(node, what + " must be a list of steps, each starting with '- '");
            return Optional.empty();
        }
        List<Step> steps = new ArrayList<>();
        boolean ok = true;
        for (Node item : list.getValue()) {
            Optional<Step> step = nested.apply(item);
            if (step.isPresent() && (step.get() instanceof Step.Transform || step.get() instanceof Step.Rules)) {
                yaml.error(item, "a " + (step.get() instanceof Step.Transform ? "transform" : "rules")
                        + " step belongs at the top of the flow's steps, not inside a branch: every event needs it");
                ok = false;
            }
            ok &= step.isPresent();
            step.ifPresent(steps::add);
        }
        return ok ? Optional.of(steps) : Optional.empty();
    }

    /** {@code call: { system: erp, action: createOrder, input: {...}, as: order, retry: {...} }}. */
    Optional<Step> call(Node node, SourceLocation location) {
        Optional<Map<String, Node>> entries = yaml.mapping(node, "call", YamlFile.keys("system", "action", "input", "as", "retry"));
        if (entries.isEmpty()) {
            return Optional.empty();
        }
        Map<String, Node> e = entries.get();
        Optional<String> system = yaml.string(e, "system", node, "call");
        Optional<String> action = yaml.string(e, "action", node, "call");
        boolean ok = system.isPresent() && action.isPresent();
        if (system.isPresent() && !systems.containsKey(system.get())) {
            yaml.error(e.get("system"), "unknown system '" + system.get() + "' (steward.yaml declares: "
                    + String.join(", ", SettingsReader.names(systems)) + ")");
            ok = false;
        }
        if (action.isPresent() && action.get().isBlank()) {
            yaml.error(e.get("action"), "call.action names what to do: a statement of a jdbc system, or 'POST /orders' for http");
            ok = false;
        }
        Map<String, Object> input = Map.of();
        if (e.containsKey("input")) {
            Optional<Map<String, Object>> read = templates(e.get("input"), "call.input");
            ok &= read.isPresent();
            input = read.orElse(Map.of());
        }
        String name = "line" + location.line();
        if (e.containsKey("as")) {
            Optional<String> as = yaml.string(e.get("as"), "call.as");
            if (as.isPresent() && !NAME.matcher(as.get()).matches()) {
                yaml.error(e.get("as"), "call.as names the result for later steps (${steps.NAME.field}): letters, digits and _");
                ok = false;
            } else if (as.isPresent() && callNames.contains(as.get())) {
                yaml.error(e.get("as"), "another call of this flow is already named '" + as.get() + "'");
                ok = false;
            }
            ok &= as.isPresent();
            name = as.orElse(name);
        }
        callNames.add(name);
        RetrySettings retry = e.containsKey("retry") ? new DeliveryReader(yaml).retry(e.get("retry"), "call.retry") : RetrySettings.NONE;
        return ok ? Optional.of(new Step.Call(system.get(), action.get().strip(), input, name, location, retry)) : Optional.empty();
    }

    /**
     * A mapping whose values may hold {@code ${...}} references, as plain values; every
     * reference checked against the flow's fields and the calls before.
     */
    Optional<Map<String, Object>> templates(Node node, String what) {
        Map<String, Node> where = new LinkedHashMap<>();
        int before = errors();
        Object value = yaml.plain(node, "", where);
        if (!(value instanceof Map<?, ?> map)) {
            yaml.error(node, what + " must be a mapping of name: value");
            return Optional.empty();
        }
        where.forEach((path, at) -> {
            if (at instanceof ScalarNode scalar && scalar.getValue().contains("${")) {
                check(scalar);
            }
        });
        if (errors() > before) {
            return Optional.empty();
        }
        Map<String, Object> out = new LinkedHashMap<>();
        map.forEach((k, v) -> out.put(String.valueOf(k), v));
        return Optional.of(out);
    }

    private void check(ScalarNode scalar) {
        int line = YamlFile.line(scalar);
        int column = YamlFile.column(scalar) + (scalar.getScalarStyle() == DumperOptions.ScalarStyle.PLAIN ? 0 : 1);
        try {
            for (Template.Reference ref : Template.references(scalar.getValue())) {
                if (ref.root().equals("fields") && !fields.containsKey(ref.path().getFirst())) {
                    yaml.error(scalar, ref.text() + ": '" + ref.path().getFirst() + "' is not a field of this flow ("
                            + String.join(", ", fields.keySet()) + ")");
                } else if (ref.root().equals("steps") && !callNames.contains(ref.path().getFirst())) {
                    yaml.error(scalar, ref.text() + ": no call before this step is named '" + ref.path().getFirst() + "'"
                            + (callNames.isEmpty() ? "" : " (there is: " + String.join(", ", callNames) + ")"));
                } else if (ref.root().equals("steps") && ref.path().size() < 2) {
                    yaml.error(scalar, ref.text() + " is the whole result; name a field of it, like ${steps."
                            + ref.path().getFirst() + ".id}");
                }
            }
        } catch (UnparsableExpressionException ex) {
            yaml.diagnostics.add(Diagnostic.error(yaml.file, line, column + ex.column() - 1, ex.problem()));
        }
    }

    /**
     * A condition, parsed at its place in the file; each name it compares must be a field of the
     * flow or a path under {@code payload.}, {@code fields.} or {@code steps.}.
     */
    private Optional<Condition> condition(Node node, String what) {
        if (!(node instanceof ScalarNode scalar) || YamlFile.isNull(node) || scalar.getValue().isBlank()) {
            yaml.error(node, what + " is a condition, like stage \"closed-won\" and amount > 1000");
            return Optional.empty();
        }
        int line = YamlFile.line(node);
        int column = YamlFile.column(node);
        switch (scalar.getScalarStyle()) {
            case SINGLE_QUOTED, DOUBLE_QUOTED -> column++;
            case LITERAL, FOLDED -> {
                line++;
                column = indentation(line);
            }
            default -> {
            }
        }
        Condition condition;
        try {
            condition = Expressions.condition(scalar.getValue(), line, column);
        } catch (UnparsableExpressionException ex) {
            yaml.diagnostics.add(Diagnostic.error(yaml.file, ex.line(), ex.column(), ex.problem()));
            return Optional.empty();
        }
        boolean ok = true;
        for (String name : names(condition, new ArrayList<>())) {
            String root = name.contains(".") ? name.substring(0, name.indexOf('.')) : null;
            if (root == null && !fields.containsKey(name)) {
                yaml.error(node, "'" + name + "' is not a field of this flow (" + String.join(", ", fields.keySet())
                        + "); a value of the payload is payload." + name);
                ok = false;
            } else if (root != null && !List.of("payload", "fields", "steps").contains(root)) {
                yaml.error(node, "'" + name + "' names no value: write a field of the flow, or payload.path,"
                        + " fields.name or steps.name.path");
                ok = false;
            } else if ("fields".equals(root) && !fields.containsKey(name.substring(7))) {
                yaml.error(node, "'" + name + "': '" + name.substring(7) + "' is not a field of this flow");
                ok = false;
            } else if ("steps".equals(root) && !callNames.contains(name.split("\\.")[1])) {
                yaml.error(node, "'" + name + "': no call before this step has that name");
                ok = false;
            }
        }
        return ok ? Optional.of(condition) : Optional.empty();
    }

    private static List<String> names(Condition condition, List<String> out) {
        switch (condition) {
            case Condition.Test test -> out.add(test.name());
            case Condition.And and -> and.all().forEach(c -> names(c, out));
            case Condition.Or or -> or.any().forEach(c -> names(c, out));
            case Condition.Not not -> names(not.negated(), out);
        }
        return out;
    }

    private static String text(Node node) {
        return node instanceof ScalarNode scalar ? scalar.getValue().strip() : "";
    }

    private int indentation(int line) {
        String text = yaml.lineText(line);
        int i = 0;
        while (i < text.length() && text.charAt(i) == ' ') {
            i++;
        }
        return i + 1;
    }

    private int errors() {
        return (int) yaml.diagnostics.stream().filter(Diagnostic::isError).count();
    }
}
