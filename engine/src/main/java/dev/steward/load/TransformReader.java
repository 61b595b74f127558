package dev.steward.load;

import dev.steward.model.Diagnostic;
import dev.steward.model.SourceLocation;
import dev.steward.model.Step;
import dev.steward.plugin.ScriptRejectedException;
import dev.steward.plugin.Transform;
import dev.steward.plugin.TransformFactory;
import dev.steward.run.PendingTransforms;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Reads a flow's {@code transform} step, {@code { js: transforms/x.js }} or {@code { js: | ... }},
 * and compiles its script once, so that a script that does not compile is a diagnostic at its
 * own line: in the script file, or in the flow file for an inline script. The compiled transform
 * is closed at once; the active workspace compiles its own. With {@link PendingTransforms} (the
 * start of {@code steward serve}) the compile is queued on a background thread instead, its
 * failure reported later with the same diagnostics, and the transform it makes is the one that runs.
 */
final class TransformReader {

    /** One word with an extension and no spaces is a file; anything else is the script itself. */
    private static final Pattern FILE = Pattern.compile("[\\w./-]+\\.[A-Za-z0-9]+");
    private static final int MAX_SCRIPT_CHARS = 256 * 1024;

    private final Path root;
    private final Map<String, TransformFactory> factories;
    private final Map<String, String> drafts;
    /** Where compiles are queued instead of run at once; null to compile at once. */
    private final PendingTransforms pending;

    TransformReader(Path root, Map<String, TransformFactory> factories) {
        this(root, factories, Map.of(), null);
    }

    /**
     * @param drafts  unsaved scripts by workspace-relative path, read in place of the files
     * @param pending where to queue the compiles, or null to compile each script as it is read
     */
    TransformReader(Path root, Map<String, TransformFactory> factories, Map<String, String> drafts,
                    PendingTransforms pending) {
        this.root = root;
        this.factories = factories;
        this.drafts = drafts;
        this.pending = pending;
    }

    Optional<Step.Transform> read(YamlFile yaml, Node node, SourceLocation location) {
        Optional<Map<String, Node>> entries = yaml.mapping(node, "transform", null);
        if (entries.isEmpty()) {
            return Optional.empty();
        }
        if (entries.get().size() != 1) {
            yaml.error(node, "transform names one language and its script, like { js: transforms/normalize.js }");
            return Optional.empty();
        }
        String language = entries.get().keySet().iterator().next();
        Node scriptNode = entries.get().get(language);
        TransformFactory factory = factories.get(language);
        if (factory == null) {
            yaml.error(YamlFile.keyNode(node, language).orElse(node), "no transform language '" + language + "' ("
                    + (factories.isEmpty() ? "none is installed" : "there is: " + String.join(", ", new TreeSet<>(factories.keySet())))
                    + ")");
            return Optional.empty();
        }
        if (!(scriptNode instanceof ScalarNode scalar) || YamlFile.isNull(scriptNode) || scalar.getValue().isBlank()) {
            yaml.error(scriptNode, "transform." + language + " is a script file in the workspace (transforms/x.js) or the script itself");
            return Optional.empty();
        }
        String value = scalar.getValue();
        return FILE.matcher(value.strip()).matches()
                ? fromFile(yaml, scalar, factory, language, value.strip(), location)
                : inline(yaml, scalar, factory, language, location);
    }

    private Optional<Step.Transform> fromFile(YamlFile yaml, ScalarNode node, TransformFactory factory, String language,
                                              String path, SourceLocation location) {
        Path file = root.resolve(path).normalize();
        if (!file.startsWith(root)) {
            yaml.error(node, "the script " + path + " is outside the workspace");
            return Optional.empty();
        }
        String relative = root.relativize(file).toString().replace('\\', '/');
        String text;
        try {
            if (drafts.containsKey(relative)) {
                text = drafts.get(relative);
                if (text.length() > MAX_SCRIPT_CHARS) {
                    yaml.error(node, "the script " + relative + " is larger than " + MAX_SCRIPT_CHARS / 1024 + " KiB");
                    return Optional.empty();
                }
            } else if (!Files.isRegularFile(file)) {
                yaml.error(node, "no script file " + relative + " in the workspace");
                return Optional.empty();
            } else if (Files.size(file) > MAX_SCRIPT_CHARS) {
                yaml.error(node, "the script " + relative + " is larger than " + MAX_SCRIPT_CHARS / 1024 + " KiB");
                return Optional.empty();
            } else {
                text = Files.readString(file, StandardCharsets.UTF_8);
            }
        } catch (IOException e) {
            yaml.error(node, "cannot read the script " + relative + ": " + e.getMessage());
            return Optional.empty();
        }
        Step.Transform step = new Step.Transform(language, relative, text, location);
        if (pending != null) {
            pending.submit(step, () -> factory.compile(relative, text), e -> fileFailure(yaml, node, relative, e));
            return Optional.of(step);
        }
        try (Transform ignored = factory.compile(relative, text)) {
            return Optional.of(step);
        } catch (RuntimeException e) {
            yaml.diagnostics.addAll(fileFailure(yaml, node, relative, e));
        }
        return Optional.empty();
    }

    /** The diagnostics of a script file that did not compile: at its own line, and at the flow's reference to it. */
    private static List<Diagnostic> fileFailure(YamlFile yaml, ScalarNode node, String relative, RuntimeException e) {
        List<Diagnostic> found = new ArrayList<>();
        if (e instanceof ScriptRejectedException rejected) {
            found.add(Diagnostic.error(relative, rejected.line(), rejected.column(), rejected.reason()));
            found.add(Diagnostic.error(yaml.file, YamlFile.line(node), YamlFile.column(node),
                    yaml.redacted("the transform " + relative + " does not compile: " + e.getMessage())));
        } else {
            found.add(Diagnostic.error(yaml.file, YamlFile.line(node), YamlFile.column(node),
                    yaml.redacted("the transform " + relative + " cannot be compiled: " + e.getMessage())));
        }
        return found;
    }

    /**
     * An inline script is compiled under the flow file's name, after blank lines that put its
     * first line on its line in the flow file, so that compile errors and run-time failures name
     * the flow file's lines. Columns are shifted by the block's indentation here.
     */
    private Optional<Step.Transform> inline(YamlFile yaml, ScalarNode node, TransformFactory factory, String language,
                                            SourceLocation location) {
        int startLine = YamlFile.line(node);
        boolean block = node.getScalarStyle() == DumperOptions.ScalarStyle.LITERAL
                || node.getScalarStyle() == DumperOptions.ScalarStyle.FOLDED;
        int firstLine = block ? startLine + 1 : startLine;
        int columnShift = block ? indentation(yaml, firstLine)
                : node.getStartMark().getColumn() + (node.getScalarStyle() == DumperOptions.ScalarStyle.PLAIN ? 0 : 1);
        String source = "\n".repeat(firstLine - 1) + node.getValue();
        Step.Transform step = new Step.Transform(language, yaml.file, source, location);
        Function<RuntimeException, List<Diagnostic>> failure = e -> {
            if (e instanceof ScriptRejectedException rejected) {
                int line = rejected.line() > 0 ? rejected.line() : location.line();
                int column = rejected.line() > 0 && rejected.column() > 0 && (block || rejected.line() == firstLine)
                        ? rejected.column() + columnShift : rejected.column();
                return List.of(Diagnostic.error(yaml.file, line, column, "the transform does not compile: " + rejected.reason()));
            }
            return List.of(Diagnostic.error(yaml.file, YamlFile.line(node), YamlFile.column(node),
                    yaml.redacted("the transform cannot be compiled: " + e.getMessage())));
        };
        if (pending != null) {
            pending.submit(step, () -> factory.compile(yaml.file, source), failure);
            return Optional.of(step);
        }
        try (Transform ignored = factory.compile(yaml.file, source)) {
            return Optional.of(step);
        } catch (RuntimeException e) {
            yaml.diagnostics.addAll(failure.apply(e));
        }
        return Optional.empty();
    }

    /** The indentation of a block scalar's content: that of its first non-blank line. */
    private static int indentation(YamlFile yaml, int fromLine) {
        for (int line = fromLine; line < fromLine + 1000; line++) {
            String text = yaml.lineText(line);
            if (!text.isBlank()) {
                return text.length() - text.stripLeading().length();
            }
        }
        return 0;
    }
}
