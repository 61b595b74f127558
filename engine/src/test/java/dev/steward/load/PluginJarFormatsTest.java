package dev.steward.load;

import dev.steward.load.plugin.NoteFormat;
import dev.steward.plugin.WebhookFormat;
import dev.steward.plugin.WebhookRequest;
import dev.steward.plugin.WebhookSettings;
import dev.steward.run.Connectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;

import static org.assertj.core.api.Assertions.assertThat;

/** Webhook formats from plugin jars: loaded in the plugin's class loader beside the host's, a clash refused. */
class PluginJarFormatsTest {

    @TempDir
    Path home;

    @Test
    void aJarWithOnlyAFormatIsLoadedInItsOwnClassLoader() throws IOException {
        jar(home.resolve("connectors/note.jar"));

        try (PluginJars plugins = PluginJars.open(home, Connectors.discover(getClass().getClassLoader()), Map.of(),
                getClass().getClassLoader())) {
            assertThat(plugins.diagnostics()).isEmpty();
            WebhookFormat format = plugins.formats().get("note");
            assertThat(format).isNotNull();
            assertThat(format.getClass()).as("not the test class path's copy").isNotSameAs(NoteFormat.class);
            assertThat(format.getClass().getClassLoader().getName()).isEqualTo("plugin connectors/note.jar");
            var delivery = format.read(new WebhookRequest("POST", "http://x/hooks/n", Map.of(),
                    "hi".getBytes(StandardCharsets.UTF_8), Instant.EPOCH), new WebhookSettings(Optional.empty(), Map.of()));
            assertThat(delivery.notifications()).singleElement().satisfies(n -> assertThat(n.payload()).containsEntry("text", "hi"));
        }
    }

    @Test
    void aFormatOfANameTheHostHasIsRefusedWithADiagnostic() throws IOException {
        jar(home.resolve("connectors/note.jar"));

        try (PluginJars plugins = PluginJars.open(home, Connectors.discover(getClass().getClassLoader()),
                Map.of("note", new NoteFormat()), getClass().getClassLoader())) {
            assertThat(plugins.formats().get("note").getClass()).isSameAs(NoteFormat.class);
            assertThat(plugins.diagnostics()).singleElement().satisfies(d -> {
                assertThat(d.file()).isEqualTo("connectors/note.jar");
                assertThat(d.message()).contains("webhook format 'note'").contains("already exists");
            });
        }
    }

    private static void jar(Path jar) throws IOException {
        Files.createDirectories(jar.getParent());
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            String resource = NoteFormat.class.getName().replace('.', '/') + ".class";
            out.putNextEntry(new JarEntry(resource));
            try (InputStream in = NoteFormat.class.getClassLoader().getResourceAsStream(resource)) {
                in.transferTo(out);
            }
            out.putNextEntry(new JarEntry("META-INF/services/dev.steward.plugin.WebhookFormat"));
            out.write((NoteFormat.class.getName() + "\n").getBytes(StandardCharsets.UTF_8));
        }
    }
}
