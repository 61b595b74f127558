package dev.steward.load;

import dev.steward.model.AccessSettings;
import dev.steward.model.Diagnostic;
import dev.steward.model.Workspace;
import dev.steward.rules.RuleSetCompiler;
import dev.steward.run.Connectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code host.publicUrl}, {@code metrics.public} and {@code access:} of steward.yaml. */
class AccessSettingsTest {

    private static final String SYSTEMS = """
            systems:
              crm:
                connector: http
                baseUrl: http://127.0.0.1:9101
                entities:
                  customer: { path: "/customers/{key}", fields: { email: email } }
            """;

    @TempDir
    Path home;

    private final WorkspaceLoader loader = new WorkspaceLoader(Connectors.discover(getClass().getClassLoader()),
            new RuleSetCompiler(), Map.<String, String>of()::get);

    @Test
    void withoutSettingsAccessIsClosedWithTheDefaultTimeouts() throws IOException {
        AccessSettings access = load(SYSTEMS).host().access();
        assertThat(access).isEqualTo(AccessSettings.DEFAULT);
        assertThat(access.publicUrl()).isEmpty();
        assertThat(access.metricsPublic()).isFalse();
        assertThat(access.sessionIdle()).isEqualTo(Duration.ofMinutes(30));
        assertThat(access.sessionMax()).isEqualTo(Duration.ofHours(12));
    }

    @Test
    void everySettingIsRead() throws IOException {
        Workspace workspace = load("""
                host: { port: 9000, publicUrl: "https://steward.example.com" }
                metrics: { public: true }
                access: { sessionIdle: 10m, sessionMax: 8h, maxFailures: 3, lockout: 5m }
                """ + SYSTEMS);
        assertThat(workspace.diagnostics()).isEmpty();
        AccessSettings access = workspace.host().access();
        assertThat(access.publicUrl()).contains(URI.create("https://steward.example.com"));
        assertThat(access.publicHttps()).isTrue();
        assertThat(access.metricsPublic()).isTrue();
        assertThat(access).isEqualTo(new AccessSettings(Optional.of(URI.create("https://steward.example.com")), true,
                Duration.ofMinutes(10), Duration.ofHours(8), 3, Duration.ofMinutes(5)));
        assertThat(workspace.host().port()).isEqualTo(9000);
    }

    @Test
    void badValuesAreDiagnosticsAtTheirLines() throws IOException {
        Workspace workspace = load("""
                host:
                  publicUrl: steward.example.com
                metrics:
                  public: yes please
                access:
                  sessionIdle: forever
                  maxFailures: 0
                  lockouts: 5m
                """ + SYSTEMS);
        assertThat(workspace.diagnostics()).extracting(Diagnostic::line, Diagnostic::message).contains(
                org.assertj.core.groups.Tuple.tuple(2, "host.publicUrl must be an http or https URL with a host name, like"
                        + " https://steward.example.com, not 'steward.example.com'"),
                org.assertj.core.groups.Tuple.tuple(4, "metrics.public must be true or false, not 'yes please'"));
        assertThat(workspace.diagnostics()).extracting(Diagnostic::message)
                .anyMatch(m -> m.contains("'forever' is not a duration"))
                .anyMatch(m -> m.contains("access.maxFailures"))
                .anyMatch(m -> m.contains("lockouts"));
        assertThat(workspace.host().access()).isEqualTo(AccessSettings.DEFAULT);
    }

    private Workspace load(String yaml) throws IOException {
        Files.createDirectories(home.resolve("flows"));
        Files.writeString(home.resolve("steward.yaml"), yaml);
        return loader.load(home, java.util.List.of());
    }
}
