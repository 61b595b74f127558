package dev.steward.scenario;

import dev.steward.load.ScenarioReader;
import dev.steward.load.WorkspaceLoader;
import dev.steward.model.Workspace;
import dev.steward.rules.RuleSetCompiler;
import dev.steward.run.Connectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Scenarios against the example workspace, read by the real reader; no store, no connectors. */
class ScenarioRunnerTest {

    private static final RuleSetCompiler COMPILER = new RuleSetCompiler();
    private static final Workspace EXAMPLE = new WorkspaceLoader(Connectors.discover(ScenarioRunnerTest.class.getClassLoader()),
            COMPILER, name -> null).load(Path.of(".."));

    @TempDir
    Path temp;

    private List<ScenarioResult> run(String yaml) throws IOException {
        Path file = temp.resolve("s.yaml");
        Files.writeString(file, yaml);
        ScenarioReader.ScenarioFile read = ScenarioReader.read(file, "rules/tests/s.yaml");
        assertThat(read.diagnostics()).isEmpty();
        ScenarioRunner runner = new ScenarioRunner(EXAMPLE, COMPILER);
        return read.scenarios().stream().map(runner::run).toList();
    }

    @Test
    void everyExampleScenarioFilePasses() throws IOException {
        try (var files = Files.list(Path.of("../rules/tests"))) {
            for (Path file : files.toList()) {
                ScenarioReader.ScenarioFile read = ScenarioReader.read(file, "rules/tests/" + file.getFileName());
                assertThat(read.diagnostics()).as(file.toString()).isEmpty();
                assertThat(read.scenarios()).as(file.toString()).isNotEmpty();
                for (Scenario scenario : read.scenarios()) {
                    assertThat(new ScenarioRunner(EXAMPLE, COMPILER).run(scenario).differences())
                            .as(scenario.location() + " " + scenario.name()).isEmpty();
                }
            }
        }
    }

    @Test
    void withoutAFlowThePayloadIsCanonicalFieldsAndEveryDifferenceIsListed() throws IOException {
        List<ScenarioResult> results = run("""
                entity: customer
                source: erp
                rules: [mastership.yaml, customer-validation.table.yaml]
                scenarios:
                  - name: mixed
                    known: { phone: "1", creditLimit: 5000.00 }
                    payload: { phone: "1", creditLimit: 5000, email: "x" }
                    expect:
                      phone: unchanged
                      creditLimit: accept
                      email: { decision: reject, reason: CRM is the primary entry point for sales. }
                """);

        assertThat(results).singleElement().satisfies(r -> assertThat(r.differences()).containsExactly(
                "creditLimit: expected accept, got unchanged",
                "email: expected reject \"CRM is the primary entry point for sales.\", got invalid"
                        + " \"email 'x' is not an email address\" by rules/customer-validation.table.yaml:10"));
    }

    @Test
    void aMissingFlowOrRuleFileFailsTheScenarioSayingSo() throws IOException {
        assertThat(run("""
                flow: nope
                scenarios:
                  - { name: a, payload: { id: 1 }, expect: { email: accept } }
                """)).singleElement().satisfies(r -> assertThat(r.differences()).containsExactly("there is no flow 'nope'"));
        assertThat(run("""
                entity: customer
                source: crm
                rules: [missing.table.yaml]
                scenarios:
                  - { name: a, payload: { email: a@b.c }, expect: { email: accept } }
                """)).singleElement().satisfies(r -> assertThat(r.differences()).containsExactly(
                "there is no rule file rules/missing.table.yaml (or it did not load; see steward validate)"));
    }
}
