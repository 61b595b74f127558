package dev.steward.host;

import dev.steward.Engine;
import dev.steward.model.Diagnostic;
import dev.steward.model.Workspace;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Flows that name a webhook format or {@code fetch: true} load, or are refused with file:line
 * diagnostics: an unknown format (naming the known ones), the format's own problems with its
 * options at their lines, a format together with a signature scheme. The format is the test
 * format {@link JsonArrayFormat}, found through ServiceLoader on the test class path.
 */
class WebhookFormatFlowsTest {

    @TempDir
    Path temp;
    @RegisterExtension
    final ConsoleCapture console = new ConsoleCapture();

    @Test
    void stewardValidateReportsFormatAndFetchProblemsWithFileAndLine() throws IOException {
        load("""
                id: broken
                trigger:
                  webhook:
                    path: vendor/broken
                    format: no-such-vendor
                source: crm
                entity: customer
                fetch: maybe
                key: id
                fields: { email: email }
                steps: []
                """);

        int code = Main.run("validate", "--home", temp.resolve("ws").toString());

        String printed = console.out.toString(java.nio.charset.StandardCharsets.UTF_8);
        assertThat(code).isEqualTo(1);
        assertThat(printed).contains("flows/flow.yaml:5:").contains("unknown webhook format 'no-such-vendor' (known: ")
                .contains("json-array").contains("hubspot");
        assertThat(printed).contains("flows/flow.yaml:8:").contains("fetch must be true or false, not 'maybe'");
    }

    @Test
    void aFlowWithAKnownFormatAndFetchLoads() throws IOException {
        Workspace workspace = load("""
                id: ok
                trigger:
                  webhook:
                    path: vendor/ok
                    format: json-array
                    secret: ${env:NO_SUCH_VARIABLE_HERE:-s3cret}
                    options: { idField: objectId, reply: ok }
                source: crm
                entity: customer
                fetch: true
                key: objectId
                fields: { email: email_address }
                steps: []
                """);
        assertThat(workspace.diagnostics()).filteredOn(Diagnostic::isError).isEmpty();
        var hook = workspace.flows().get("ok").webhook().orElseThrow();
        assertThat(hook.format()).contains("json-array");
        assertThat(hook.options()).containsEntry("idField", "objectId").containsEntry("reply", "ok");
        assertThat(hook.secret()).contains("s3cret");
        assertThat(workspace.flows().get("ok").fetch()).isTrue();
    }

    @Test
    void anUnknownFormatIsAnErrorAtItsLineNamingTheKnownOnes() throws IOException {
        List<Diagnostic> errors = errors(load("""
                id: unknown
                trigger:
                  webhook:
                    path: vendor/unknown
                    format: no-such-vendor
                source: crm
                entity: customer
                key: id
                fields: { email: email }
                steps: []
                """));
        assertThat(errors).hasSize(1);
        assertThat(errors.getFirst().file()).isEqualTo("flows/flow.yaml");
        assertThat(errors.getFirst().line()).isEqualTo(5);
        assertThat(errors.getFirst().message()).contains("unknown webhook format 'no-such-vendor'").contains("json-array");
    }

    @Test
    void theFormatsProblemsWithItsOptionsAreErrorsAtTheirLines() throws IOException {
        List<Diagnostic> errors = errors(load("""
                id: bad-options
                trigger:
                  webhook:
                    path: vendor/bad
                    format: json-array
                    secret: s3cret
                    options:
                      colour: blue
                      maxItems: many
                source: crm
                entity: customer
                key: id
                fields: { email: email }
                steps: []
                """));
        assertThat(errors).extracting(Diagnostic::line).containsExactlyInAnyOrder(8, 9);
        assertThat(errors).extracting(Diagnostic::message).anyMatch(m -> m.contains("format 'json-array': unknown option 'colour'"))
                .anyMatch(m -> m.contains("maxItems must be a number"));
    }

    @Test
    void aMissingSecretIsTheFormatsErrorAtTheWebhookBlock() throws IOException {
        List<Diagnostic> errors = errors(load("""
                id: unsigned
                trigger:
                  webhook:
                    path: vendor/unsigned
                    format: json-array
                source: crm
                entity: customer
                key: id
                fields: { email: email }
                steps: []
                """));
        assertThat(errors).hasSize(1);
        assertThat(errors.getFirst().line()).isEqualTo(4);
        assertThat(errors.getFirst().message()).contains("format 'json-array': needs the 'secret'");
    }

    @Test
    void aFormatAndASignatureSchemeAreNotBothAllowed() throws IOException {
        List<Diagnostic> errors = errors(load("""
                id: both
                trigger:
                  webhook:
                    path: vendor/both
                    format: json-array
                    secret: s3cret
                    signature: github
                source: crm
                entity: customer
                key: id
                fields: { email: email }
                steps: []
                """));
        assertThat(errors).hasSize(1);
        assertThat(errors.getFirst().line()).isEqualTo(7);
        assertThat(errors.getFirst().message()).contains("verifies its deliveries itself: remove 'signature'");
    }

    @Test
    void optionsWithoutAFormatAndAFetchThatIsNotABooleanAreErrors() throws IOException {
        List<Diagnostic> errors = errors(load("""
                id: loose
                trigger:
                  webhook:
                    path: vendor/loose
                    options: { reply: ok }
                source: crm
                entity: customer
                fetch: yes please
                key: id
                fields: { email: email }
                steps: []
                """));
        assertThat(errors).extracting(Diagnostic::line).containsExactlyInAnyOrder(5, 8);
        assertThat(errors).extracting(Diagnostic::message).anyMatch(m -> m.contains("name the 'format' they are for"))
                .anyMatch(m -> m.contains("fetch must be true or false"));
    }

    @Test
    void withFetchAFieldPathThatTheSourceDoesNotMapIsWarnedAbout() throws IOException {
        Workspace workspace = load("""
                id: thin
                trigger: { webhook: { path: vendor/thin, format: json-array, secret: s3cret } }
                source: crm
                entity: customer
                fetch: true
                key: id
                fields:
                  email: email
                steps: []
                """);
        assertThat(workspace.diagnostics()).filteredOn(Diagnostic::isError).isEmpty();
        assertThat(workspace.diagnostics()).filteredOn(d -> d.line() == 8)
                .anyMatch(d -> d.message().contains("'email' is not one of the fields mapped for crm.customer"));
    }

    private Workspace load(String flow) throws IOException {
        Path home = RunningHost.emptyWorkspace(temp.resolve("ws"));
        Files.writeString(home.resolve("steward.yaml"), """
                systems:
                  crm:
                    connector: http
                    baseUrl: http://127.0.0.1:1
                    entities:
                      customer: { path: "/customers/{key}", fields: { email: email_address } }
                  erp:
                    connector: http
                    baseUrl: http://127.0.0.1:2
                    entities:
                      customer: { path: "/customers/{key}", fields: { email: email } }
                """);
        Files.writeString(home.resolve("flows/flow.yaml"), flow);
        return Engine.check(home);
    }

    private static List<Diagnostic> errors(Workspace workspace) {
        return workspace.diagnostics().stream().filter(Diagnostic::isError).toList();
    }
}
