package dev.steward.load;

import dev.steward.model.Diagnostic;
import dev.steward.model.Step;
import dev.steward.model.Workspace;
import dev.steward.rules.RuleSetCompiler;
import dev.steward.run.Connectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** The filter, branch and call steps as loaded: their records, and problems at file line and column. */
class StepLoadingTest {

    private static final Path BASE = Path.of("src/test/resources/loading/base");
    private static final String HEAD = """
            id: steps
            trigger: { webhook: { path: steps } }
            source: crm
            entity: customer
            key: id
            fields: { email: email, creditLimit: credit_limit }
            steps:
            """;

    private final WorkspaceLoader loader = new WorkspaceLoader(Connectors.discover(getClass().getClassLoader()),
            new RuleSetCompiler(), Map.<String, String>of()::get);

    @TempDir
    Path temp;

    @Test
    void filterBranchAndCallLoadAsTheirRecords() throws IOException {
        Workspace workspace = load("""
                  - filter: { when: creditLimit > 1000 and not (email is empty) }
                  - rules: [mastership.yaml]
                  - call:
                      system: erp
                      action: createOrder
                      input: { email: "${fields.email}", who: "${payload.owner.name}", key: "${key}" }
                      as: order
                  - branch:
                      - when: steps.order.total > 10
                        steps:
                          - sync: { to: [crm], fields: { creditLimit: "${steps.order.total}" } }
                      - otherwise:
                          - sync: { to: [erp] }
                """);

        assertThat(workspace.diagnostics()).filteredOn(Diagnostic::isError).isEmpty();
        List<Step> steps = workspace.flows().get("steps").steps();
        assertThat(steps).hasSize(4);
        assertThat(steps.get(0)).isInstanceOfSatisfying(Step.Filter.class, f ->
                assertThat(f.text()).isEqualTo("creditLimit > 1000 and not (email is empty)"));
        assertThat(steps.get(2)).isInstanceOfSatisfying(Step.Call.class, c -> {
            assertThat(c.system()).isEqualTo("erp");
            assertThat(c.action()).isEqualTo("createOrder");
            assertThat(c.name()).isEqualTo("order");
            assertThat(c.input()).containsEntry("who", "${payload.owner.name}");
        });
        assertThat(steps.get(3)).isInstanceOfSatisfying(Step.Branch.class, b -> {
            assertThat(b.cases()).extracting(Step.Case::text).containsExactly("steps.order.total > 10", "otherwise");
            assertThat(b.cases().get(0).steps().getFirst()).isInstanceOfSatisfying(Step.Sync.class, s ->
                    assertThat(s.set()).containsEntry("creditLimit", "${steps.order.total}"));
        });
    }

    @Test
    void aConditionThatDoesNotParseIsReportedAtItsLineAndColumn() throws IOException {
        Workspace workspace = load("""
                  - filter: { when: creditLimit >> 5 }
                """);

        assertThat(workspace.diagnostics()).filteredOn(Diagnostic::isError).singleElement().satisfies(d -> {
            assertThat(d.file()).isEqualTo("flows/steps.yaml");
            assertThat(d.line()).isEqualTo(8);
            assertThat(d.column()).isEqualTo(34);
            assertThat(d.message()).contains("'>'");
        });
    }

    @Test
    void aReferenceThatDoesNotParseIsReportedAtItsColumn() throws IOException {
        Workspace workspace = load("""
                  - call: { system: erp, action: createOrder, input: { total: "sum ${payload.}" } }
                """);

        assertThat(workspace.diagnostics()).filteredOn(Diagnostic::isError).singleElement().satisfies(d -> {
            assertThat(d.line()).isEqualTo(8);
            assertThat(d.column()).isEqualTo(68);
            assertThat(d.message()).contains("'${payload.}' is not a reference");
        });
    }

    private Workspace load(String steps) throws IOException {
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
        Files.delete(home.resolve("flows/crm-customer.yaml"));
        Files.writeString(home.resolve("flows/steps.yaml"), HEAD + steps);
        return loader.load(home);
    }
}
