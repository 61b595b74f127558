package dev.steward.rules;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static dev.steward.rules.ExampleWorkspace.change;
import static dev.steward.rules.ExampleWorkspace.customer;
import static dev.steward.rules.ExampleWorkspace.drl;
import static dev.steward.rules.ExampleWorkspace.mastership;
import static org.assertj.core.api.Assertions.assertThat;

/** Scenarios for the example workspace's rule files, as the flows in {@code ../flows/} use them. */
class ExampleRulesTest {

    private static final RuleSetCompiler COMPILER = new RuleSetCompiler();

    /** {@code crm-customer.yaml}: {@code rules: [mastership.yaml, customer-validation.drl]}. */
    private final RuleSet customerRules = COMPILER
            .compile(List.of(mastership()), List.of(drl("customer-validation.drl"))).ruleSet().orElseThrow();
    /** {@code erp-order.yaml} and {@code crm-deal.yaml}: {@code rules: [mastership.yaml, deal-exceptions.drl]}. */
    private final RuleSet dealRules = COMPILER
            .compile(List.of(mastership()), List.of(drl("deal-exceptions.drl"))).ruleSet().orElseThrow();

    @Test
    void allExampleRuleFilesCompileTogetherWithoutDiagnostics() {
        CompiledRules compiled = COMPILER.compile(List.of(mastership()),
                List.of(drl("customer-validation.drl"), drl("deal-exceptions.drl")));

        assertThat(compiled.diagnostics()).isEmpty();
        assertThat(compiled.ruleSet()).isPresent();
    }

    @Test
    void anEmailWithoutAnAtIsInvalid() {
        Record record = customer("crm", Map.of("email", "bob.example.com", "phone", "+49 30 1234"));
        FieldChange email = change(record, "email", "bob@example.com", "bob.example.com", customerRules);
        FieldChange phone = change(record, "phone", null, "+49 30 1234", customerRules);

        customerRules.decide(record, List.of(email, phone));

        assertThat(email.getDecision()).isEqualTo(new Decision(Outcome.INVALID,
                "email 'bob.example.com' is not an email address",
                "rules/customer-validation.drl: rule \"Email must contain @\""));
        assertThat(phone.getDecision().outcome()).isEqualTo(Outcome.ACCEPT);
    }

    @Test
    void aNegativeCreditLimitIsInvalidEvenFromItsMaster() {
        Record record = customer("erp", Map.of("creditLimit", "-500"));
        FieldChange creditLimit = change(record, "creditLimit", "1000", "-500", customerRules);

        customerRules.decide(record, List.of(creditLimit));

        assertThat(creditLimit.getDecision()).isEqualTo(new Decision(Outcome.INVALID,
                "credit limit -500 is negative",
                "rules/customer-validation.drl: rule \"Credit limit cannot be negative\""));
    }

    @Test
    void aGoodCustomerFromTheCrmHasItsEmailAcceptedAndItsCreditLimitRejected() {
        Record record = customer("crm", Map.of("email", "ann@example.com", "creditLimit", 2500));
        FieldChange email = change(record, "email", null, "ann@example.com", customerRules);
        FieldChange creditLimit = change(record, "creditLimit", 1000, 2500, customerRules);

        customerRules.decide(record, List.of(email, creditLimit));

        assertThat(email.getDecision()).isEqualTo(new Decision(Outcome.ACCEPT,
                "CRM is the primary entry point for sales.", "rules/mastership.yaml:12"));
        assertThat(creditLimit.getDecision()).isEqualTo(new Decision(Outcome.REJECT,
                "ERP manages fiscal risk and accounting.", "rules/mastership.yaml:17"));
    }

    @Test
    void aCreditLimitThatIsNotANumberMakesTheRecordInvalidInsteadOfFailingTheRun() {
        Record record = customer("erp", Map.of("creditLimit", "lots"));
        FieldChange creditLimit = change(record, "creditLimit", "1000", "lots", customerRules);

        customerRules.decide(record, List.of(creditLimit));

        assertThat(creditLimit.getDecision().outcome()).isEqualTo(Outcome.INVALID);
        assertThat(creditLimit.getDecision().reason())
                .startsWith("the rules failed on this record: ").contains("lots");
    }

    @Test
    void theErpMayCancelADeal() {
        Record record = deal("erp", "Cancelled");
        FieldChange status = change(record, "status", "Open", "Cancelled", dealRules);

        dealRules.decide(record, List.of(status));

        assertThat(status.getDecision()).isEqualTo(new Decision(Outcome.ACCEPT, "the ERP cancelled the order",
                "rules/deal-exceptions.drl: rule \"ERP may cancel a deal\""));
    }

    @Test
    void anyOtherDealStatusFromTheErpIsRejected() {
        for (String status : List.of("Won", "Open", "cancelled")) {
            Record record = deal("erp", status);
            FieldChange change = change(record, "status", "Draft", status, dealRules);

            dealRules.decide(record, List.of(change));

            assertThat(change.getDecision()).as(status).isEqualTo(new Decision(Outcome.REJECT,
                    "CRM owns customer-facing sales stages.", "rules/mastership.yaml:7"));
        }
    }

    @Test
    void aDealStatusFromTheCrmIsAccepted() {
        Record record = deal("crm", "Cancelled");
        FieldChange status = change(record, "status", "Open", "Cancelled", dealRules);

        dealRules.decide(record, List.of(status));

        assertThat(status.getDecision()).isEqualTo(new Decision(Outcome.ACCEPT,
                "CRM owns customer-facing sales stages.", "rules/mastership.yaml:7"));
    }

    @Test
    void oneRuleSetDecidesForManyThreadsAtOnce() throws Exception {
        var pool = java.util.concurrent.Executors.newFixedThreadPool(8);
        try {
            List<java.util.concurrent.Future<Decision>> results = new java.util.ArrayList<>();
            for (int i = 0; i < 200; i++) {
                String email = i % 2 == 0 ? "user" + i + "@example.com" : "user" + i;
                results.add(pool.submit(() -> {
                    Record record = customer("crm", Map.of("email", email));
                    FieldChange change = change(record, "email", null, email, customerRules);
                    customerRules.decide(record, List.of(change));
                    return change.getDecision();
                }));
            }
            for (int i = 0; i < results.size(); i++) {
                assertThat(results.get(i).get().outcome()).as("change " + i)
                        .isEqualTo(i % 2 == 0 ? Outcome.ACCEPT : Outcome.INVALID);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private static Record deal(String source, String status) {
        Map<String, Object> fields = new HashMap<>();
        fields.put("status", status);
        return new Record("deal", "D-7", source, fields);
    }
}
