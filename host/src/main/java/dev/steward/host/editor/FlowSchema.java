package dev.steward.host.editor;

import dev.steward.model.SignatureScheme;
import dev.steward.model.Workspace;
import dev.steward.plugin.SystemConfig;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * The JSON Schema of a flow file, for the editor's completion: the keys {@code FlowReader}
 * accepts at each level (FlowSchemaTest holds the two together by asking the loader which keys
 * it expects), with this workspace's systems, entities, rule files and transform languages as
 * the values to choose from. Validation stays the loader's: the editor shows its diagnostics.
 */
public final class FlowSchema {

    private FlowSchema() {
    }

    /** The schema for the flows of this workspace, naming no webhook format. */
    public static Map<String, Object> of(Workspace workspace) {
        return of(workspace, List.of());
    }

    /** The schema for the flows of this workspace, whose webhooks may name these formats. */
    public static Map<String, Object> of(Workspace workspace, java.util.Collection<String> formats) {
        List<String> systems = new ArrayList<>(workspace.systems().keySet());
        TreeSet<String> entities = new TreeSet<>();
        for (SystemConfig system : workspace.systems().values()) {
            entities.addAll(system.entities().keySet());
        }
        List<String> ruleFiles = ruleFiles(workspace.home());

        Map<String, Object> webhook = object("The webhook that starts the flow: POST /hooks/<path>.", List.of("path"),
                "path", string("The path after /hooks/, like crm/customer."),
                "format", withEnum(string("A vendor's webhook format, like hubspot: it verifies deliveries, splits batches"
                        + " into notifications and answers the vendor's way; not with signature."), List.copyOf(new TreeSet<>(formats))),
                "options", Map.of("type", "object", "description", "The format's own settings; ${env:NAME} is filled in."),
                "secret", string("The signing secret, usually ${env:NAME}; without it deliveries are unsigned."),
                "signature", withEnum(string("How deliveries are signed."), List.of(SignatureScheme.StandardWebhooks.NAME,
                        SignatureScheme.GitHub.NAME, SignatureScheme.None.NAME)),
                "deliveryId", string("The header that carries the delivery id, like webhook-id."));
        Map<String, Object> retry = object("How often and how long a failed write is retried.", List.of(),
                "maxAttempts", Map.of("type", "integer", "description", "Attempts in all, the first included."),
                "base", string("The first wait, like 1s."),
                "cap", string("The longest wait, like 5m."),
                "horizon", string("Give up after this long, like 24h."));
        Map<String, Object> sync = object("Write the accepted fields to these systems.", List.of("to"),
                "to", Map.of("type", "array", "description", "The systems to write to.", "items", withEnum(string("A system."), systems)),
                "enforce", Map.of("type", "boolean", "description", "Heal the source when it changes a field another system masters."),
                "fields", Map.of("type", "object", "description",
                        "Write these values instead of the accepted changes, like { erpOrderNo: \"${steps.order.id}\" }.",
                        "additionalProperties", string("A value; ${payload.x}, ${fields.x}, ${steps.name.x} and ${key} are filled in.")),
                "retry", retry);
        Map<String, Object> filter = object("Go on only when the condition holds; otherwise the event ends as filtered.", List.of("when"),
                "when", string("A condition, like stage = \"Closed Won\" and erpOrderNo is empty."));
        Map<String, Object> call = object("An action on a system through its connector, like creating an order.",
                List.of("system", "action"),
                "system", withEnum(string("The system to call."), systems),
                "action", string("http: METHOD /path; jdbc: the name of one of the system's statements."),
                "input", Map.of("type", "object", "description", "The action's input; values may use ${payload.x}, ${fields.x}, ${steps.name.x}, ${key}."),
                "as", string("A name for the result, used by later steps as ${steps.<name>.field}."),
                "retry", retry);
        Map<String, Object> step = object("One step: transform, filter, branch, rules, call or sync.", List.of(),
                "transform", object("A script that reshapes the record, like { js: transforms/normalize.js }.", List.of(),
                        "js", string("The script's path, under transforms/.")),
                "filter", filter,
                "branch", Map.of("type", "array", "description", "Cases in order: { when: …, steps: [...] }, and last { otherwise: [...] }.",
                        "items", object("A case of a branch.", List.of(),
                                "when", string("The case's condition."),
                                "steps", Map.of("type", "array", "description", "The steps of the case."),
                                "otherwise", Map.of("type", "array", "description", "The steps when no case holds."))),
                "rules", Map.of("type", "array", "description", "Rule files that decide each field: mastership, tables, DRL.",
                        "items", withEnum(string("A file of rules/."), ruleFiles)),
                "call", call,
                "sync", sync);
        Map<String, Object> poll = object("List the records a system changed, every so often.", List.of("system", "entity", "every"),
                "system", withEnum(string("The system to list."), systems),
                "entity", withEnum(string("The entity to list."), new ArrayList<>(entities)),
                "every", string("How often, like 30s or 5m."),
                "since", string("The field that says when a record changed (like changedAt), or cursor."));
        Map<String, Object> schedule = object("Start the flow on a schedule.", List.of("cron"),
                "cron", string("A crontab line, like 0 2 * * * (every day at 02:00)."),
                "zone", string("The time zone of the cron line, like Europe/Paris; UTC by default."));

        Map<String, Object> schema = object("A Steward flow: a trigger, a source record, and the steps that decide and write its fields.",
                List.of("id", "trigger", "source", "entity", "key", "fields", "steps"),
                "id", string("The flow's name, unique in the workspace."),
                "description", string("What the flow does, for people."),
                "trigger", object("What starts the flow: a webhook, a poll or a schedule.", List.of(), "webhook", webhook,
                        "poll", poll, "schedule", schedule),
                "source", withEnum(string("The system the record comes from."), systems),
                "entity", withEnum(string("The kind of record: an entity of steward.yaml's systems."), new ArrayList<>(entities)),
                "fetch", Map.of("type", "boolean", "description", "Read the full record from the source by its key before"
                        + " the rules run; fields then name the source's own fields (for thin notifications)."),
                "key", string("Where the record's key is in the payload, like id or item.sku."),
                "version", string("The flow's version, for people and traces."),
                "fields", Map.of("type", "object", "description", "Canonical field name: its path in the payload.",
                        "additionalProperties", string("A path in the payload.")),
                "steps", Map.of("type", "array", "description", "What happens to the record, in order.", "items", step),
                "retry", retry);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("$schema", "https://json-schema.org/draft/2020-12/schema");
        out.put("$id", "steward:flow");
        out.putAll(schema);
        return out;
    }

    private static List<String> ruleFiles(Path home) {
        Path rules = home.resolve("rules");
        if (!Files.isDirectory(rules)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(rules)) {
            return files.filter(Files::isRegularFile).map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".yaml") || n.endsWith(".yml") || n.endsWith(".drl")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Map<String, Object> string(String description) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("type", "string");
        out.put("description", description);
        return out;
    }

    private static Map<String, Object> withEnum(Map<String, Object> schema, List<String> values) {
        if (!values.isEmpty()) {
            schema.put("enum", List.copyOf(values));
        }
        return schema;
    }

    /** An object schema: description, required keys, then name/schema pairs; no other keys. */
    private static Map<String, Object> object(String description, List<String> required, Object... properties) {
        Map<String, Object> props = new LinkedHashMap<>();
        for (int i = 0; i < properties.length; i += 2) {
            props.put((String) properties[i], properties[i + 1]);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("type", "object");
        out.put("description", description);
        if (!required.isEmpty()) {
            out.put("required", required);
        }
        out.put("properties", props);
        out.put("additionalProperties", false);
        return out;
    }
}
