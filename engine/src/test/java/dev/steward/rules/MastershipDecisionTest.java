package dev.steward.rules;

import dev.steward.model.MastershipTable;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static dev.steward.rules.ExampleWorkspace.change;
import static dev.steward.rules.ExampleWorkspace.customer;
import static dev.steward.rules.ExampleWorkspace.mastership;
import static dev.steward.rules.ExampleWorkspace.withUnmastered;
import static org.assertj.core.api.Assertions.assertThat;

class MastershipDecisionTest {

    private final RuleSetCompiler compiler = new RuleSetCompiler();

    private RuleSet rules(MastershipTable... tables) {
        return compiler.compile(List.of(tables), List.of()).ruleSet().orElseThrow();
    }

    @Test
    void aChangeFromTheMasterIsAcceptedWithTheRowsReason() {
        RuleSet rules = rules(mastership());
        Record record = customer("erp", Map.of("creditLimit", 5000));
        FieldChange creditLimit = change(record, "creditLimit", 1000, 5000, rules);

        rules.decide(record, List.of(creditLimit));

        assertThat(creditLimit.getDecision())
                .isEqualTo(new Decision(Outcome.ACCEPT, "ERP manages fiscal risk and accounting.", "rules/mastership.yaml:17"));
    }

    @Test
    void aChangeFromASubscriberIsRejectedWithTheRowsReason() {
        RuleSet rules = rules(mastership());
        Record record = customer("crm", Map.of("creditLimit", 5000, "email", "a@b.example"));
        FieldChange creditLimit = change(record, "creditLimit", 1000, 5000, rules);
        FieldChange email = change(record, "email", "old@b.example", "a@b.example", rules);

        rules.decide(record, List.of(creditLimit, email));

        assertThat(creditLimit.getDecision())
                .isEqualTo(new Decision(Outcome.REJECT, "ERP manages fiscal risk and accounting.", "rules/mastership.yaml:17"));
        assertThat(email.getDecision())
                .isEqualTo(new Decision(Outcome.ACCEPT, "CRM is the primary entry point for sales.", "rules/mastership.yaml:12"));
    }

    @Test
    void aFieldNoTableMastersIsRejected() {
        RuleSet rules = rules(mastership());
        Record record = customer("crm", Map.of("nickname", "Bob"));
        FieldChange nickname = change(record, "nickname", null, "Bob", rules);

        rules.decide(record, List.of(nickname));

        assertThat(nickname.getMaster()).isNull();
        assertThat(nickname.getDecision())
                .isEqualTo(new Decision(Outcome.REJECT, "no master", "rules/mastership.yaml"));
    }

    @Test
    void anEntityMarkedUnmasteredAcceptTakesUnmasteredFieldsFromAnySource() {
        RuleSet rules = rules(withUnmastered(mastership(), "customer", true, 22));
        Record record = customer("erp", Map.of("nickname", "Bob", "email", "x@y.example"));
        FieldChange nickname = change(record, "nickname", null, "Bob", rules);
        FieldChange email = change(record, "email", null, "x@y.example", rules);

        rules.decide(record, List.of(nickname, email));

        assertThat(nickname.getDecision())
                .isEqualTo(new Decision(Outcome.ACCEPT, "unmastered: accept", "rules/mastership.yaml:22"));
        assertThat(email.getDecision().outcome()).as("a mastered field is still mastered").isEqualTo(Outcome.REJECT);
    }

    @Test
    void unmasteredAcceptIsPerEntity() {
        RuleSet rules = rules(withUnmastered(mastership(), "deal", true, 22));
        Record record = customer("crm", Map.of("nickname", "Bob"));
        FieldChange nickname = change(record, "nickname", null, "Bob", rules);

        rules.decide(record, List.of(nickname));

        assertThat(nickname.getDecision().outcome()).isEqualTo(Outcome.REJECT);
        assertThat(nickname.getDecision().reason()).isEqualTo("no master");
    }

    @Test
    void rowsAndMastersAreLookedUpByEntityAndField() {
        RuleSet rules = rules(mastership());

        assertThat(rules.masterOf("customer", "creditLimit")).contains("erp");
        assertThat(rules.masterOf("customer", "phone")).contains("crm");
        assertThat(rules.masterOf("deal", "phone")).isEmpty();
        assertThat(rules.rowFor("product", "inventoryQty")).hasValueSatisfying(row -> {
            assertThat(row.subscribers()).containsExactly("crm");
            assertThat(row.location().line()).isEqualTo(2);
        });
    }

    @Test
    void theHandBuiltTableMatchesTheExampleFileLineForLine() {
        List<String> lines = ExampleWorkspace.read(ExampleWorkspace.RULES.resolve("mastership.yaml")).lines().toList();

        for (var row : mastership().rows()) {
            assertThat(lines.get(row.location().line() - 1)).isEqualTo("- entity: " + row.entity());
            assertThat(lines.get(row.location().line())).contains(String.join(", ", row.fields()));
        }
    }
}
