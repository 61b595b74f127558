package dev.steward.load;

import dev.steward.model.Diagnostic;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.composer.Composer;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;
import org.yaml.snakeyaml.parser.ParserImpl;
import org.yaml.snakeyaml.reader.StreamReader;
import org.yaml.snakeyaml.resolver.Resolver;

import java.io.StringReader;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One YAML file being loaded: its node tree with line and column marks, and the diagnostics
 * found so far. Every accessor reports a problem at the node it is about and returns empty,
 * so that loading goes on and a user sees every problem of a file at once.
 */
final class YamlFile {

    private static final Pattern ENV = Pattern.compile("\\$\\{env:([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?}");
    static final int MAX_CHARS = 1024 * 1024;

    final String file;
    final List<Diagnostic> diagnostics;
    private final Function<String, String> env;
    /**
     * Each value read from the environment, with the reference it came from: a message about a
     * setting shows {@code ${env:NAME}}, never the value (which may be a secret).
     */
    private final Map<String, String> fromEnv = new java.util.TreeMap<>(
            java.util.Comparator.comparingInt(String::length).reversed().thenComparing(java.util.Comparator.naturalOrder()));
    /** The parsed text's lines, for what a mark alone does not say (a block scalar's indentation). */
    private List<String> lines = List.of();

    YamlFile(String file, List<Diagnostic> diagnostics, Function<String, String> env) {
        this.file = file;
        this.diagnostics = diagnostics;
        this.env = env;
    }

    /** Parses one YAML document; empty (with a diagnostic) if it is not well-formed. */
    Optional<Node> parse(String text) {
        lines = text.lines().toList();
        LoaderOptions options = new LoaderOptions();
        options.setMaxAliasesForCollections(20);
        options.setNestingDepthLimit(40);
        options.setCodePointLimit(MAX_CHARS);
        options.setAllowRecursiveKeys(false);
        try {
            Composer composer = new Composer(new ParserImpl(new StreamReader(new StringReader(text)), options),
                    new Resolver(), options);
            Node node = composer.getSingleNode();
            if (node == null) {
                diagnostics.add(Diagnostic.error(file, 1, 1, "the file is empty"));
            }
            return Optional.ofNullable(node);
        } catch (MarkedYAMLException e) {
            Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
            String problem = e.getProblem() != null ? e.getProblem() : e.getMessage();
            String context = e.getContext() != null ? e.getContext() + ": " : "";
            diagnostics.add(Diagnostic.error(file, mark == null ? 0 : mark.getLine() + 1,
                    mark == null ? 0 : mark.getColumn() + 1, "bad YAML: " + context + problem
                            + unquotedReferenceHint(mark, context)));
        } catch (YAMLException e) {
            diagnostics.add(Diagnostic.error(file, 0, 0, "bad YAML: " + e.getMessage()));
        }
        return Optional.empty();
    }

    /**
     * YAML reads the braces of an unquoted {@code ${env:NAME}} inside {@code { }} or {@code [ ]}
     * as a nested mapping; when that is what broke the line, say how to write it.
     */
    private String unquotedReferenceHint(Mark mark, String context) {
        if (mark == null || !context.contains("flow") || mark.getLine() >= lines.size()
                || !lines.get(mark.getLine()).contains("${")) {
            return "";
        }
        return " (inside { } or [ ], write a ${...} reference in quotes: \"${env:NAME}\")";
    }

    void error(Node node, String message) {
        diagnostics.add(Diagnostic.error(file, line(node), column(node), redacted(message)));
    }

    void warning(Node node, String message) {
        diagnostics.add(new Diagnostic(file, line(node), column(node), Diagnostic.Severity.WARNING, redacted(message)));
    }

    /**
     * The message with every value this file read from the environment put back as its
     * {@code ${env:NAME}} reference: always where the message quotes it, and anywhere, in any
     * case, when it is 4 characters or longer (a shorter one would also hit ordinary numbers).
     */
    String redacted(String message) {
        String out = message;
        for (Map.Entry<String, String> value : fromEnv.entrySet()) {
            out = out.replace("'" + value.getKey() + "'", "'" + value.getValue() + "'");
            if (value.getKey().length() >= 4) {
                // case-insensitively: a message may upper-case what it quotes (H2 parameter names)
                out = Pattern.compile(Pattern.quote(value.getKey()), Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE)
                        .matcher(out).replaceAll(Matcher.quoteReplacement(value.getValue()));
            }
        }
        return out;
    }

    /** A line of the parsed text (1-based), or empty past its end. */
    String lineText(int line) {
        return line >= 1 && line <= lines.size() ? lines.get(line - 1) : "";
    }

    static int line(Node node) {
        return node == null ? 0 : node.getStartMark().getLine() + 1;
    }

    static int column(Node node) {
        return node == null ? 0 : node.getStartMark().getColumn() + 1;
    }

    /**
     * The entries of a mapping by key, in order; reports a node that is not a mapping, duplicate
     * keys, and keys outside {@code allowed} (unless allowed is null: any key).
     */
    Optional<Map<String, Node>> mapping(Node node, String what, Set<String> allowed) {
        if (!(node instanceof MappingNode mapping)) {
            error(node, what + " must be a mapping of key: value");
            return Optional.empty();
        }
        Map<String, Node> entries = new LinkedHashMap<>();
        for (NodeTuple tuple : mapping.getValue()) {
            if (!(tuple.getKeyNode() instanceof ScalarNode keyNode)) {
                error(tuple.getKeyNode(), what + " has a key that is not a plain name");
                continue;
            }
            String key = keyNode.getValue();
            if (entries.containsKey(key)) {
                error(keyNode, what + " has '" + key + "' twice");
            } else if (allowed != null && !allowed.contains(key)) {
                error(keyNode, "unknown key '" + key + "' in " + what + " (expected one of: "
                        + String.join(", ", allowed) + ")");
            } else {
                entries.put(key, tuple.getValueNode());
            }
        }
        return Optional.of(entries);
    }

    /** The key node of an entry, for messages about the key itself. */
    static Optional<Node> keyNode(Node mapping, String key) {
        if (mapping instanceof MappingNode m) {
            for (NodeTuple tuple : m.getValue()) {
                if (tuple.getKeyNode() instanceof ScalarNode k && k.getValue().equals(key)) {
                    return Optional.of(k);
                }
            }
        }
        return Optional.empty();
    }

    /** A required scalar, with {@code ${env:NAME}} references resolved. */
    Optional<String> string(Map<String, Node> entries, String key, Node parent, String what) {
        Node node = entries.get(key);
        if (node == null) {
            error(parent, what + " needs '" + key + "'");
            return Optional.empty();
        }
        return string(node, what + "." + key);
    }

    Optional<String> optionalString(Map<String, Node> entries, String key, String what) {
        Node node = entries.get(key);
        return node == null || isNull(node) ? Optional.empty() : string(node, what + "." + key);
    }

    Optional<String> string(Node node, String what) {
        if (!(node instanceof ScalarNode scalar) || isNull(node)) {
            error(node, what + " must be a single value");
            return Optional.empty();
        }
        return resolveEnv(scalar);
    }

    /** A list of names, given as {@code [a, b]}, as a block list, or as one name. */
    Optional<List<String>> strings(Node node, String what) {
        if (node instanceof ScalarNode scalar && !isNull(node)) {
            return resolveEnv(scalar).map(List::of);
        }
        if (!(node instanceof SequenceNode sequence)) {
            error(node, what + " must be a list, like [a, b]");
            return Optional.empty();
        }
        List<String> out = new ArrayList<>();
        boolean ok = true;
        for (Node item : sequence.getValue()) {
            Optional<String> value = string(item, what + " item");
            ok &= value.isPresent();
            value.ifPresent(out::add);
        }
        return ok ? Optional.of(out) : Optional.empty();
    }

    Optional<Integer> integer(Node node, String what, int min, int max) {
        Optional<String> text = string(node, what);
        if (text.isEmpty()) {
            return Optional.empty();
        }
        try {
            int value = Integer.parseInt(text.get().trim());
            if (value >= min && value <= max) {
                return Optional.of(value);
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        error(node, what + " must be a whole number from " + min + " to " + max + ", not '" + text.get() + "'");
        return Optional.empty();
    }

    /**
     * The plain Java value of a node (maps, lists, strings, numbers, booleans, null), recording
     * where each dotted path starts so that a connector's problem can point at its line.
     */
    Object plain(Node node, String path, Map<String, Node> where) {
        where.put(path, node);
        if (node instanceof MappingNode) {
            Map<String, Object> out = new LinkedHashMap<>();
            mapping(node, path.isEmpty() ? "the block" : "'" + path + "'", null).ifPresent(entries ->
                    entries.forEach((k, v) -> out.put(k, plain(v, path.isEmpty() ? k : path + "." + k, where))));
            return out;
        }
        if (node instanceof SequenceNode sequence) {
            List<Object> out = new ArrayList<>();
            for (int i = 0; i < sequence.getValue().size(); i++) {
                out.add(plain(sequence.getValue().get(i), path + "." + i, where));
            }
            return out;
        }
        ScalarNode scalar = (ScalarNode) node;
        Tag tag = scalar.getTag();
        String value = scalar.getValue();
        if (Tag.NULL.equals(tag)) {
            return null;
        }
        if (Tag.BOOL.equals(tag)) {
            return Boolean.parseBoolean(value.toLowerCase(java.util.Locale.ROOT));
        }
        if (Tag.INT.equals(tag)) {
            try {
                BigInteger big = new BigInteger(value.replace("_", ""));
                return big.bitLength() < 64 ? (Object) big.longValue() : big;
            } catch (NumberFormatException e) {
                return value;
            }
        }
        if (Tag.FLOAT.equals(tag)) {
            try {
                return new BigDecimal(value.replace("_", ""));
            } catch (NumberFormatException e) {
                return value;
            }
        }
        return resolveEnv(scalar).orElse(value);
    }

    /** An ordered key set, so that "expected one of" lists keys as the docs do. */
    static Set<String> keys(String... names) {
        return new java.util.LinkedHashSet<>(List.of(names));
    }

    static boolean isNull(Node node) {
        return node instanceof ScalarNode s && Tag.NULL.equals(s.getTag());
    }

    private Optional<String> resolveEnv(ScalarNode scalar) {
        String value = scalar.getValue();
        if (!value.contains("${")) {
            return Optional.of(value);
        }
        Matcher matcher = ENV.matcher(value);
        StringBuilder out = new StringBuilder();
        boolean ok = true;
        while (matcher.find()) {
            String resolved = env.apply(matcher.group(1));
            if (resolved != null && !resolved.isEmpty()) {
                fromEnv.put(resolved, matcher.group());
            }
            if (resolved == null) {
                resolved = matcher.group(2);
            }
            if (resolved == null) {
                error(scalar, "environment variable " + matcher.group(1) + " is not set (write ${env:"
                        + matcher.group(1) + ":-default} to give a default)");
                ok = false;
                resolved = "";
            }
            matcher.appendReplacement(out, Matcher.quoteReplacement(resolved));
        }
        matcher.appendTail(out);
        if (ok && !out.toString().equals(value) && !out.isEmpty()) {
            fromEnv.putIfAbsent(out.toString(), value);
        }
        return ok ? Optional.of(out.toString()) : Optional.empty();
    }
}
