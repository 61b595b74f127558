package dev.steward.load;

import dev.steward.model.Diagnostic;
import dev.steward.model.HostSettings;
import dev.steward.model.SignatureScheme;
import dev.steward.model.Workspace;
import dev.steward.rules.RuleSetCompiler;
import dev.steward.run.Connectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Where the host listens decides which flows may take unsigned webhooks: once {@code /hooks} is
 * reachable beyond loopback, a flow without a secret loads only if it says {@code signature: none}.
 */
class PublicHooksTest {

    private static final Path BASE = Path.of("src/test/resources/loading/base");
    private static final String UNSIGNED = "flows/crm-customer.yaml";

    private final WorkspaceLoader loader = new WorkspaceLoader(Connectors.discover(getClass().getClassLoader()),
            new RuleSetCompiler(), Map.<String, String>of()::get);

    @TempDir
    Path temp;

    @Test
    void theDefaultsListenOnLoopbackAndGiveRunningEventsTenSeconds() throws IOException {
        Workspace workspace = loader.load(copyBase(""));

        assertThat(workspace.host().bind()).isEqualTo("127.0.0.1");
        assertThat(workspace.host().hooks()).isEmpty();
        assertThat(workspace.host().hooksPublic()).isFalse();
        assertThat(workspace.host().shutdownGrace()).isEqualTo(Duration.ofSeconds(10));
        assertThat(workspace.flows()).as("an unsigned flow loads while only this machine can post to it").containsKey("crm-customer");
        assertThat(workspace.diagnostics()).isEmpty();
    }

    @Test
    void anUnsignedFlowDoesNotLoadWhenTheHostListensOnEveryInterface() throws IOException {
        Workspace workspace = loader.load(copyBase("  bind: 0.0.0.0\n"));

        assertThat(workspace.host().hooksPublic()).isTrue();
        assertThat(workspace.flows()).doesNotContainKey("crm-customer");
        assertThat(workspace.brokenFlows()).containsKey(UNSIGNED);
        assertThat(workspace.diagnostics()).singleElement().satisfies(d -> {
            assertThat(d.file()).isEqualTo(UNSIGNED);
            assertThat(d.line()).as("the line of 'webhook:'").isEqualTo(3);
            assertThat(d.isError()).isTrue();
            assertThat(d.message()).contains("reachable beyond this machine").contains("signature: none");
        });
    }

    @Test
    void aPublicHooksListenerMakesWebhooksPublicEvenWithALoopbackAdminListener() throws IOException {
        Workspace workspace = loader.load(copyBase("  hooks: { bind: 0.0.0.0, port: 9443 }\n  shutdownGrace: 3s\n"));

        assertThat(workspace.host().bind()).isEqualTo("127.0.0.1");
        assertThat(workspace.host().hooks()).contains(new HostSettings.Listener("0.0.0.0", 9443));
        assertThat(workspace.host().shutdownGrace()).isEqualTo(Duration.ofSeconds(3));
        assertThat(workspace.brokenFlows()).containsKey(UNSIGNED);
    }

    @Test
    void aLoopbackHooksListenerKeepsThemPrivate() throws IOException {
        Workspace workspace = loader.load(copyBase("  hooks: { port: 9443 }\n"));

        assertThat(workspace.host().hooks()).contains(new HostSettings.Listener("127.0.0.1", 9443));
        assertThat(workspace.flows()).containsKey("crm-customer");
    }

    @Test
    void bindOnTheCommandLineCountsLikeHostBind() throws IOException {
        Workspace workspace = loader.load(copyBase(""), List.of(), "0.0.0.0");

        assertThat(workspace.host().bind()).isEqualTo("0.0.0.0");
        assertThat(workspace.brokenFlows()).containsKey(UNSIGNED);
    }

    @Test
    void signatureNoneTakesUnsignedDeliveriesOnPurpose() throws IOException {
        Path home = copyBase("  bind: 0.0.0.0\n");
        Files.writeString(home.resolve(UNSIGNED), Files.readString(home.resolve(UNSIGNED))
                .replace("{ path: crm/customer }", "{ path: crm/customer, signature: none }"));

        Workspace workspace = loader.load(home);

        assertThat(workspace.diagnostics()).isEmpty();
        assertThat(workspace.flows().get("crm-customer").webhook().orElseThrow().signature()).isEqualTo(new SignatureScheme.None());
        assertThat(workspace.flows().get("crm-customer").webhook().orElseThrow().unsignedOnPurpose()).isTrue();
        assertThat(workspace.flows().get("crm-customer").webhook().orElseThrow().secret()).isEmpty();
    }

    @Test
    void aSignedFlowLoadsWhereverTheHostListens() throws IOException {
        Path home = copyBase("  bind: 0.0.0.0\n");
        Files.writeString(home.resolve(UNSIGNED), Files.readString(home.resolve(UNSIGNED))
                .replace("{ path: crm/customer }", "{ path: crm/customer, secret: s3cret }"));

        Workspace workspace = loader.load(home);

        assertThat(workspace.diagnostics()).filteredOn(Diagnostic::isError).isEmpty();
        assertThat(workspace.flows()).containsKey("crm-customer");
    }

    @Test
    void onlyLiteralLoopbackAddressesAndLocalhostCountAsLoopback() {
        for (String loopback : List.of("127.0.0.1", "127.0.0.2", "::1", "[::1]", "localhost", "LOCALHOST")) {
            assertThat(HostSettings.isLoopback(loopback)).as(loopback).isTrue();
        }
        for (String other : List.of("0.0.0.0", "::", "[::]", "10.0.0.1", "192.168.1.20", "example.com", "cafe",
                "localhost.example.com", "127.0.0.1.nip.io")) {
            assertThat(HostSettings.isLoopback(other)).as(other).isFalse();
        }
    }

    /** The loader tests' base workspace, with {@code hostLines} added to its {@code host:} block. */
    private Path copyBase(String hostLines) throws IOException {
        Path home = temp.resolve("workspace");
        try (Stream<Path> files = Files.walk(BASE)) {
            for (Path source : files.toList()) {
                Path target = home.resolve(BASE.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(source, target);
                }
            }
        }
        Path settings = home.resolve("steward.yaml");
        Files.writeString(settings, Files.readString(settings).replace("host:\n  port: 0\n", "host:\n  port: 0\n" + hostLines));
        return home;
    }
}
