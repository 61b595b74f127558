package dev.steward.load;

import dev.steward.model.Diagnostic;
import dev.steward.model.Workspace;
import dev.steward.plugin.ConnectorFactory;
import dev.steward.plugin.TransformFactory;
import dev.steward.plugin.WebhookFormat;
import dev.steward.rules.RuleSetCompiler;
import dev.steward.run.Connectors;
import dev.steward.run.PendingTransforms;
import dev.steward.run.Transforms;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Loads one workspace folder the way every command does: the connectors on the class path plus
 * the workspace's plugin jars, the transform languages on the class path, one rules compiler
 * (whose cache makes a reload cheap). Loads again as often as asked, with drafts laid over the
 * files; keeps the plugins' class loaders open until closed, after the connectors made from them.
 * Thread-safe once built.
 */
public final class HomeLoader implements AutoCloseable {

    private final Path home;
    private final PluginJars plugins;
    private final Map<String, ConnectorFactory> factories;
    private final Map<String, TransformFactory> transforms;
    private final Map<String, WebhookFormat> formats;
    private final RuleSetCompiler compiler;
    private final Function<String, String> env;
    private final String bind;

    private HomeLoader(Path home, PluginJars plugins, Map<String, ConnectorFactory> factories,
                       Map<String, WebhookFormat> formats, Map<String, TransformFactory> transforms,
                       RuleSetCompiler compiler, Function<String, String> env, String bind) {
        this.home = home.toAbsolutePath().normalize();
        this.plugins = plugins;
        this.factories = Map.copyOf(factories);
        this.formats = Map.copyOf(formats);
        this.transforms = Map.copyOf(transforms);
        this.compiler = compiler;
        this.env = env;
        this.bind = bind;
    }

    /**
     * Discovers what the workspace can use: the connectors and transform languages on this class
     * path, and the workspace's {@code plugins/} jars.
     *
     * @param bind where the host listens instead of {@code host.bind} ({@code serve --bind}), or null
     */
    public static HomeLoader open(Path home, Function<String, String> env, String bind) {
        ClassLoader classes = HomeLoader.class.getClassLoader();
        PluginJars plugins = PluginJars.open(home, Connectors.discover(classes), WebhookFormats.discover(classes), classes);
        return new HomeLoader(home, plugins, plugins.factories(), plugins.formats(), Transforms.discover(classes),
                RuleSetCompiler.cachedUnder(home.toAbsolutePath().normalize().resolve("data").resolve("cache").resolve("drl")),
                env, bind);
    }

    /** A loader with the given factories and no plugin jars (for an engine built from parts, in tests). */
    public static HomeLoader of(Path home, Map<String, ConnectorFactory> factories,
                                Map<String, TransformFactory> transforms, RuleSetCompiler compiler,
                                Function<String, String> env) {
        return new HomeLoader(home, null, factories, WebhookFormats.discover(HomeLoader.class.getClassLoader()),
                transforms, compiler, env, null);
    }

    public Path home() {
        return home;
    }

    /** The files as they are. */
    public Workspace load() {
        return load(Map.of());
    }

    /** The files with these unsaved texts (by workspace-relative path) in place of theirs. */
    public Workspace load(Map<String, String> drafts) {
        if (runsScripts(drafts)) {
            transforms.values().forEach(TransformFactory::prepare);
        }
        List<Diagnostic> earlier = plugins == null ? List.of() : plugins.diagnostics();
        return loader().withDrafts(drafts).load(home, earlier, bind);
    }

    /**
     * The files as they are, with only the flow of this id (see {@link WorkspaceLoader#withOnlyFlow}):
     * for a command that runs that flow alone. The script engine starts only if that flow's
     * transforms need it.
     */
    public Workspace loadOnly(String flowId) {
        List<Diagnostic> earlier = plugins == null ? List.of() : plugins.diagnostics();
        return loader().withOnlyFlow(flowId).load(home, earlier, bind);
    }

    /**
     * The files as they are, each transform's compile queued in {@code pending} rather than waited
     * for ({@code steward serve}: the script engine's start is then off the path to listening).
     * Seals {@code pending}: the loaded workspace's flows are valid as far as everything but
     * their scripts goes, until {@link PendingTransforms#failures()} says otherwise.
     */
    public Workspace load(PendingTransforms pending) {
        // held (steward serve): the transforms compile once the host listens, but a js connector's
        // script compiles when the connectors open, before that, so its engine is started now
        if (pending.isHeld() ? connectsByScript() : runsScripts(Map.of())) {
            transforms.values().forEach(TransformFactory::prepare);
        }
        List<Diagnostic> earlier = plugins == null ? List.of() : plugins.diagnostics();
        try {
            return loader().withPendingTransforms(pending).load(home, earlier, bind);
        } finally {
            pending.seal();
        }
    }

    /** A transform step or a js connector in steward.yaml or a flow, found by a look at the text. */
    private static final Pattern SCRIPTS = Pattern.compile("(?m)^\\s*(-\\s*)?transform\\s*:|connector\\s*:\\s*js\\b");

    /** A js connector, in steward.yaml. */
    private static final Pattern SCRIPT_CONNECTOR = Pattern.compile("connector\\s*:\\s*js\\b");

    /** Whether steward.yaml declares a system with a js connector (a hint, as {@link #runsScripts}). */
    private boolean connectsByScript() {
        Path settings = home.resolve("steward.yaml");
        try {
            return Files.isRegularFile(settings) && SCRIPT_CONNECTOR.matcher(Files.readString(settings)).find();
        } catch (IOException | UncheckedIOException e) {
            return false;
        }
    }

    /**
     * Whether the workspace runs scripts, so that a language engine is worth starting before the
     * files are read. Only a hint: a wrong guess costs time, not correctness (the compile makes
     * the engine when it needs one).
     */
    private boolean runsScripts(Map<String, String> drafts) {
        if (drafts.values().stream().anyMatch(text -> SCRIPTS.matcher(text).find())) {
            return true;
        }
        try (Stream<Path> files = Files.isDirectory(home.resolve("flows")) ? Files.list(home.resolve("flows")) : Stream.empty()) {
            return Stream.concat(Stream.of(home.resolve("steward.yaml")), files)
                    .filter(Files::isRegularFile)
                    .anyMatch(file -> {
                        try {
                            return SCRIPTS.matcher(Files.readString(file)).find();
                        } catch (IOException | UncheckedIOException e) {
                            return false;
                        }
                    });
        } catch (IOException e) {
            return false;
        }
    }

    /** Problems in a scenario file ({@code rules/tests/}): whether it is well-formed YAML. */
    public List<Diagnostic> checkYaml(String relative, String text) {
        return loader().checkYaml(relative, text);
    }

    private WorkspaceLoader loader() {
        return new WorkspaceLoader(factories, transforms, compiler, env).withFormats(formats);
    }

    /** The connector factories by type: built in and from the plugin jars. */
    public Map<String, ConnectorFactory> factories() {
        return factories;
    }

    /** The webhook formats by name: on the class path and from the plugin jars. */
    public Map<String, WebhookFormat> formats() {
        return formats;
    }

    public Map<String, TransformFactory> transforms() {
        return transforms;
    }

    public RuleSetCompiler compiler() {
        return compiler;
    }

    @Override
    public void close() {
        if (plugins != null) {
            plugins.close();
        }
    }
}
