package dev.steward.load;

import dev.steward.model.Diagnostic;
import dev.steward.model.SourceLocation;
import dev.steward.run.Values;
import dev.steward.scenario.Scenario;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reads a rule scenario file ({@code rules/tests/*.yaml}): a flow, or an entity, a source and
 * rule files, then {@code scenarios}, each with a {@code name}, what Steward already
 * {@code known}s, a {@code payload} and what to {@code expect} per field. Problems are
 * diagnostics at their line and column, as for every other file.
 */
public final class ScenarioReader {

    static final Set<String> DECISIONS = Set.of("accept", "reject", "invalid", "suppress", "unchanged");

    /** The scenarios of one file, and the problems that kept others out. */
    public record ScenarioFile(String file, List<Scenario> scenarios, List<Diagnostic> diagnostics) {
        public ScenarioFile {
            scenarios = List.copyOf(scenarios);
            diagnostics = List.copyOf(diagnostics);
        }
    }

    private ScenarioReader() {
    }

    /** @param relative the file's name in messages ({@code rules/tests/customer.yaml}) */
    public static ScenarioFile read(Path file, String relative) {
        List<Diagnostic> diagnostics = new ArrayList<>();
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            diagnostics.add(Diagnostic.error(relative, 0, 0, "cannot read the file: " + e.getMessage()));
            return new ScenarioFile(relative, List.of(), diagnostics);
        }
        YamlFile yaml = new YamlFile(relative, diagnostics, name -> null);
        List<Scenario> scenarios = yaml.parse(text).map(node -> read(yaml, node)).orElse(List.of());
        return new ScenarioFile(relative, scenarios, diagnostics);
    }

    private static List<Scenario> read(YamlFile yaml, Node node) {
        Optional<Map<String, Node>> top = yaml.mapping(node, "a scenario file",
                YamlFile.keys("flow", "entity", "source", "rules", "scenarios"));
        if (top.isEmpty()) {
            return List.of();
        }
        Map<String, Node> e = top.get();
        Optional<String> flow = yaml.optionalString(e, "flow", "the file");
        String entity = "";
        String source = "";
        List<String> rules = List.of();
        if (flow.isEmpty()) {
            entity = yaml.string(e, "entity", node, "a scenario file without 'flow'").orElse("");
            source = yaml.string(e, "source", node, "a scenario file without 'flow'").orElse("");
            rules = e.containsKey("rules") ? yaml.strings(e.get("rules"), "rules").orElse(List.of()) : List.of();
            if (!e.containsKey("rules")) {
                yaml.error(node, "a scenario file without 'flow' needs 'rules', the rule files to decide with");
            }
        } else {
            for (String key : List.of("entity", "source", "rules")) {
                YamlFile.keyNode(node, key).ifPresent(k -> yaml.error(k, "'" + key + "' comes from the flow; leave it out"));
            }
        }
        if (!(e.get("scenarios") instanceof SequenceNode sequence) || sequence.getValue().isEmpty()) {
            yaml.error(e.getOrDefault("scenarios", node), "a scenario file needs 'scenarios', a list of scenarios");
            return List.of();
        }
        List<Scenario> scenarios = new ArrayList<>();
        for (Node item : sequence.getValue()) {
            scenario(yaml, item, flow, entity, source, rules).ifPresent(scenarios::add);
        }
        return scenarios;
    }

    private static Optional<Scenario> scenario(YamlFile yaml, Node item, Optional<String> flow, String entity,
                                               String source, List<String> rules) {
        int before = yaml.diagnostics.size();
        Optional<Map<String, Node>> entries = yaml.mapping(item, "a scenario",
                YamlFile.keys("name", "known", "payload", "expect"));
        if (entries.isEmpty()) {
            return Optional.empty();
        }
        Map<String, Node> e = entries.get();
        String name = yaml.string(e, "name", item, "a scenario").orElse("");
        Map<String, Object> known = new LinkedHashMap<>();
        if (e.containsKey("known") && !YamlFile.isNull(e.get("known"))) {
            if (yaml.plain(e.get("known"), "", new HashMap<>()) instanceof Map<?, ?> map) {
                map.forEach((k, v) -> known.put(String.valueOf(k), v));
            } else {
                yaml.error(e.get("known"), "known must be a mapping of field: value");
            }
        }
        Object payload = e.containsKey("payload") ? yaml.plain(e.get("payload"), "", new HashMap<>()) : null;
        if (!(payload instanceof Map<?, ?>)) {
            yaml.error(e.getOrDefault("payload", item), "a scenario needs 'payload', the incoming record as a mapping");
        }
        Map<String, Scenario.Expected> expect = new LinkedHashMap<>();
        if (!e.containsKey("expect")) {
            yaml.error(item, "a scenario needs 'expect', the decision per field");
        } else {
            yaml.mapping(e.get("expect"), "expect", null).ifPresent(fields -> fields.forEach((field, value) ->
                    expected(yaml, value).ifPresent(x -> expect.put(field, x))));
        }
        if (yaml.diagnostics.size() != before) {
            return Optional.empty();
        }
        return Optional.of(new Scenario(name, flow, entity, source, rules, known, Values.toNode(payload), expect,
                new SourceLocation(yaml.file, YamlFile.line(item), YamlFile.column(item))));
    }

    /** {@code accept}, or {@code { decision: reject, reason: …, by: … }}. */
    private static Optional<Scenario.Expected> expected(YamlFile yaml, Node node) {
        SourceLocation at = new SourceLocation(yaml.file, YamlFile.line(node), YamlFile.column(node));
        Optional<String> decision;
        Optional<String> reason = Optional.empty();
        Optional<String> by = Optional.empty();
        if (node instanceof ScalarNode) {
            decision = yaml.string(node, "the expected decision");
        } else {
            Optional<Map<String, Node>> e = yaml.mapping(node, "an expected decision", YamlFile.keys("decision", "reason", "by"));
            if (e.isEmpty()) {
                return Optional.empty();
            }
            decision = yaml.string(e.get(), "decision", node, "an expected decision");
            reason = yaml.optionalString(e.get(), "reason", "the expected decision");
            by = yaml.optionalString(e.get(), "by", "the expected decision");
        }
        if (decision.isPresent() && !DECISIONS.contains(decision.get())) {
            yaml.error(node, "a decision is accept, reject, invalid, suppress or unchanged, not '" + decision.get() + "'");
            return Optional.empty();
        }
        Optional<String> because = reason;
        Optional<String> decidedBy = by;
        return decision.map(d -> new Scenario.Expected(d, because, decidedBy, at));
    }
}
