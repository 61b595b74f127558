package dev.steward.load;

import dev.steward.model.Diagnostic;
import dev.steward.plugin.ConnectorFactory;
import dev.steward.plugin.WebhookFormat;

import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * Third-party connectors dropped in a workspace's {@code connectors/} folder. A plugin is either
 * one jar, {@code connectors/NAME.jar} (its own dependencies shaded into it), or a folder,
 * {@code connectors/NAME/}, whose jars are the plugin and its dependencies side by side. Each plugin
 * gets a class loader of its own whose parent shows it only the JDK and the SPI
 * ({@code dev.steward.plugin}): not the engine, not the host's libraries, not another plugin.
 * Its connector factories and webhook formats are found by {@link ServiceLoader} in that loader.
 *
 * <p>Nothing here throws for a user's file: a jar that is not a jar, a factory that cannot be
 * loaded, or a connector type that a built-in or another plugin already has is a
 * {@link Diagnostic} on {@code connectors/NAME}, and the rest loads. Plugins load in name order,
 * so the first of two that clash wins.
 *
 * <p>Lifecycle: open when a workspace loads, close when the host stops (closing the class
 * loaders: connectors made from them must be closed first). Immutable once open.
 */
public final class PluginJars implements AutoCloseable {

    public static final String FOLDER = "connectors";

    private final Map<String, ConnectorFactory> factories;
    private final Map<String, WebhookFormat> formats;
    private final Map<String, String> origins;
    private final List<Diagnostic> diagnostics;
    private final List<URLClassLoader> loaders;

    private PluginJars(Map<String, ConnectorFactory> factories, Map<String, WebhookFormat> formats,
                       Map<String, String> origins, List<Diagnostic> diagnostics, List<URLClassLoader> loaders) {
        this.factories = factories;
        this.formats = formats;
        this.origins = origins;
        this.diagnostics = diagnostics;
        this.loaders = loaders;
    }

    /**
     * Loads the plugins of a workspace beside the built-in connectors.
     *
     * @param home     the workspace folder; a missing {@code connectors/} folder means no plugins
     * @param builtIns the connector factories of the host, by type
     * @param host     the class loader that holds the SPI the plugins compile against
     */
    public static PluginJars open(Path home, Map<String, ConnectorFactory> builtIns, ClassLoader host) {
        return open(home, builtIns, Map.of(), host);
    }

    /**
     * As {@link #open(Path, Map, ClassLoader)}, with the host's webhook formats by name: a
     * plugin's format of a name the host already has is not loaded.
     */
    public static PluginJars open(Path home, Map<String, ConnectorFactory> builtIns,
                                  Map<String, WebhookFormat> builtInFormats, ClassLoader host) {
        Map<String, ConnectorFactory> factories = new TreeMap<>(builtIns);
        Map<String, WebhookFormat> formats = new TreeMap<>(builtInFormats);
        Map<String, String> origins = new TreeMap<>();
        builtIns.keySet().forEach(type -> origins.put(type, "built in"));
        List<Diagnostic> diagnostics = new ArrayList<>();
        List<URLClassLoader> loaders = new ArrayList<>();
        Path folder = home.toAbsolutePath().normalize().resolve(FOLDER);
        if (Files.isDirectory(folder)) {
            ClassLoader spi = new SpiClassLoader(host);
            for (Path plugin : list(folder, diagnostics)) {
                load(plugin, spi, factories, origins, diagnostics).ifPresent(loader -> {
                    loaders.add(loader);
                    formats(plugin, loader, formats, diagnostics);
                });
            }
        }
        return new PluginJars(java.util.Collections.unmodifiableMap(factories),
                java.util.Collections.unmodifiableMap(formats), Map.copyOf(origins),
                List.copyOf(diagnostics), List.copyOf(loaders));
    }

    /** The webhook formats of a plugin that declares connectors, beside the host's. */
    private static void formats(Path plugin, ClassLoader loader, Map<String, WebhookFormat> formats,
                                List<Diagnostic> diagnostics) {
        String name = FOLDER + "/" + plugin.getFileName() + (Files.isDirectory(plugin) ? "/" : "");
        try {
            for (WebhookFormat format : ServiceLoader.load(WebhookFormat.class, loader)) {
                if (formats.putIfAbsent(format.name(), format) != null) {
                    diagnostics.add(Diagnostic.error(name, 0, 0, "webhook format '" + format.name() + "' of "
                            + format.getClass().getName() + " already exists; this one is not loaded"));
                }
            }
        } catch (ServiceConfigurationError | LinkageError | RuntimeException e) {
            diagnostics.add(Diagnostic.error(name, 0, 0, "cannot load its webhook formats: " + message(e)));
        }
    }

    /** The built-in factories and the plugins' ones, by connector type. */
    public Map<String, ConnectorFactory> factories() {
        return factories;
    }

    /** The host's webhook formats and the plugins' ones, by name. */
    public Map<String, WebhookFormat> formats() {
        return formats;
    }

    /** Where each connector type comes from: {@code built in} or {@code connectors/NAME.jar}. */
    public Map<String, String> origins() {
        return origins;
    }

    /** Problems with the plugins, to report with the workspace's own. */
    public List<Diagnostic> diagnostics() {
        return diagnostics;
    }

    private static java.util.Optional<URLClassLoader> load(Path plugin, ClassLoader spi, Map<String, ConnectorFactory> factories,
                                                           Map<String, String> origins, List<Diagnostic> diagnostics) {
        String name = FOLDER + "/" + plugin.getFileName() + (Files.isDirectory(plugin) ? "/" : "");
        List<Path> jars = Files.isDirectory(plugin) ? list(plugin, diagnostics).stream().filter(PluginJars::isJar).toList()
                : List.of(plugin);
        if (jars.isEmpty()) {
            diagnostics.add(warning(name, "holds no jar; a plugin folder holds the plugin's jar and its dependencies"));
            return java.util.Optional.empty();
        }
        List<URL> urls = new ArrayList<>();
        for (Path jar : jars) {
            try (JarFile ignored = new JarFile(jar.toFile())) {
                urls.add(jar.toUri().toURL());
            } catch (IOException e) {
                String file = jar.equals(plugin) ? name : name + jar.getFileName();
                diagnostics.add(Diagnostic.error(file, 0, 0, "is not a readable jar: " + message(e)));
                return java.util.Optional.empty();
            }
        }
        URLClassLoader loader = new URLClassLoader("plugin " + name, urls.toArray(URL[]::new), spi);
        int accepted = 0;
        try {
            for (ServiceLoader.Provider<ConnectorFactory> provider
                    : ServiceLoader.load(ConnectorFactory.class, loader).stream().toList()) {
                ConnectorFactory factory = provider.get();
                String type = factory.type();
                String other = origins.get(type);
                if (other != null) {
                    diagnostics.add(Diagnostic.error(name, 0, 0, "connector type '" + type + "' of "
                            + provider.type().getName() + " is already " + (other.equals("built in") ? "built in"
                            : "declared by " + other) + "; this one is not loaded"));
                    continue;
                }
                factories.put(type, factory);
                origins.put(type, name);
                accepted++;
            }
        } catch (ServiceConfigurationError | LinkageError | RuntimeException e) {
            diagnostics.add(Diagnostic.error(name, 0, 0, "cannot load its connectors: " + message(e)));
        }
        if (accepted == 0 && !declaresFormats(loader)) {
            if (diagnostics.stream().noneMatch(d -> d.file().equals(name))) {
                diagnostics.add(warning(name, "declares no connector (a plugin lists its ConnectorFactory classes in"
                        + " META-INF/services/dev.steward.plugin.ConnectorFactory)"));
            }
            close(loader);
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(loader);
    }

    private static boolean declaresFormats(ClassLoader loader) {
        try {
            return ServiceLoader.load(WebhookFormat.class, loader).stream().findAny().isPresent();
        } catch (ServiceConfigurationError | LinkageError e) {
            return true; // its formats' own error says what is wrong
        }
    }

    private static List<Path> list(Path folder, List<Diagnostic> diagnostics) {
        try (Stream<Path> files = Files.list(folder)) {
            return files.filter(file -> !file.getFileName().toString().startsWith("."))
                    .filter(file -> Files.isDirectory(file) || isJar(file))
                    .sorted(Comparator.comparing(Path::toString)).toList();
        } catch (IOException e) {
            diagnostics.add(Diagnostic.error(FOLDER + "/", 0, 0, "cannot list: " + e.getMessage()));
            return List.of();
        }
    }

    private static boolean isJar(Path file) {
        return Files.isRegularFile(file) && file.getFileName().toString().endsWith(".jar");
    }

    private static Diagnostic warning(String file, String message) {
        return new Diagnostic(file, 0, 0, Diagnostic.Severity.WARNING, message);
    }

    private static String message(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String text = e.getMessage() == null ? e.toString() : e.getMessage();
        return root == e ? text : text + " (" + root + ")";
    }

    private static void close(URLClassLoader loader) {
        try {
            loader.close();
        } catch (IOException e) {
            System.getLogger("dev.steward.load.PluginJars").log(System.Logger.Level.WARNING,
                    "closing " + loader.getName() + " failed", e);
        }
    }

    @Override
    public void close() {
        loaders.forEach(PluginJars::close);
    }

    /**
     * The parent of every plugin's class loader: the JDK's platform classes, and from the host
     * only the SPI package. Everything else of the host (the engine, Jackson, Drools...) and the
     * host's {@code META-INF/services} stay invisible, so a plugin cannot come to depend on them.
     */
    private static final class SpiClassLoader extends ClassLoader {

        private static final String SPI = "dev.steward.plugin.";

        static {
            registerAsParallelCapable();
        }

        private final ClassLoader host;

        SpiClassLoader(ClassLoader host) {
            super("steward-spi", ClassLoader.getPlatformClassLoader());
            this.host = host;
        }

        @Override
        protected Class<?> findClass(String name) throws ClassNotFoundException {
            if (name.startsWith(SPI) && name.indexOf('.', SPI.length()) < 0) {
                return host.loadClass(name);
            }
            throw new ClassNotFoundException(name + " (a plugin sees only the JDK and dev.steward.plugin)");
        }
    }
}
