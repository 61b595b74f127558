package dev.steward.load;

import dev.steward.model.DecisionTable;
import dev.steward.model.Diagnostic;
import dev.steward.model.Workspace;
import dev.steward.rules.Decision;
import dev.steward.rules.FieldChange;
import dev.steward.rules.Outcome;
import dev.steward.rules.Record;
import dev.steward.rules.RuleSet;
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

/**
 * Decision tables through the real loader on a temporary workspace: cells that do not parse,
 * the verifier's findings, and the decisions a loaded table makes.
 */
class DecisionTableLoadingTest {

    private static final Path BASE = Path.of("src/test/resources/loading/base");
    private static final String TABLE = "rules/checks.table.yaml";

    private final RuleSetCompiler compiler = new RuleSetCompiler();
    private final WorkspaceLoader loader = new WorkspaceLoader(Connectors.discover(getClass().getClassLoader()),
            compiler, name -> null);

    @TempDir
    Path temp;

    @Test
    void aTableDecidesAfterMastershipAndNamesTheRowThatDecided() throws IOException {
        Workspace workspace = load("""
                entity: customer
                hit: first
                rows:
                  - field: email
                    new: not matches "[^@\\s]+@[^@\\s]+"
                    outcome: invalid
                    message: email '{new}' is not an email address
                  - field: creditLimit
                    new: '> 50000'
                    tier: '"gold", "platinum"'
                    outcome: accept
                    message: a {tier} customer's limit from {source}
                  - field: creditLimit
                    source: crm
                    new: [1000..50000]
                    outcome: reject
                    message: the CRM may not set {field} to {new}
                """);

        assertThat(workspace.diagnostics()).isEmpty();
        assertThat(workspace.flows()).containsKey("table-customer");
        DecisionTable table = workspace.decisionTables().get("checks.table.yaml");
        assertThat(table.columns()).containsExactly("field", "new", "tier", "source");
        RuleSet rules = ruleSet(workspace, table);

        Record bad = new Record("customer", "C-1", "crm", Map.of("email", "nope", "phone", "1"));
        FieldChange email = change(bad, "email", "a@b.c", "nope");
        FieldChange phone = change(bad, "phone", null, "1");
        rules.decide(bad, List.of(email, phone));
        assertThat(email.getDecision()).isEqualTo(new Decision(Outcome.INVALID, "email 'nope' is not an email address",
                TABLE + ":4"));
        assertThat(phone.getDecision()).isEqualTo(new Decision(Outcome.ACCEPT, "CRM is the primary entry point for sales.",
                "rules/mastership.yaml:1"));

        Record gold = new Record("customer", "C-2", "crm", Map.of("creditLimit", 90000, "tier", "gold"));
        FieldChange limit = change(gold, "creditLimit", 1000, 90000);
        rules.decide(gold, List.of(limit));
        assertThat(limit.getDecision()).isEqualTo(new Decision(Outcome.ACCEPT, "a gold customer's limit from crm", TABLE + ":8"));

        Record small = new Record("customer", "C-3", "crm", Map.of("creditLimit", "2500.00"));
        FieldChange smallLimit = change(small, "creditLimit", null, "2500.00");
        rules.decide(small, List.of(smallLimit));
        assertThat(smallLimit.getDecision()).isEqualTo(new Decision(Outcome.REJECT,
                "the CRM may not set creditLimit to 2500.00", TABLE + ":13"));

        Record fromErp = new Record("customer", "C-3", "erp", Map.of("creditLimit", 2500));
        FieldChange erpLimit = change(fromErp, "creditLimit", null, 2500);
        rules.decide(fromErp, List.of(erpLimit));
        assertThat(erpLimit.getDecision()).as("no row matches: mastership stands").isEqualTo(new Decision(Outcome.ACCEPT,
                "ERP manages fiscal risk and accounting.", "rules/mastership.yaml:6"));
    }

    @Test
    void aCellThatDoesNotParseIsAnErrorAtItsLineAndColumnAndOnlyItsFlowIsSetAside() throws IOException {
        Workspace workspace = load("""
                entity: customer
                hit: first
                rows:
                  - field: email
                    new: not matches "[^@"
                    outcome: invalid
                  - field: creditLimit
                    new: '[1000..500]'
                    outcome: invalid
                """);

        assertThat(workspace.diagnostics()).extracting(Diagnostic::toString).contains(
                TABLE + ":5:22: error: bad regex: Unclosed character class at character 3 of the regex",
                TABLE + ":8:11: error: the range [1000..500] contains no value: its lower end is not below its upper end");
        assertThat(workspace.decisionTables()).isEmpty();
        assertThat(workspace.flows()).containsKey("crm-customer").doesNotContainKey("table-customer");
        assertThat(workspace.brokenFlows().get("flows/table-customer.yaml")).extracting(Diagnostic::message)
                .anySatisfy(m -> assertThat(m).startsWith("no rule file rules/checks.table.yaml"));
    }

    @Test
    void theHeaderAndRowsAreChecked() throws IOException {
        Workspace workspace = load("""
                entity: customer
                hit: any
                complete: maybe
                rows:
                  - field: email
                    outcome: maybe
                  - field: email
                    new:
                  - region: "EMEA"
                    "bad column": x
                  - new: changed
                    outcome: accept
                """);

        assertThat(workspace.diagnostics()).filteredOn(d -> d.file().equals(TABLE)).extracting(Diagnostic::toString).containsExactly(
                TABLE + ":2:6: error: hit must be unique, first or priority, not 'any'",
                TABLE + ":3:11: error: complete must be true or false, not 'maybe'",
                TABLE + ":6:14: error: outcome must be accept, reject or invalid, not 'maybe'",
                TABLE + ":8:9: error: an empty cell; write - for any value, or leave the column out of the row",
                TABLE + ":10:5: error: 'bad column' is not a column: use field, source, old, new, or a field of the record",
                TABLE + ":11:10: error: 'changed' tests a field of the record (a column named after it), not the 'new' column");
    }

    @Test
    void underHitUniqueRowsThatOverlapWithDifferentOutcomesAreAnError() throws IOException {
        Workspace workspace = load("""
                entity: customer
                hit: unique
                rows:
                  - field: creditLimit
                    new: '> 1000'
                    outcome: accept
                  - field: creditLimit
                    source: crm
                    new: '[500..2000]'
                    outcome: reject
                  - field: creditLimit
                    new: '>= 5000'
                    outcome: accept
                """);

        assertThat(workspace.diagnostics()).filteredOn(d -> d.file().equals(TABLE)).extracting(Diagnostic::toString).containsExactly(
                TABLE + ":7:5: error: rows 1 (line 4, accept) and 2 (reject) both match, e.g. when field = \"creditLimit\","
                        + " new = 1500, source = \"crm\"; with hit: unique rows must not overlap (say hit: first or hit:"
                        + " priority to choose)",
                TABLE + ":11:5: warning: rows 1 (line 4) and 3 overlap with the same outcome, e.g. when field = \"creditLimit\","
                        + " new = 5000, source = \"crm\"");
        assertThat(workspace.decisionTables()).isEmpty();
    }

    @Test
    void underHitFirstARowThatEarlierRowsCoverNeverDecides() throws IOException {
        Workspace workspace = load("""
                entity: customer
                hit: first
                rows:
                  - field: creditLimit
                    new: '< 0'
                    outcome: invalid
                  - field: creditLimit
                    new: '>= 0'
                    outcome: accept
                  - field: creditLimit
                    new: '[10..20]'
                    outcome: reject
                  - field: creditLimit, phone
                    new: '-1'
                    outcome: reject
                """);

        assertThat(workspace.diagnostics()).extracting(Diagnostic::toString).containsExactly(
                TABLE + ":10:5: warning: row 3 never decides: row 2 (line 7) comes first and matches everything it matches");
        assertThat(workspace.decisionTables()).containsKey("checks.table.yaml");
    }

    @Test
    void underHitPriorityTheStrongestOutcomeWinsAndARowThatAlwaysLosesIsReported() throws IOException {
        Workspace workspace = load("""
                entity: customer
                hit: priority
                rows:
                  - field: creditLimit
                    outcome: accept
                  - field: creditLimit
                    new: not [0..1000000]
                    outcome: invalid
                    message: out of range
                  - field: creditLimit
                    new: '> 2000000'
                    outcome: reject
                """);

        assertThat(workspace.diagnostics()).extracting(Diagnostic::toString).containsExactly(
                TABLE + ":10:5: warning: row 3 never decides: row 2 (line 6) wins by priority wherever it matches");
        RuleSet rules = ruleSet(workspace, workspace.decisionTables().get("checks.table.yaml"));
        Record record = new Record("customer", "C-1", "erp", Map.of("creditLimit", -5));
        FieldChange limit = change(record, "creditLimit", 10, -5);
        rules.decide(record, List.of(limit));
        assertThat(limit.getDecision()).isEqualTo(new Decision(Outcome.INVALID, "out of range", TABLE + ":6"));
    }

    @Test
    void aCompleteTableReportsItsGapsWithExamples() throws IOException {
        Workspace workspace = load("""
                entity: customer
                hit: first
                fields: [creditLimit]
                complete: true
                rows:
                  - new: '[0..1000)'
                    outcome: accept
                  - new: '> 1000'
                    source: erp
                    outcome: accept
                  - field: phone
                    outcome: reject
                """);

        assertThat(workspace.diagnostics()).filteredOn(d -> d.file().equals(TABLE)).extracting(Diagnostic::toString).containsExactly(
                TABLE + ":11:12: warning: field 'phone' is not one of the table's fields [creditLimit]; the table never decides its changes",
                TABLE + ":11:5: warning: row 3 can never match a change of [creditLimit]: its cells contradict each other or the table's fields",
                TABLE + ":1:1: error: the table is complete: true but no row matches 9 cases, e.g. when new = empty,"
                        + " source = \"crm\", field = \"creditLimit\"; when new = empty, source = \"erp\", field = \"creditLimit\";"
                        + " when new = -1, source = \"crm\", field = \"creditLimit\"");
    }

    @Test
    void aCompleteTableMakesAChangeNoRowMatchesInvalid() throws IOException {
        Workspace workspace = load("""
                entity: customer
                hit: first
                fields: [creditLimit]
                complete: true
                rows:
                  - new: '[0..1000]'
                    outcome: accept
                  - new: 'not [0..1000]'
                    outcome: invalid
                    message: bad limit
                """);
        assertThat(workspace.diagnostics()).isEmpty();
        RuleSet rules = ruleSet(workspace, workspace.decisionTables().get("checks.table.yaml"));
        Record record = new Record("customer", "C-1", "erp", Map.of("creditLimit", 5000));
        FieldChange limit = change(record, "creditLimit", 10, 5000);
        rules.decide(record, List.of(limit));
        assertThat(limit.getDecision().outcome()).isEqualTo(Outcome.INVALID);
        assertThat(limit.getDecision().by()).isEqualTo(TABLE + ":8");
    }

    @Test
    void changedAsksWhetherTheRecordFieldChangedInThisEvent() throws IOException {
        Workspace workspace = load("""
                entity: customer
                hit: first
                rows:
                  - field: creditLimit
                    email: changed
                    outcome: reject
                    message: not together with a new email ({email})
                """);
        assertThat(workspace.diagnostics()).isEmpty();
        RuleSet rules = ruleSet(workspace, workspace.decisionTables().get("checks.table.yaml"));

        Record both = new Record("customer", "C-1", "erp", Map.of("creditLimit", 5000, "email", "a@b.c"));
        FieldChange limit = change(both, "creditLimit", 10, 5000);
        rules.decide(both, List.of(limit, change(both, "email", "x@y.z", "a@b.c")));
        assertThat(limit.getDecision()).isEqualTo(new Decision(Outcome.REJECT, "not together with a new email (a@b.c)",
                TABLE + ":4"));

        FieldChange alone = change(both, "creditLimit", 10, 5000);
        rules.decide(both, List.of(alone));
        assertThat(alone.getDecision().by()).isEqualTo("rules/mastership.yaml:6");
    }

    @Test
    void aSourceThatIsNoSystemIsAWarningAndATableForAnotherEntityWarnsTheFlow() throws IOException {
        Workspace workspace = load("""
                entity: deal
                hit: first
                rows:
                  - source: sap
                    outcome: reject
                """);

        assertThat(workspace.diagnostics()).extracting(Diagnostic::toString).containsExactly(
                TABLE + ":4:13: warning: source 'sap' is not a system of steward.yaml (crm, erp)",
                TABLE + ":4:5: warning: row 1 can never match: its cells contradict each other or the table's fields",
                "flows/table-customer.yaml:9:12: warning: rules/checks.table.yaml decides deal changes; this flow's customer"
                        + " changes never match it");
    }

    @Test
    void aDoubleQuotedCellIsOneTextAndARegexThatBacktracksMakesTheRecordInvalid() throws IOException {
        Workspace workspace = load("""
                entity: customer
                hit: first
                rows:
                  - field: phone
                    new: "> 5"
                    outcome: reject
                    message: a phone number that reads "> 5"
                  - field: email
                    new: matches "(.*a){12}"
                    outcome: reject
                """);
        assertThat(workspace.diagnostics()).isEmpty();
        RuleSet rules = ruleSet(workspace, workspace.decisionTables().get("checks.table.yaml"));

        Record record = new Record("customer", "C-1", "crm", Map.of("phone", "> 5", "email", "a".repeat(40) + "b"));
        FieldChange phone = change(record, "phone", null, "> 5");
        FieldChange email = change(record, "email", null, "a".repeat(40) + "b");
        rules.decide(record, List.of(phone, email));

        assertThat(phone.getDecision().outcome()).isEqualTo(Outcome.INVALID);
        assertThat(email.getDecision()).isEqualTo(new Decision(Outcome.INVALID, "the decision table failed on this record:"
                + " a 'matches' regex gave up after 1000000 steps on this value (it backtracks too much; simplify it)", TABLE));

        Record plain = new Record("customer", "C-2", "crm", Map.of("phone", "> 5"));
        FieldChange literal = change(plain, "phone", null, "> 5");
        rules.decide(plain, List.of(literal));
        assertThat(literal.getDecision()).isEqualTo(new Decision(Outcome.REJECT, "a phone number that reads \"> 5\"",
                TABLE + ":4"));
    }

    private Workspace load(String table) throws IOException {
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
        Files.delete(home.resolve("transforms/broken.js"));
        Files.writeString(home.resolve(TABLE), table);
        Files.writeString(home.resolve("flows/table-customer.yaml"), """
                id: table-customer
                trigger:
                  webhook: { path: table/customer }
                source: crm
                entity: customer
                key: id
                fields: { email: email, phone: phone, creditLimit: credit_limit }
                steps:
                  - rules: [mastership.yaml, checks.table.yaml]
                  - sync: { to: [erp] }
                """);
        return loader.load(home);
    }

    private RuleSet ruleSet(Workspace workspace, DecisionTable table) {
        return compiler.compile(List.of(workspace.mastership().get("mastership.yaml")), List.of(table), List.of())
                .ruleSet().orElseThrow();
    }

    private static FieldChange change(Record record, String field, Object oldValue, Object newValue) {
        String master = field.equals("creditLimit") ? "erp" : "crm";
        return new FieldChange(record.getEntity(), record.getKey(), field, oldValue, newValue, record.getSource(), master);
    }
}
