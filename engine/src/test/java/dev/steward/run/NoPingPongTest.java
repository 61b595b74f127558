package dev.steward.run;

import dev.steward.store.EventStatus;
import dev.steward.store.StoredEvent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigDecimal;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Directionality, echoes, late deliveries, healing and the flip-flop breaker, on two real H2
 * systems with a flow each way.
 */
class NoPingPongTest {

    @TempDir
    Path home;

    @Test
    void aSubscribersChangeToAMasteredFieldIsRejectedAndNeverReachesTheMaster() throws Exception {
        try (TwoWayWorkspace two = new TwoWayWorkspace(home)) {
            two.run("crm-customer", "{\"id\":\"C-1\",\"email\":\"crm@x.example\"}");
            StoredEvent fromErp = two.run("erp-customer", "{\"crm_id\":\"C-1\",\"email\":\"typo@erp.example\"}");

            assertThat(fromErp.trace()).contains("\"decision\":\"reject\",\"reason\":\"CRM owns contact data.\"");
            assertThat(two.engine.read("crm", "customer", "C-1").exists()).as("nothing was written to the CRM").isFalse();
            assertThat(two.engine.store().writes("crm", "customer", "C-1", 10)).isEmpty();
            assertThat(two.field("erp", "C-1", "email")).isEqualTo("crm@x.example");
        }
    }

    @Test
    void withEnforceTheMastersValueIsWrittenBackToTheSubscriberThatChangedIt() throws Exception {
        try (TwoWayWorkspace two = new TwoWayWorkspace(home, ", enforce: true", "", "")) {
            two.run("erp-customer", "{\"crm_id\":\"C-2\",\"credit_limit\":2500}");
            assertThat(two.field("crm", "C-2", "creditLimit")).isEqualTo(2500L);

            // Someone in the CRM edits the credit limit, which the ERP masters.
            StoredEvent edit = two.run("crm-customer", "{\"id\":\"C-2\",\"credit_limit\":99999}");
            assertThat(edit.trace()).contains("\"decision\":\"reject\",\"reason\":\"ERP owns credit.\"")
                    .contains("\"result\":\"healed\"");
            assertThat(two.field("crm", "C-2", "creditLimit")).isEqualTo(2500L);

            // The CRM's webhook about the heal is an echo: nothing more happens.
            StoredEvent echo = two.run("crm-customer", "{\"id\":\"C-2\",\"credit_limit\":2500}");
            assertThat(echo.trace()).contains("\"decision\":\"suppress\"").contains("\"written\":0");
        }
    }

    @Test
    void aLateOlderDeliveryNeverOverwritesANewerValue() throws Exception {
        try (TwoWayWorkspace two = new TwoWayWorkspace(home)) {
            two.run("crm-customer", "{\"id\":\"C-3\",\"email\":\"new@x.example\",\"updated\":\"2026-11-26T10:00:00Z\"}");
            StoredEvent late = two.run("crm-customer", "{\"id\":\"C-3\",\"email\":\"old@x.example\",\"updated\":\"2026-11-26T09:00:00Z\"}");

            assertThat(late.trace()).contains("\"decision\":\"suppress\",\"reason\":\"older than version \\\"2026-11-26T10:00:00Z\\\"");
            assertThat(two.field("erp", "C-3", "email")).isEqualTo("new@x.example");
        }
    }

    @Test
    void aHumanEditThatArrivesBeforeTheEchoOfStewardsWriteIsNotLost() throws Exception {
        try (TwoWayWorkspace two = new TwoWayWorkspace(home)) {
            // Steward writes the ERP's credit limit to the CRM...
            two.run("erp-customer", "{\"crm_id\":\"C-4\",\"credit_limit\":100}");
            // ...a person then changes it in the CRM, and that webhook overtakes the echo of Steward's write.
            StoredEvent human = two.run("crm-customer", "{\"id\":\"C-4\",\"credit_limit\":777}");
            StoredEvent echo = two.run("crm-customer", "{\"id\":\"C-4\",\"credit_limit\":100}");

            assertThat(human.trace()).contains("\"field\":\"creditLimit\"").contains("\"decision\":\"reject\"");
            assertThat(echo.trace()).contains("\"decision\":\"suppress\",\"reason\":\"echo of Steward's own write");
            assertThat(two.engine.store().knownValues("crm", "customer", "C-4"))
                    .as("what the CRM last reported is the person's edit, not the stale echo").containsEntry("creditLimit", "777");
        }
    }

    @Test
    void withoutVersionsALateEchoOfAnEarlierWriteIsAnEchoAndAnUndoToItIsAnEdit() throws Exception {
        try (TwoWayWorkspace two = new TwoWayWorkspace(home, ", enforce: true", "", "")) {
            // The ERP changes the credit limit twice; Steward writes both values to the CRM
            // before the CRM's webhooks about them arrive (no versions in these deliveries).
            two.run("erp-customer", "{\"crm_id\":\"C-8\",\"credit_limit\":100}");
            two.run("erp-customer", "{\"crm_id\":\"C-8\",\"credit_limit\":200}");
            StoredEvent first = two.run("crm-customer", "{\"id\":\"C-8\",\"credit_limit\":100}");
            StoredEvent second = two.run("crm-customer", "{\"id\":\"C-8\",\"credit_limit\":200}");

            assertThat(first.trace()).contains("\"decision\":\"suppress\",\"reason\":\"echo of Steward's earlier write")
                    .contains("\"written\":0").doesNotContain("healed");
            assertThat(second.trace()).contains("\"decision\":\"suppress\",\"reason\":\"echo of Steward's own write")
                    .contains("\"written\":0");
            assertThat(two.engine.store().writes("crm", "customer", "C-8", 10)).as("no write caused by an echo").hasSize(2);
            assertThat(two.field("crm", "C-8", "creditLimit")).isEqualTo(200L);

            // Both echoes came back: a person in the CRM setting the first value again is an edit, healed.
            StoredEvent undo = two.run("crm-customer", "{\"id\":\"C-8\",\"credit_limit\":100}");
            assertThat(undo.trace()).contains("\"decision\":\"reject\"").contains("\"result\":\"healed\"");
            assertThat(two.engine.store().writes("crm", "customer", "C-8", 10)).hasSize(3);
        }
    }

    @Test
    void aFieldThatKeepsReversingIsHeldUntilReleased() throws Exception {
        try (TwoWayWorkspace two = new TwoWayWorkspace(home, "", "loops: { maxReversals: 2, window: 1h }\n", "")) {
            String[] values = {"a@x.example", "b@x.example", "a@x.example", "b@x.example", "a@x.example"};
            StoredEvent last = null;
            for (String value : values) {
                last = two.run("crm-customer", "{\"id\":\"C-5\",\"email\":\"" + value + "\"}");
            }
            // a,b,a,b: two reversals pass; the fifth write would be the third.
            assertThat(last.status()).isEqualTo(EventStatus.SUCCEEDED);
            assertThat(last.trace()).contains("\"result\":\"held\"").contains("reversed 3 times");
            assertThat(two.field("erp", "C-5", "email")).isEqualTo("b@x.example");
            assertThat(two.engine.store().holds()).singleElement().satisfies(hold -> {
                assertThat(hold.field()).isEqualTo("email");
                assertThat(hold.history()).isEqualTo("[\"a@x.example\",\"b@x.example\",\"a@x.example\",\"b@x.example\",\"a@x.example\"]");
            });

            assertThat(two.engine.store().releaseHold("customer", "C-5", "email")).isTrue();
            two.run("crm-customer", "{\"id\":\"C-5\",\"email\":\"c@x.example\"}");
            assertThat(two.field("erp", "C-5", "email")).isEqualTo("c@x.example");
        }
    }

    @Test
    void numbersThatOnlyLookDifferentAreNotAChange() throws Exception {
        try (TwoWayWorkspace two = new TwoWayWorkspace(home)) {
            two.run("erp-customer", "{\"crm_id\":\"C-6\",\"credit_limit\":1500}");
            StoredEvent same = two.run("erp-customer", "{\"crm_id\":\"C-6\",\"credit_limit\":1500.00}");

            assertThat(same.trace()).contains("\"unchanged\":[\"creditLimit\"]").contains("\"written\":0");
            assertThat(two.field("crm", "C-6", "creditLimit")).isEqualTo(1500L);
            assertThat(new BigDecimal("1500.00").stripTrailingZeros()).isEqualByComparingTo("1500");
        }
    }
}
