package dev.steward.load;

import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;

import java.util.Map;
import java.util.Optional;

/** Reads {@code rules:} of {@code steward.yaml}: {@code trustedDrl}. */
final class RulesReader {

    private final YamlFile yaml;

    RulesReader(YamlFile yaml) {
        this.yaml = yaml;
    }

    /**
     * {@code rules.trustedDrl}: whether the DRL files in the workspace's {@code rules/} folder
     * compile without the DRL policy (false unless set). When on, a warning on the setting says
     * so wherever diagnostics show: {@code steward validate} and the start of {@code steward serve}.
     *
     * @param top the whole of {@code steward.yaml}
     */
    boolean trustedDrl(Node top) {
        Node rules = entry(top, "rules");
        if (rules == null) {
            return false;
        }
        Optional<Map<String, Node>> entries = yaml.mapping(rules, "rules", YamlFile.keys("trustedDrl"));
        if (entries.isEmpty() || !entries.get().containsKey("trustedDrl")) {
            return false;
        }
        Node flag = entries.get().get("trustedDrl");
        Optional<String> text = yaml.string(flag, "rules.trustedDrl");
        if (text.isEmpty()) {
            return false;
        }
        if (!text.get().equals("true") && !text.get().equals("false")) {
            yaml.error(flag, "rules.trustedDrl must be true or false, not '" + text.get() + "'");
            return false;
        }
        if (text.get().equals("true")) {
            yaml.warning(flag, "rules.trustedDrl is on: the DRL files in rules/ compile without the DRL policy and"
                    + " may call any Java the host can (files, processes, System.exit); DRL sent through the API"
                    + " is still checked");
        }
        return text.get().equals("true");
    }

    private static Node entry(Node node, String key) {
        if (node instanceof MappingNode mapping) {
            for (NodeTuple tuple : mapping.getValue()) {
                if (tuple.getKeyNode() instanceof ScalarNode k && k.getValue().equals(key)) {
                    return tuple.getValueNode();
                }
            }
        }
        return null;
    }
}
