package dev.steward.load;

import dev.steward.model.Diagnostic;
import dev.steward.model.Workspace;
import dev.steward.rules.RuleSetCompiler;
import dev.steward.run.Connectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

/** {@code rules.trustedDrl} of steward.yaml: DRL files on disk without the DRL policy, and said so. */
class TrustedDrlTest {

    private static final String SYSTEMS = """
            systems:
              crm:
                connector: http
                baseUrl: http://127.0.0.1:9101
                entities:
                  customer: { path: "/customers/{key}", fields: { email: email } }
            """;
    private static final String DRL = """
            package rules;

            rule "Stamp the JVM"
            when
                $c : FieldChange(field == "email")
            then
                $c.accept(System.getProperty("java.version"));
            end
            """;

    @TempDir
    Path home;

    private final WorkspaceLoader loader = new WorkspaceLoader(Connectors.discover(getClass().getClassLoader()),
            new RuleSetCompiler(), Map.<String, String>of()::get);

    @Test
    void withoutTheSettingTheDrlPolicyRefusesTheFileAtTheRulesLine() throws IOException {
        Workspace workspace = load(SYSTEMS);

        assertThat(workspace.diagnostics()).extracting(Diagnostic::file, Diagnostic::line, Diagnostic::message)
                .containsExactly(tuple("rules/stamp.drl", 3, "rule \"Stamp the JVM\" uses java.lang.System.getProperty,"
                        + " which rules may not use (DRL policy; see rules.trustedDrl)"));
    }

    @Test
    void trustedDrlLiftsThePolicyForFilesOnDiskAndSaysSo() throws IOException {
        Workspace workspace = load("""
                rules:
                  trustedDrl: true
                """ + SYSTEMS);

        assertThat(workspace.diagnostics()).extracting(Diagnostic::file, Diagnostic::line, Diagnostic::severity)
                .containsExactly(tuple("steward.yaml", 2, Diagnostic.Severity.WARNING));
        assertThat(workspace.diagnostics().getFirst().message()).startsWith("rules.trustedDrl is on: the DRL files in"
                + " rules/ compile without the DRL policy");
        assertThat(workspace.drl().get("stamp.drl").trusted()).isTrue();
    }

    @Test
    void anythingButTrueOrFalseIsAnError() throws IOException {
        Workspace workspace = load("""
                rules:
                  trustedDrl: yes please
                """ + SYSTEMS);

        assertThat(workspace.diagnostics()).extracting(Diagnostic::line, Diagnostic::message)
                .contains(tuple(2, "rules.trustedDrl must be true or false, not 'yes please'"));
        assertThat(workspace.drl().get("stamp.drl").trusted()).isFalse();
    }

    private Workspace load(String yaml) throws IOException {
        Files.writeString(home.resolve("steward.yaml"), yaml);
        Files.createDirectories(home.resolve("rules"));
        Files.writeString(home.resolve("rules/stamp.drl"), DRL);
        return loader.load(home);
    }
}
