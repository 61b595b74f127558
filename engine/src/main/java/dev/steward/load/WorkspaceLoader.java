package dev.steward.load;

import dev.steward.model.DecisionTable;
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
import dev.steward.plugin.WebhookFormat;
import dev.steward.run.Transforms;
import dev.steward.rules.DecisionTableCheck;
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
 * Turns a workspace folder into a {@link Workspace}: {@code steward.yaml}, {@code rules/*.yaml}
 * (mastership tables), {@code rules/*.table.yaml} (decision tables), {@code rules/*.drl} and
 * {@code flows/*.yaml}. Never throws for a problem in a user's file:
 * every problem becomes a {@link Diagnostic} with file, line and column, and a flow with an
 * error is set aside in {@link Workspace#brokenFlows()} while the others load.
 */
public final class WorkspaceLoader {

    public static final String CONFIG_FILE = "steward.yaml";

    private final Map<String, ConnectorFactory> connectors;
    private final Map<String, TransformFactory> transforms;
    private final RuleSetCompiler compiler;
    private final Function<String, String> env;
    /** Unsaved texts by workspace-relative path, read in place of the files (see {@link #withDrafts}). */
    private final Map<String, String> drafts;
    /** The webhook formats flows may name, by name. */
    private final Map<String, WebhookFormat> formats;
    /** Where transform compiles are queued instead of run at once (see {@link #withPendingTransforms}); null for none. */
    private final dev.steward.run.PendingTransforms pending;
    /** The id of the only flow to load (see {@link #withOnlyFlow}); null for all. */
    private final String onlyFlow;

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
        this.drafts = Map.of();
        this.formats = WebhookFormats.discover(WorkspaceLoader.class.getClassLoader());
        this.pending = null;
        this.onlyFlow = null;
    }

    private WorkspaceLoader(WorkspaceLoader base, Map<String, String> drafts, Map<String, WebhookFormat> formats,
                            dev.steward.run.PendingTransforms pending) {
        this(base, drafts, formats, pending, base.onlyFlow);
    }

    private WorkspaceLoader(WorkspaceLoader base, Map<String, String> drafts, Map<String, WebhookFormat> formats,
                            dev.steward.run.PendingTransforms pending, String onlyFlow) {
        this.connectors = base.connectors;
        this.transforms = base.transforms;
        this.compiler = base.compiler;
        this.env = base.env;
        this.drafts = Map.copyOf(drafts);
        this.formats = Map.copyOf(formats);
        this.pending = pending;
        this.onlyFlow = onlyFlow;
    }

    /**
     * A loader that reads only the flow with this id (a flow file whose {@code id} is another is
     * left out, neither loaded nor broken) and checks no DRL file beyond that flow's: for a
     * command that runs one flow ({@code steward batch}), whose start-up then compiles only that
     * flow's rules. The other flows' cross-checks (two flows on one webhook path) are not made.
     */
    public WorkspaceLoader withOnlyFlow(String flowId) {
        return new WorkspaceLoader(this, drafts, formats, pending, flowId);
    }

    /** A loader whose flows may name these webhook formats (by name) instead of those on its class path. */
    public WorkspaceLoader withFormats(Map<String, WebhookFormat> formats) {
        return new WorkspaceLoader(this, drafts, formats, pending);
    }

    /**
     * A loader that queues each transform's compile in {@code pending} instead of compiling it
     * as it reads it: flows with transforms load as valid, and a script that does not compile is
     * found when its compile ends ({@link dev.steward.run.PendingTransforms#failures()}).
     */
    public WorkspaceLoader withPendingTransforms(dev.steward.run.PendingTransforms pending) {
        return new WorkspaceLoader(this, drafts, formats, pending);
    }

    /**
     * A loader that reads these texts in place of the files at these workspace-relative paths
     * ({@code flows/a.yaml}), and sees them even where no file is yet: to check an edit before
     * it is saved. Nothing is written.
     */
    public WorkspaceLoader withDrafts(Map<String, String> drafts) {
        return new WorkspaceLoader(this, drafts, formats, pending);
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
        if (!Files.isRegularFile(configFile) && !drafts.containsKey(CONFIG_FILE)) {
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
        Map<String, DecisionTable> decisionTables = new TreeMap<>();
        // Only files read from this disk may be trusted: never a draft (text from the API), and not
        // while steward.yaml itself is a draft. A draft that passed the policy and was saved is the
        // same text when it is later read from disk, so trusting it then lifts nothing.
        boolean trusted = trustedDrl && !drafts.containsKey(CONFIG_FILE);
        for (Path file : list(root.resolve("rules"), diagnostics)) {
            String name = file.getFileName().toString();
            String relative = "rules/" + name;
            if (DecisionTableReader.isTable(name)) {
                // A table with an error (a cell that does not parse, rows that conflict) is not
                // registered: the flows that name it are set aside, the others run.
                List<Diagnostic> own = new ArrayList<>();
                YamlFile yaml = new YamlFile(relative, own, env);
                Optional<DecisionTable> table = read(file, relative, own).flatMap(yaml::parse)
                        .flatMap(node -> new DecisionTableReader(yaml).read(node));
                table.ifPresent(t -> own.addAll(DecisionTableCheck.check(t, systems.keySet())));
                diagnostics.addAll(own);
                if (table.isPresent() && own.stream().noneMatch(Diagnostic::isError)) {
                    decisionTables.put(name, table.get());
                }
            } else if (name.endsWith(".yaml") || name.endsWith(".yml")) {
                YamlFile yaml = new YamlFile(relative, diagnostics, env);
                read(file, relative, diagnostics).flatMap(yaml::parse)
                        .flatMap(node -> new MastershipReader(yaml).read(node))
                        .ifPresent(table -> mastership.put(name, table));
            } else if (name.endsWith(".drl")) {
                read(file, relative, diagnostics).ifPresent(text -> drl.put(name, new DrlSource(relative, text, trusted && !drafts.containsKey(relative))));
            }
        }
        diagnostics.addAll(MastershipCheck.check(mastership.values(), systems.keySet()));
        // Every DRL file compiles on its own too, so that a file no flow uses yet is checked as well.
        if (onlyFlow == null) {
            drl.values().forEach(source -> diagnostics.addAll(compiler.compile(List.of(), List.of(source)).diagnostics()));
        }

        Map<String, Flow> flows = new LinkedHashMap<>();
        Map<String, List<Diagnostic>> broken = new LinkedHashMap<>();
        FlowReader flowReader = new FlowReader(systems, mastership, decisionTables, drl, compiler,
                new TransformReader(root, transforms, drafts, pending), host.hooksPublic(), (system, entity) ->
                connectors.containsKey(system.type()) && connectors.get(system.type()).lists(system, entity), formats);
        for (Path file : list(root.resolve("flows"), diagnostics)) {
            String name = file.getFileName().toString();
            if (!name.endsWith(".yaml") && !name.endsWith(".yml")) {
                continue;
            }
            String relative = "flows/" + name;
            List<Diagnostic> own = new ArrayList<>();
            YamlFile yaml = new YamlFile(relative, own, env);
            Optional<org.yaml.snakeyaml.nodes.Node> parsed = read(file, relative, own).flatMap(yaml::parse);
            if (onlyFlow != null && parsed.isPresent() && !onlyFlow.equals(flowId(parsed.get()))) {
                continue;
            }
            Optional<Flow> flow = parsed.flatMap(node -> flowReader.read(yaml, node, flows.values()));
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
        return new Workspace(root, host, Map.copyOf(systems), flows, broken, mastership, drl, distinct, decisionTables);
    }

    /** The {@code id} a flow file's text gives, before it is read; null when it gives none plainly. */
    private static String flowId(org.yaml.snakeyaml.nodes.Node flow) {
        if (flow instanceof org.yaml.snakeyaml.nodes.MappingNode mapping) {
            for (org.yaml.snakeyaml.nodes.NodeTuple entry : mapping.getValue()) {
                if (entry.getKeyNode() instanceof org.yaml.snakeyaml.nodes.ScalarNode key && key.getValue().equals("id")) {
                    return entry.getValueNode() instanceof org.yaml.snakeyaml.nodes.ScalarNode value ? value.getValue() : null;
                }
            }
        }
        return null;
    }

    static HostSettings defaultHost(Path root) {
        return new HostSettings(HostSettings.DEFAULT_BIND, 8080, HostSettings.DEFAULT_MAX_BODY, HostSettings.DEFAULT_WORKERS, StoreSettings.embedded(root),
                dev.steward.model.LoopGuard.DEFAULT);
    }

    private Optional<String> read(Path file, String relative, List<Diagnostic> diagnostics) {
        if (drafts.containsKey(relative)) {
            return checkedSize(drafts.get(relative), relative, diagnostics);
        }
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

    private static Optional<String> checkedSize(String text, String relative, List<Diagnostic> diagnostics) {
        if (text.length() > YamlFile.MAX_CHARS) {
            diagnostics.add(Diagnostic.error(relative, 0, 0, "the file is larger than " + YamlFile.MAX_CHARS / 1024 + " KiB"));
            return Optional.empty();
        }
        return Optional.of(text);
    }

    /** The files directly in a folder, with the drafts that would be there, sorted by name. */
    private List<Path> list(Path folder, List<Diagnostic> diagnostics) {
        java.util.TreeSet<Path> found = new java.util.TreeSet<>(Comparator.comparing(Path::toString));
        Path root = folder.getParent();
        drafts.keySet().stream().map(root::resolve).map(Path::normalize)
                .filter(draft -> folder.equals(draft.getParent())).forEach(found::add);
        if (!Files.isDirectory(folder)) {
            return List.copyOf(found);
        }
        try (Stream<Path> files = Files.list(folder)) {
            files.filter(Files::isRegularFile).forEach(found::add);
        } catch (IOException e) {
            diagnostics.add(Diagnostic.error(folder.getFileName() + "/", 0, 0, "cannot list: " + e.getMessage()));
        }
        return List.copyOf(found);
    }

    /**
     * Checks that a scenario file of {@code rules/tests/} is well-formed YAML; its scenarios run
     * with {@code steward test}, not here.
     */
    public List<Diagnostic> checkYaml(String relative, String text) {
        List<Diagnostic> diagnostics = new ArrayList<>();
        checkedSize(text, relative, diagnostics).ifPresent(t -> new YamlFile(relative, diagnostics, env).parse(t));
        return diagnostics;
    }

}
