package dev.steward.load;

import dev.steward.model.Workspace;
import dev.steward.rules.Decision;
import dev.steward.rules.FieldChange;
import dev.steward.rules.Outcome;
import dev.steward.rules.Record;
import dev.steward.rules.RuleSet;
import dev.steward.rules.RuleSetCompiler;
import dev.steward.run.Connectors;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Scenarios for the example workspace's decision table ({@code ../rules/customer-validation.table.yaml}),
 * loaded with the real loader and decided as {@code flows/crm-customer.yaml} and
 * {@code flows/erp-customer.yaml} use it: after {@code mastership.yaml}.
 */
class ExampleTableTest {

    private static final String TABLE = "rules/customer-validation.table.yaml";
    private static final RuleSetCompiler COMPILER = new RuleSetCompiler();
    private static final Workspace EXAMPLE = new WorkspaceLoader(Connectors.discover(ExampleTableTest.class.getClassLoader()),
            COMPILER, name -> null).load(Path.of(".."));

    private final RuleSet rules = COMPILER.compile(List.of(EXAMPLE.mastership().get("mastership.yaml")),
            List.of(EXAMPLE.decisionTables().get("customer-validation.table.yaml")), List.of()).ruleSet().orElseThrow();

    @Test
    void theExampleFlowsUseTheTableAndItVerifiesClean() {
        assertThat(EXAMPLE.diagnostics()).isEmpty();
        assertThat(EXAMPLE.decisionTables()).containsKey("customer-validation.table.yaml");
    }

    @Test
    void anEmailWithoutAnAtIsInvalid() {
        FieldChange email = decide("crm", "email", "bob@example.com", "bob.example.com");

        assertThat(email.getDecision()).isEqualTo(new Decision(Outcome.INVALID,
                "email 'bob.example.com' is not an email address", TABLE + ":10"));
    }

    @Test
    void aClearedEmailIsNotInvalid() {
        FieldChange email = decide("crm", "email", "bob@example.com", null);

        assertThat(email.getDecision()).isEqualTo(new Decision(Outcome.ACCEPT, "CRM is the primary entry point for sales.",
                "rules/mastership.yaml:12"));
    }

    @Test
    void aCreditLimitOutsideTheRangeIsInvalidEvenFromItsMaster() {
        assertThat(decide("erp", "creditLimit", 1000, -500).getDecision()).isEqualTo(new Decision(Outcome.INVALID,
                "credit limit -500 is not between 0 and 10,000,000", TABLE + ":14"));
        assertThat(decide("erp", "creditLimit", 1000, "lots").getDecision().outcome()).isEqualTo(Outcome.INVALID);
        assertThat(decide("erp", "creditLimit", 1000, 10_000_001).getDecision().outcome()).isEqualTo(Outcome.INVALID);
    }

    @Test
    void aCreditLimitInRangeKeepsWhatMastershipDecided() {
        assertThat(decide("erp", "creditLimit", 1000, "2500.00").getDecision()).isEqualTo(new Decision(Outcome.ACCEPT,
                "ERP manages fiscal risk and accounting.", "rules/mastership.yaml:17"));
        assertThat(decide("crm", "creditLimit", 1000, 9000).getDecision()).isEqualTo(new Decision(Outcome.REJECT,
                "ERP manages fiscal risk and accounting.", "rules/mastership.yaml:17"));
    }

    private FieldChange decide(String source, String field, Object oldValue, Object newValue) {
        Map<String, Object> fields = new java.util.HashMap<>();
        fields.put(field, newValue);
        Record record = new Record("customer", "C-1", source, fields);
        FieldChange change = new FieldChange("customer", "C-1", field, oldValue, newValue, source,
                rules.masterOf("customer", field).orElse(null));
        rules.decide(record, List.of(change));
        return change;
    }
}
