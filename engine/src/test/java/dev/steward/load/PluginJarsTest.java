package dev.steward.load;

import dev.steward.load.plugin.JdbcLookalikeFactory;
import dev.steward.load.plugin.MemoryConnectorFactory;
import dev.steward.model.Diagnostic;
import dev.steward.plugin.ConnectorFactory;
import dev.steward.plugin.EntityConfig;
import dev.steward.plugin.SystemConfig;
import dev.steward.run.Connectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Plugin jars in a workspace's {@code connectors/} folder, built here from test classes that use
 * only the SPI, as a third party's would. Each loads in a class loader of its own that sees the
 * SPI and the JDK only; every problem is a diagnostic on the plugin, never an exception.
 */
class PluginJarsTest {

    private static final Map<String, ConnectorFactory> BUILT_IN = Connectors.discover(PluginJarsTest.class.getClassLoader());

    @TempDir
    Path home;

    @Test
    void aPluginJarAddsItsConnectorLoadedInItsOwnClassLoader() throws IOException {
        jar(home.resolve("connectors/memory.jar"), MemoryConnectorFactory.class);

        try (PluginJars plugins = PluginJars.open(home, BUILT_IN, getClass().getClassLoader())) {
            assertThat(plugins.diagnostics()).isEmpty();
            assertThat(plugins.factories()).containsKeys("memory", "http", "jdbc");
            assertThat(plugins.origins()).containsEntry("memory", "connectors/memory.jar").containsEntry("jdbc", "built in");
            ConnectorFactory factory = plugins.factories().get("memory");
            assertThat(factory.getClass()).as("not the test class path's copy").isNotSameAs(MemoryConnectorFactory.class);
            assertThat(factory.getClass().getClassLoader().getName()).isEqualTo("plugin connectors/memory.jar");

            var connector = factory.create(new SystemConfig("m", "memory", Map.of(), Map.of()), null);
            EntityConfig customer = new EntityConfig("customer", Map.of(), Map.of("email", "email"));
            connector.upsert(customer, "C-1", Map.of("email", "a@b.example"), null);
            assertThat(connector.read(customer, "C-1")).contains(Map.of("email", "a@b.example"));
        }
    }

    @Test
    void aPluginFolderHoldsThePluginAndItsDependenciesInOneClassLoader() throws IOException {
        jar(home.resolve("connectors/memory/memory-connector.jar"), MemoryConnectorFactory.class);
        Files.writeString(home.resolve("connectors/memory/README.txt"), "not a jar, ignored");

        try (PluginJars plugins = PluginJars.open(home, BUILT_IN, getClass().getClassLoader())) {
            assertThat(plugins.diagnostics()).isEmpty();
            assertThat(plugins.origins()).containsEntry("memory", "connectors/memory/");
        }
    }

    @Test
    void aPluginCannotReachTheHostsClasses() throws IOException {
        // a service file that names a class of the host: visible on the class path, not to a plugin
        Path jar = home.resolve("connectors/sneaky.jar");
        Files.createDirectories(jar.getParent());
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            out.putNextEntry(new JarEntry("META-INF/services/dev.steward.plugin.ConnectorFactory"));
            out.write("dev.steward.connector.jdbc.JdbcConnectorFactory\n".getBytes(StandardCharsets.UTF_8));
        }

        try (PluginJars plugins = PluginJars.open(home, BUILT_IN, getClass().getClassLoader())) {
            assertThat(plugins.diagnostics()).singleElement().satisfies(d -> {
                assertThat(d.file()).isEqualTo("connectors/sneaky.jar");
                assertThat(d.isError()).isTrue();
                assertThat(d.message()).startsWith("cannot load its connectors").contains("JdbcConnectorFactory");
            });
            assertThat(plugins.factories()).isEqualTo(BUILT_IN);
        }
    }

    @Test
    void aTypeThatIsBuiltInOrAlreadyTakenIsADiagnostic() throws IOException {
        jar(home.resolve("connectors/a-memory.jar"), MemoryConnectorFactory.class);
        jar(home.resolve("connectors/b-memory-again.jar"), MemoryConnectorFactory.class);
        jar(home.resolve("connectors/c-jdbc.jar"), JdbcLookalikeFactory.class);

        try (PluginJars plugins = PluginJars.open(home, BUILT_IN, getClass().getClassLoader())) {
            assertThat(plugins.diagnostics()).extracting(Diagnostic::toString).containsExactly(
                    "connectors/b-memory-again.jar: error: connector type 'memory' of " + MemoryConnectorFactory.class.getName()
                            + " is already declared by connectors/a-memory.jar; this one is not loaded",
                    "connectors/c-jdbc.jar: error: connector type 'jdbc' of " + JdbcLookalikeFactory.class.getName()
                            + " is already built in; this one is not loaded");
            assertThat(plugins.factories().get("jdbc")).isSameAs(BUILT_IN.get("jdbc"));
            assertThat(plugins.origins()).containsEntry("memory", "connectors/a-memory.jar");
        }
    }

    @Test
    void aBrokenJarOrAnEmptyPluginIsADiagnosticAndTheRestLoads() throws IOException {
        Files.createDirectories(home.resolve("connectors/empty"));
        Files.writeString(home.resolve("connectors/broken.jar"), "this is not a zip file");
        jar(home.resolve("connectors/memory.jar"), MemoryConnectorFactory.class);
        jar(home.resolve("connectors/nothing.jar"));

        try (PluginJars plugins = PluginJars.open(home, BUILT_IN, getClass().getClassLoader())) {
            assertThat(plugins.diagnostics()).extracting(Diagnostic::file, Diagnostic::severity).containsExactly(
                    org.assertj.core.groups.Tuple.tuple("connectors/broken.jar", Diagnostic.Severity.ERROR),
                    org.assertj.core.groups.Tuple.tuple("connectors/empty/", Diagnostic.Severity.WARNING),
                    org.assertj.core.groups.Tuple.tuple("connectors/nothing.jar", Diagnostic.Severity.WARNING));
            assertThat(plugins.diagnostics().getFirst().message()).startsWith("is not a readable jar");
            assertThat(plugins.factories()).containsKey("memory");
        }
    }

    @Test
    void aWorkspaceWithoutAPluginsFolderHasTheBuiltInsOnly() {
        try (PluginJars plugins = PluginJars.open(home, BUILT_IN, getClass().getClassLoader())) {
            assertThat(plugins.factories()).isEqualTo(BUILT_IN);
            assertThat(plugins.diagnostics()).isEmpty();
        }
    }

    /** A jar of compiled test classes, each listed as a ConnectorFactory service. */
    private static void jar(Path jar, Class<?>... factories) throws IOException {
        Files.createDirectories(jar.getParent());
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            StringBuilder services = new StringBuilder();
            for (Class<?> factory : factories) {
                String resource = factory.getName().replace('.', '/') + ".class";
                List<String> classes = new java.util.ArrayList<>(List.of(resource));
                // anonymous and nested classes of the factory travel with it
                for (int i = 1; i < 10; i++) {
                    String nested = factory.getName().replace('.', '/') + "$" + i + ".class";
                    if (factory.getClassLoader().getResource(nested) != null) {
                        classes.add(nested);
                    }
                }
                for (String name : classes) {
                    out.putNextEntry(new JarEntry(name));
                    try (InputStream in = factory.getClassLoader().getResourceAsStream(name)) {
                        in.transferTo(out);
                    }
                }
                services.append(factory.getName()).append('\n');
            }
            if (!services.isEmpty()) {
                out.putNextEntry(new JarEntry("META-INF/services/dev.steward.plugin.ConnectorFactory"));
                out.write(services.toString().getBytes(StandardCharsets.UTF_8));
            }
        }
    }
}
