package dev.steward.run;

import dev.steward.store.EventStatus;
import dev.steward.store.StoredEvent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A flow's {@code transform} step on a real engine over two H2 databases: the script's fields
 * are the ones the rules decide and the sync writes, and a script that fails ends its event
 * failed, as a dead letter, with the script's message.
 */
class TransformStepTest {

    @TempDir
    Path home;

    @Test
    void aTransformChangesWhatIsDecidedAndWritten() throws IOException {
        Files.createDirectories(home.resolve("transforms"));
        Files.writeString(home.resolve("transforms/tidy.js"), """
                function transform(record, ctx) {
                  record.email = record.email.trim().toLowerCase();
                  delete record.creditLimit;              // the CRM's credit limit is never news
                  record.tier = ctx.source + ':' + ctx.key; // a field the flow maps, added
                  return record;
                }
                """);
        try (TwoWayWorkspace two = new TwoWayWorkspace(home, "", "", """
                - { entity: customer, fields: [tier], master: crm, subscribers: [erp], reason: CRM tiers. }
                """, "- transform: { js: transforms/tidy.js }\n")) {
            StoredEvent event = two.run("crm-customer", "{\"id\":\"C-1\",\"email\":\"  Ada@CRM.Example \",\"credit_limit\":9000}");

            assertThat(event.status()).isEqualTo(EventStatus.SUCCEEDED);
            assertThat(two.field("erp", "C-1", "email")).isEqualTo("ada@crm.example");
            assertThat(two.field("erp", "C-1", "tier")).isEqualTo("crm:C-1");
            assertThat(event.trace()).contains("{\"step\":\"transform\",\"at\":\"flows/crm-customer.yaml:9\",\"result\":\"ok\","
                    + "\"detail\":\"transforms/tidy.js: changed email; dropped creditLimit; added tier\"}")
                    .doesNotContain("\"field\":\"creditLimit\"");
            // What Steward remembers of the CRM is the transformed record: the same delivery again changes nothing.
            StoredEvent again = two.run("crm-customer", "{\"id\":\"C-1\",\"email\":\"ada@crm.example\",\"credit_limit\":1}");
            assertThat(again.trace()).contains("\"unchanged\":[\"email\",\"tier\"]");
        }
    }

    @Test
    void anInlineTransformThatThrowsEndsTheEventAsADeadLetterWithItsLine() throws IOException {
        try (TwoWayWorkspace two = new TwoWayWorkspace(home, "", "", "", """
                - transform:
                    js: |
                      function transform(record, ctx) {
                        if (!record.email.includes('@')) throw new Error('no @ in ' + record.email);
                        return record;
                      }
                """)) {
            StoredEvent event = two.run("crm-customer", "{\"id\":\"C-2\",\"email\":\"nobody\"}");

            assertThat(event.status()).isEqualTo(EventStatus.FAILED);
            assertThat(event.error()).startsWith("transform failed: flows/crm-customer.yaml:12:").contains("no @ in nobody");
            assertThat(event.trace()).contains("\"step\":\"transform\",\"at\":\"flows/crm-customer.yaml:9\",\"result\":\"failed\"");
            assertThat(two.engine.read("erp", "customer", "C-2").exists()).isFalse();
            assertThat(two.engine.store().deadLetters(10, java.util.Optional.empty())).extracting(StoredEvent::id)
                    .contains(event.id());
            assertThat(two.engine.store().knownValues("crm", "customer", "C-2")).as("nothing remembered").isEmpty();
        }
    }

    @Test
    void aTransformThatReturnsAFieldTheFlowDoesNotMapFailsTheEvent() throws IOException {
        try (TwoWayWorkspace two = new TwoWayWorkspace(home, "", "", "", """
                - transform: { js: "function transform(record) { record.nickname = 'x'; return record; }" }
                """)) {
            StoredEvent event = two.run("crm-customer", "{\"id\":\"C-3\",\"email\":\"c@crm.example\"}");

            assertThat(event.status()).isEqualTo(EventStatus.FAILED);
            assertThat(event.error()).contains("returned nickname, which the flow does not map");
        }
    }
}
