package dev.steward.load;

import dev.steward.model.SignatureScheme;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * Reads {@code trigger.webhook.signature}: a scheme's name ({@code github}), or a mapping that
 * describes a generic HMAC header.
 */
final class SignatureReader {

    /** The schemes a flow can name, by name. */
    private static final Map<String, Supplier<SignatureScheme>> NAMED = Map.of(
            SignatureScheme.StandardWebhooks.NAME, SignatureScheme.StandardWebhooks::new,
            SignatureScheme.GitHub.NAME, SignatureScheme.GitHub::new,
            SignatureScheme.None.NAME, SignatureScheme.None::new);
    private static final Set<String> ALGORITHMS = Set.of("sha256", "sha1", "sha512");
    private static final Pattern HEADER = Pattern.compile("[A-Za-z0-9-]{1,100}");
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{[^}]*}");

    private SignatureReader() {
    }

    static Optional<SignatureScheme> read(YamlFile yaml, Node node) {
        if (!(node instanceof MappingNode)) {
            return yaml.string(node, "trigger.webhook.signature").flatMap(name -> {
                Supplier<SignatureScheme> scheme = NAMED.get(name.trim().toLowerCase(Locale.ROOT));
                if (scheme == null) {
                    yaml.error(node, "unknown signature scheme '" + name + "' (expected one of: "
                            + String.join(", ", new java.util.TreeSet<>(NAMED.keySet()))
                            + ", or a mapping like { header: X-Signature, algorithm: sha256, encoding: hex })");
                    return Optional.empty();
                }
                return Optional.of(scheme.get());
            });
        }
        String what = "trigger.webhook.signature";
        Optional<Map<String, Node>> found = yaml.mapping(node, what,
                YamlFile.keys("header", "algorithm", "encoding", "prefix", "timestamp", "signed"));
        if (found.isEmpty()) {
            return Optional.empty();
        }
        Map<String, Node> e = found.get();
        int errors = errors(yaml);
        Optional<String> header = yaml.string(e, "header", node, what);
        header.filter(h -> !HEADER.matcher(h).matches()).ifPresent(h ->
                yaml.error(e.get("header"), "signature header '" + h + "' is not a header name"));
        String algorithm = yaml.optionalString(e, "algorithm", what).orElse("sha256").trim().toLowerCase(Locale.ROOT);
        if (!ALGORITHMS.contains(algorithm)) {
            yaml.error(e.get("algorithm"), "signature algorithm '" + algorithm + "' is not one of sha256, sha1, sha512");
        }
        String encodingName = yaml.optionalString(e, "encoding", what).orElse("hex").trim().toLowerCase(Locale.ROOT);
        SignatureScheme.Encoding encoding = switch (encodingName) {
            case "hex" -> SignatureScheme.Encoding.HEX;
            case "base64" -> SignatureScheme.Encoding.BASE64;
            default -> {
                yaml.error(e.get("encoding"), "signature encoding '" + encodingName + "' is not one of hex, base64");
                yield null;
            }
        };
        String prefix = yaml.optionalString(e, "prefix", what).orElse("");
        Optional<String> timestamp = yaml.optionalString(e, "timestamp", what);
        timestamp.filter(h -> !HEADER.matcher(h).matches()).ifPresent(h ->
                yaml.error(e.get("timestamp"), "signature timestamp header '" + h + "' is not a header name"));
        String signed = yaml.optionalString(e, "signed", what).orElse(timestamp.isPresent()
                ? SignatureScheme.Hmac.TIMESTAMP + "." + SignatureScheme.Hmac.BODY : SignatureScheme.Hmac.BODY);
        checkTemplate(yaml, e.get("signed"), signed, timestamp.isPresent());
        if (errors(yaml) > errors || header.isEmpty() || encoding == null) {
            return Optional.empty();
        }
        return Optional.of(new SignatureScheme.Hmac(header.get(), algorithm, encoding, prefix, timestamp, signed));
    }

    private static void checkTemplate(YamlFile yaml, Node node, String signed, boolean hasTimestamp) {
        if (!signed.contains(SignatureScheme.Hmac.BODY) || signed.indexOf(SignatureScheme.Hmac.BODY)
                != signed.lastIndexOf(SignatureScheme.Hmac.BODY)) {
            yaml.error(node, "signature.signed must hold {body} once, like \"{timestamp}.{body}\"");
            return;
        }
        var placeholders = PLACEHOLDER.matcher(signed);
        while (placeholders.find()) {
            String placeholder = placeholders.group();
            if (placeholder.equals(SignatureScheme.Hmac.TIMESTAMP) && !hasTimestamp) {
                yaml.error(node, "signature.signed uses {timestamp} but the signature names no 'timestamp' header");
            } else if (!placeholder.equals(SignatureScheme.Hmac.TIMESTAMP) && !placeholder.equals(SignatureScheme.Hmac.BODY)) {
                yaml.error(node, "signature.signed may use {timestamp} and {body}, not " + placeholder);
            }
        }
    }

    private static int errors(YamlFile yaml) {
        return (int) yaml.diagnostics.stream().filter(dev.steward.model.Diagnostic::isError).count();
    }
}
