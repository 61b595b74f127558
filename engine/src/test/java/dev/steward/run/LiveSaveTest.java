package dev.steward.run;

import dev.steward.api.Validation;
import dev.steward.plugin.EntityConfig;
import dev.steward.store.EventStatus;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Saving through {@code Engine.apply} with real connectors (H2 through JDBC): a valid save swaps
 * the live workspace, a run that holds the old one keeps it open until it ends, the next run
 * uses the new one; an invalid save changes nothing.
 */
class LiveSaveTest {

    @TempDir
    Path temp;
    TwoWayWorkspace two;
    Path flow;

    @BeforeEach
    void start() throws IOException {
        two = new TwoWayWorkspace(temp);
        flow = temp.resolve("flows/crm-customer.yaml");
    }

    @AfterEach
    void stop() {
        two.close();
    }

    @Test
    void aRunHoldsTheOldWorkspaceUntilItEndsAndTheNextRunUsesTheNewOne() throws IOException {
        LiveWorkspace.Lease running = two.engine.live().acquire();
        ActiveWorkspace old = running.active();
        EntityConfig customer = old.workspace().systems().get("erp").entity("customer").orElseThrow();

        Validation saved = two.engine.apply(Map.of("flows/crm-customer.yaml",
                "description: saved through the API\n" + Files.readString(flow)), true);

        assertThat(saved.valid()).as(saved.diagnostics().toString()).isTrue();
        assertThat(saved.saved()).isTrue();
        assertThat(Files.readString(flow)).startsWith("description: saved through the API");
        assertThat(two.engine.live().current()).isNotSameAs(old);
        assertThat(two.engine.workspace().flows().get("crm-customer").description()).isEqualTo("saved through the API");
        assertThat(old.connectors().get("erp").orElseThrow().read(customer, "C-0")).as("still open for the run").isEmpty();

        running.close();

        assertThatThrownBy(() -> old.connectors().get("erp").orElseThrow().read(customer, "C-0"))
                .as("closed once the last run on it ended").isInstanceOf(RuntimeException.class);
        assertThat(two.run("crm-customer", "{\"id\":\"C-1\",\"email\":\"new@example.com\",\"updated\":1}").status())
                .isEqualTo(EventStatus.SUCCEEDED);
        assertThat(two.field("erp", "C-1", "email")).isEqualTo("new@example.com");
    }

    @Test
    void anInvalidSaveChangesNothing() throws IOException {
        String before = Files.readString(flow);
        ActiveWorkspace live = two.engine.live().current();

        Validation refused = two.engine.apply(Map.of("flows/crm-customer.yaml", before.replace("to: [erp]", "to: [nowhere]")), true);

        assertThat(refused.valid()).isFalse();
        assertThat(refused.saved()).isFalse();
        assertThat(refused.diagnostics()).anySatisfy(d -> {
            assertThat(d.file()).isEqualTo("flows/crm-customer.yaml");
            assertThat(d.line()).isPositive();
            assertThat(d.message()).contains("nowhere");
        });
        assertThat(Files.readString(flow)).isEqualTo(before);
        assertThat(two.engine.live().current()).isSameAs(live);
        assertThat(two.run("crm-customer", "{\"id\":\"C-2\",\"email\":\"b@example.com\",\"updated\":1}").status())
                .isEqualTo(EventStatus.SUCCEEDED);
    }

    @Test
    void aRulesFileChangesTheRulesVersion() throws IOException {
        String started = two.engine.rulesVersion();
        String table = Files.readString(temp.resolve("rules/mastership.yaml"));

        Validation checked = two.engine.apply(Map.of("rules/mastership.yaml", table.replace("CRM owns contact data.",
                "The CRM owns contact data.")), false);

        assertThat(checked.valid()).isTrue();
        assertThat(checked.saved()).isFalse();
        assertThat(checked.rulesVersion()).isPresent().get().isNotEqualTo(started);
        assertThat(two.engine.rulesVersion()).as("a check changes nothing").isEqualTo(started);
        assertThat(two.engine.rulesVersions()).singleElement().satisfies(v -> assertThat(v.hash()).isEqualTo(started));
    }
}
