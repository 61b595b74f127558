package dev.steward.rules;

import dev.steward.model.DrlSource;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static dev.steward.rules.ExampleWorkspace.change;
import static dev.steward.rules.ExampleWorkspace.customer;
import static dev.steward.rules.ExampleWorkspace.fixture;
import static dev.steward.rules.ExampleWorkspace.mastership;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

/** How DRL decisions combine with mastership's. */
class DrlDecisionTest {

    private final RuleSetCompiler compiler = new RuleSetCompiler(200, 8);

    private RuleSet rules(DrlSource... drl) {
        CompiledRules compiled = compiler.compile(List.of(mastership()), List.of(drl));
        assertThat(compiled.diagnostics()).isEmpty();
        return compiled.ruleSet().orElseThrow();
    }

    @Test
    void aRuleOverridesAMastershipReject() {
        RuleSet rules = rules(new DrlSource("rules/phone.drl", """
                package rules;

                rule "The ERP may fill in a missing phone"
                when
                    $c : FieldChange(entity == "customer", field == "phone", source == "erp", oldValue == null)
                then
                    $c.accept("the CRM had no phone");
                end
                """));
        Record record = customer("erp", Map.of("phone", "+49 30 1234"));
        FieldChange phone = change(record, "phone", null, "+49 30 1234", rules);

        rules.decide(record, List.of(phone));

        assertThat(phone.getDecision()).isEqualTo(new Decision(Outcome.ACCEPT, "the CRM had no phone",
                "rules/phone.drl: rule \"The ERP may fill in a missing phone\""));
    }

    @Test
    void aRuleSeesWhatMastershipDecidedAndTheWholeRecord() {
        RuleSet rules = rules(new DrlSource("rules/vip.drl", """
                rule "VIP emails need a company domain"
                when
                    Record(get("tier") == "vip")
                    $c : FieldChange(field == "email", outcome == "accept", newValue.toString() matches ".*@gmail\\\\.com")
                then
                    $c.reject("VIP customers use their company address");
                end
                """));
        Record vip = customer("crm", Map.of("tier", "vip", "email", "ann@gmail.com"));
        Record regular = customer("crm", Map.of("tier", "regular", "email", "bob@gmail.com"));
        FieldChange vipEmail = change(vip, "email", null, "ann@gmail.com", rules);
        FieldChange regularEmail = change(regular, "email", null, "bob@gmail.com", rules);

        rules.decide(vip, List.of(vipEmail));
        rules.decide(regular, List.of(regularEmail));

        assertThat(vipEmail.getDecision()).isEqualTo(new Decision(Outcome.REJECT,
                "VIP customers use their company address", "rules/vip.drl: rule \"VIP emails need a company domain\""));
        assertThat(regularEmail.getDecision().outcome()).isEqualTo(Outcome.ACCEPT);
    }

    @Test
    void invalidIsFinal() {
        RuleSet rules = rules(new DrlSource("rules/final.drl", """
                package rules;

                rule "Phone must have digits" salience 10
                when
                    $c : FieldChange(field == "phone", newValue == "none")
                then
                    $c.invalid("phone 'none' has no digits");
                end

                rule "Accept every phone" salience 0
                when
                    $c : FieldChange(field == "phone")
                then
                    $c.accept("phones are welcome");
                end
                """));
        Record record = customer("crm", Map.of("phone", "none"));
        FieldChange phone = change(record, "phone", null, "none", rules);

        rules.decide(record, List.of(phone));

        assertThat(phone.getDecision()).isEqualTo(new Decision(Outcome.INVALID, "phone 'none' has no digits",
                "rules/final.drl: rule \"Phone must have digits\""));
    }

    @Test
    void aRuleThatKeepsReTriggeringItselfIsStoppedAndMakesEveryChangeInvalid() {
        RuleSet rules = rules(fixture("valid/looping.drl"));
        Record record = customer("crm", Map.of("email", "a@b.example", "phone", "1"));
        FieldChange email = change(record, "email", null, "a@b.example", rules);
        FieldChange phone = change(record, "phone", null, "1", rules);

        assertThatCode(() -> rules.decide(record, List.of(email, phone))).doesNotThrowAnyException();

        for (FieldChange change : List.of(email, phone)) {
            assertThat(change.getDecision().outcome()).isEqualTo(Outcome.INVALID);
            assertThat(change.getDecision().reason())
                    .startsWith("the rules did not settle after 200 firings; rule \"Touch every email\" fired ");
            assertThat(change.getDecision().by()).isEqualTo("rules/looping.drl: rule \"Touch every email\"");
        }
    }

    @Test
    void aFileThatImportsTheFactModelItselfCompilesToo() {
        RuleSet rules = rules(new DrlSource("rules/imports.drl", """
                package rules;
                import dev.steward.rules.FieldChange;
                import dev.steward.rules.Record;

                rule "Reject fax"
                when
                    Record()
                    $c : FieldChange(field == "fax")
                then
                    $c.reject("nobody reads faxes");
                end
                """));
        Record record = customer("crm", Map.of("fax", "123"));
        FieldChange fax = change(record, "fax", null, "123", rules);

        rules.decide(record, List.of(fax));

        assertThat(fax.getDecision().reason()).isEqualTo("nobody reads faxes");
    }

    @Test
    void decisionsNameTheFileOfTheRuleWhenSeveralFilesShareAPackage() {
        RuleSet rules = rules(ExampleWorkspace.drl("customer-validation.drl"), ExampleWorkspace.drl("deal-exceptions.drl"));
        Record record = new Record("deal", "D-1", "erp", Map.of("status", "Cancelled"));
        FieldChange status = change(record, "status", "Open", "Cancelled", rules);

        rules.decide(record, List.of(status));

        assertThat(status.getDecision().by()).isEqualTo("rules/deal-exceptions.drl: rule \"ERP may cancel a deal\"");
    }
}
