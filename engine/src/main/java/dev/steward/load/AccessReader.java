package dev.steward.load;

import dev.steward.model.AccessSettings;
import org.yaml.snakeyaml.nodes.Node;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/** Reads {@code host.publicUrl}, {@code metrics:} and {@code access:} of {@code steward.yaml}. */
final class AccessReader {

    private final YamlFile yaml;

    AccessReader(YamlFile yaml) {
        this.yaml = yaml;
    }

    Optional<URI> publicUrl(Node node) {
        Optional<String> text = yaml.string(node, "host.publicUrl");
        if (text.isEmpty()) {
            return Optional.empty();
        }
        try {
            URI uri = new URI(text.get().trim());
            if (("http".equalsIgnoreCase(uri.getScheme()) || "https".equalsIgnoreCase(uri.getScheme())) && uri.getHost() != null) {
                return Optional.of(uri);
            }
        } catch (URISyntaxException e) {
            // answered below
        }
        yaml.error(node, "host.publicUrl must be an http or https URL with a host name, like https://steward.example.com, not '"
                + text.get() + "'");
        return Optional.empty();
    }

    boolean metricsPublic(Node node, boolean fallback) {
        Optional<Map<String, Node>> entries = yaml.mapping(node, "metrics", YamlFile.keys("public"));
        if (entries.isEmpty() || !entries.get().containsKey("public")) {
            return fallback;
        }
        Node flag = entries.get().get("public");
        Optional<String> text = yaml.string(flag, "metrics.public");
        if (text.isPresent() && !text.get().equals("true") && !text.get().equals("false")) {
            yaml.error(flag, "metrics.public must be true or false, not '" + text.get() + "'");
            return fallback;
        }
        return text.map("true"::equals).orElse(fallback);
    }

    AccessSettings access(Node node, AccessSettings access) {
        Optional<Map<String, Node>> entries = yaml.mapping(node, "access",
                YamlFile.keys("sessionIdle", "sessionMax", "maxFailures", "lockout"));
        if (entries.isEmpty()) {
            return access;
        }
        Map<String, Node> e = entries.get();
        Duration idle = duration(e, "sessionIdle", access.sessionIdle());
        Duration max = duration(e, "sessionMax", access.sessionMax());
        int failures = e.containsKey("maxFailures")
                ? yaml.integer(e.get("maxFailures"), "access.maxFailures", 1, 100).orElse(access.maxFailures()) : access.maxFailures();
        Duration lockout = duration(e, "lockout", access.lockout());
        return new AccessSettings(access.publicUrl(), access.metricsPublic(), idle, max, failures, lockout);
    }

    private Duration duration(Map<String, Node> entries, String key, Duration fallback) {
        Node node = entries.get(key);
        if (node == null) {
            return fallback;
        }
        return yaml.string(node, "access." + key).flatMap(text -> SettingsReader.duration(yaml, text, node))
                .filter(d -> {
                    if (d.isZero() || d.isNegative()) {
                        yaml.error(node, "access." + key + " must be longer than zero");
                        return false;
                    }
                    return true;
                }).orElse(fallback);
    }
}
