package dev.steward.load;

import dev.steward.model.Diagnostic;
import dev.steward.model.DrlSource;
import dev.steward.model.Flow;
import dev.steward.model.HostSettings;
import dev.steward.model.MastershipTable;
import dev.steward.model.StoreSettings;
import dev.steward.model.Workspace;
import dev.steward.plugin.ConnectorFactory;
import dev.steward.plugin.SystemConfig;
import dev.steward.plugin.TransformFactory;
import dev.steward.run.Transforms;
import dev.steward.rules.MastershipCheck;
import dev.steward.rules.RuleSetCompiler;
import org.yaml.snakeyaml.nodes.Node;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * Turns a workspace folder into a {@link Workspace}: {@code steward.yaml}, {@code rules/*.yaml},
 * {@code rules/*.drl} and {@code flows/*.yaml}. Never throws for a problem in a user's file:
 * every problem becomes a {@link Diagnostic} with file, line and column, and a flow with an
 * error is set aside in {@link Workspace#brokenFlows()} while the others load.
 */
public final class WorkspaceLoader {

    public static final String CONFIG_FILE = "steward.yaml";

    private final Map<String, ConnectorFactory> connectors;
    private final Map<String, TransformFactory> transforms;
    private final RuleSetCompiler compiler;
    private final Function<String, String> env;

    /**
     * @param connectors the connector factories by type (built in, and from the workspace's plugin jars)
     * @param transforms the transform factories by language ({@code js})
     */
    public WorkspaceLoader(Map<String, ConnectorFactory> connectors, Map<String, TransformFactory> transforms,
                           RuleSetCompiler compiler, Function<String, String> env) {
        this.connectors = Map.copyOf(connectors);
        this.transforms = Map.copyOf(transforms);
        this.compiler = compiler;
        this.env = env;
    }

    /** A loader with the transform factories found on this class's class path. */
    public WorkspaceLoader(Map<String, ConnectorFactory> connectors, RuleSetCompiler compiler,
                           Function<String, String> env) {
        this(connectors, Transforms.discover(WorkspaceLoader.class.getClassLoader()), compiler, env);
    }

    public Workspace load(Path home) {
        return load(home, List.of());
    }

    /**
     * Loads a workspace, reporting first the problems already found in it (those of its plugin
     * jars, see {@link PluginJars}).
     */
    public Workspace load(Path home, List<Diagnostic> earlier) {
        return load(home, earlier, null);
    }

    /**
     * As {@link #load(Path, List)}, listening on {@code bind} rather than {@code host.bind} when
     * it is not null ({@code steward serve --bind}): where the host listens decides which flows
     * may take unsigned webhooks.
     */
    public Workspace load(Path home, List<Diagnostic> earlier, String bind) {
        Path root = home.toAbsolutePath().normalize();
        List<Diagnostic> diagnostics = new ArrayList<>(earlier);

        HostSettings host = defaultHost(root);
        boolean trustedDrl = false;
        Map<String, SystemConfig> systems = new LinkedHashMap<>();
        Path configFile = root.resolve(CONFIG_FILE);
        if (!Files.isRegularFile(configFile)) {
            diagnostics.add(Diagnostic.error(CONFIG_FILE, 0, 0, "not found in " + root
                    + ": a workspace needs a steward.yaml that declares its systems"));
        } else {
            YamlFile yaml = new YamlFile(CONFIG_FILE, diagnostics, env);
            Optional<Node> node = read(configFile, CONFIG_FILE, diagnostics).flatMap(yaml::parse);
            if (node.isPresent()) {
                SettingsReader reader = new SettingsReader(yaml, root, connectors);
                host = reader.read(node.get(), host, systems);
                trustedDrl = new RulesReader(yaml).trustedDrl(node.get());
            }
        }
        if (bind != null) {
            host = host.withBind(bind);
        }

        Map<String, MastershipTable> mastership = new TreeMap<>();
        Map<String, DrlSource> drl = new TreeMap<>();
        // Only files read from this disk may be trusted; DRL from anywhere else is a DrlSource of its own.
        boolean trusted = trustedDrl;
        for (Path file : list(root.resolve("rules"), diagnostics)) {
            String name = file.getFileName().toString();
            String relative = "rules/" + name;
            if (name.endsWith(".yaml") || name.endsWith(".yml")) {
                YamlFile yaml = new YamlFile(relative, diagnostics, env);
                read(file, relative, diagnostics).flatMap(yaml::parse)
                        .flatMap(node -> new MastershipReader(yaml).read(node))
                        .ifPresent(table -> mastership.put(name, table));
            } else if (name.endsWith(".drl")) {
                read(file, relative, diagnostics).ifPresent(text -> drl.put(name, new DrlSource(relative, text, trusted)));
            }
        }
        diagnostics.addAll(MastershipCheck.check(mastership.values(), systems.keySet()));
        // Every DRL file compiles on its own too, so that a file no flow uses yet is checked as well.
        drl.values().forEach(source -> diagnostics.addAll(compiler.compile(List.of(), List.of(source)).diagnostics()));

        Map<String, Flow> flows = new LinkedHashMap<>();
        Map<String, List<Diagnostic>> broken = new LinkedHashMap<>();
        FlowReader flowReader = new FlowReader(systems, mastership, drl, compiler,
                new TransformReader(root, transforms), host.hooksPublic());
        for (Path file : list(root.resolve("flows"), diagnostics)) {
            String name = file.getFileName().toString();
            if (!name.endsWith(".yaml") && !name.endsWith(".yml")) {
                continue;
            }
            String relative = "flows/" + name;
            List<Diagnostic> own = new ArrayList<>();
            YamlFile yaml = new YamlFile(relative, own, env);
            Optional<Flow> flow = read(file, relative, own).flatMap(yaml::parse)
                    .flatMap(node -> flowReader.read(yaml, node, flows.values()));
            diagnostics.addAll(own);
            if (flow.isPresent() && own.stream().noneMatch(Diagnostic::isError)) {
                flows.put(flow.get().id(), flow.get());
            } else {
                broken.put(relative, List.copyOf(own));
            }
        }
        diagnostics.addAll(flowReader.ruleDiagnostics);
        // Problems of a shared file (a DRL error, two masters) are reported once, however many flows use it.
        List<Diagnostic> distinct = List.copyOf(new java.util.LinkedHashSet<>(diagnostics));
        return new Workspace(root, host, Map.copyOf(systems), flows, broken, mastership, drl, distinct);
    }

    static HostSettings defaultHost(Path root) {
        return new HostSettings(HostSettings.DEFAULT_BIND, 8080, HostSettings.DEFAULT_MAX_BODY, 4, StoreSettings.embedded(root),
                dev.steward.model.LoopGuard.DEFAULT);
    }

    private static Optional<String> read(Path file, String relative, List<Diagnostic> diagnostics) {
        try {
            if (Files.size(file) > YamlFile.MAX_CHARS) {
                diagnostics.add(Diagnostic.error(relative, 0, 0, "the file is larger than "
                        + YamlFile.MAX_CHARS / 1024 + " KiB"));
                return Optional.empty();
            }
            return Optional.of(Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException e) {
            diagnostics.add(Diagnostic.error(relative, 0, 0, "cannot read the file: " + e.getMessage()));
            return Optional.empty();
        }
    }

    private static List<Path> list(Path folder, List<Diagnostic> diagnostics) {
        if (!Files.isDirectory(folder)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(folder)) {
            return files.filter(Files::isRegularFile).sorted(Comparator.comparing(Path::toString)).toList();
        } catch (IOException e) {
            diagnostics.add(Diagnostic.error(folder.getFileName() + "/", 0, 0, "cannot list: " + e.getMessage()));
            return List.of();
        }
    }

}
