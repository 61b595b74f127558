package dev.steward.load;

import dev.steward.model.MastershipRow;
import dev.steward.model.MastershipTable;
import dev.steward.model.SourceLocation;
import dev.steward.model.UnmasteredPolicy;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.SequenceNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads a mastership table: a list of items, each either a row ({@code entity}, {@code fields},
 * {@code master}, {@code subscribers}, {@code reason}) or an entity's policy for fields that no
 * row masters ({@code - { entity: deal, unmastered: accept }}).
 */
final class MastershipReader {

    private final YamlFile yaml;

    MastershipReader(YamlFile yaml) {
        this.yaml = yaml;
    }

    Optional<MastershipTable> read(Node node) {
        if (!(node instanceof SequenceNode sequence)) {
            yaml.error(node, "a mastership table is a list of items, each starting with '- entity:'");
            return Optional.empty();
        }
        int before = yaml.diagnostics.size();
        List<MastershipRow> rows = new ArrayList<>();
        List<UnmasteredPolicy> policies = new ArrayList<>();
        for (Node item : sequence.getValue()) {
            SourceLocation location = new SourceLocation(yaml.file, YamlFile.line(item), YamlFile.column(item));
            Optional<Map<String, Node>> entries = yaml.mapping(item, "a mastership item",
                    YamlFile.keys("entity", "fields", "master", "subscribers", "reason", "unmastered"));
            if (entries.isEmpty()) {
                continue;
            }
            Map<String, Node> e = entries.get();
            Optional<String> entity = yaml.string(e, "entity", item, "a mastership item");
            if (e.containsKey("unmastered")) {
                for (String key : List.of("fields", "master", "subscribers")) {
                    YamlFile.keyNode(item, key).ifPresent(k -> yaml.error(k,
                            "an 'unmastered' item only names its entity; put '" + key + "' in an item of its own"));
                }
                Optional<String> policy = yaml.string(e.get("unmastered"), "unmastered");
                if (policy.isPresent() && !policy.get().equals("accept") && !policy.get().equals("reject")) {
                    yaml.error(e.get("unmastered"), "unmastered must be 'accept' or 'reject', not '" + policy.get() + "'");
                } else if (policy.isPresent() && entity.isPresent()) {
                    policies.add(new UnmasteredPolicy(entity.get(), policy.get().equals("accept"), location));
                }
                continue;
            }
            String what = entity.map(n -> "the item for " + n).orElse("a mastership item");
            Optional<List<String>> fields = e.containsKey("fields") ? yaml.strings(e.get("fields"), "fields") : missing(item, what, "fields");
            Optional<String> master = yaml.string(e, "master", item, what);
            List<String> subscribers = e.containsKey("subscribers")
                    ? yaml.strings(e.get("subscribers"), "subscribers").orElse(List.of()) : List.of();
            String reason = yaml.optionalString(e, "reason", "the item").orElse("");
            if (fields.isPresent() && fields.get().isEmpty()) {
                yaml.error(e.get("fields"), what + " lists no fields");
            }
            if (entity.isPresent() && fields.isPresent() && master.isPresent()) {
                rows.add(new MastershipRow(entity.get(), fields.get(), master.get(), subscribers, reason, location));
            }
        }
        return yaml.diagnostics.size() == before
                ? Optional.of(new MastershipTable(yaml.file, rows, policies)) : Optional.empty();
    }

    private Optional<List<String>> missing(Node item, String what, String key) {
        yaml.error(item, what + " needs '" + key + "'");
        return Optional.empty();
    }
}
