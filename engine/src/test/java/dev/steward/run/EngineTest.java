package dev.steward.run;

import dev.steward.Engine;
import dev.steward.model.Workspace;
import dev.steward.store.EventStatus;
import dev.steward.store.StoredEvent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The engine without HTTP: a two-way workspace over two real H2 databases. Changes are computed
 * against what Steward last knew, so a target's echo of Steward's own write changes nothing.
 */
class EngineTest {

    @TempDir
    Path home;
    TwoWayWorkspace two;
    Engine engine;
    Workspace workspace;

    @BeforeEach
    void start() throws IOException {
        two = new TwoWayWorkspace(home);
        engine = two.engine;
        workspace = two.workspace;
    }

    @AfterEach
    void stop() {
        two.close();
    }

    @Test
    void eachSideWritesOnlyWhatItMastersAndEchoesChangeNothing() {
        StoredEvent fromCrm = run("crm-customer", "{\"id\":\"C-1\",\"email\":\"a@crm.example\",\"credit_limit\":100}");
        assertThat(fromCrm.status()).isEqualTo(EventStatus.SUCCEEDED);
        assertThat(engine.read("erp", "customer", "C-1").fields()).containsEntry("email", "a@crm.example")
                .containsEntry("creditLimit", null);

        // The ERP's webhook about Steward's own write, plus its own credit limit.
        StoredEvent echo = run("erp-customer", "{\"crm_id\":\"C-1\",\"email\":\"a@crm.example\",\"credit_limit\":2500.00}");
        assertThat(echo.trace()).contains("{\"field\":\"email\",\"newValue\":\"a@crm.example\",\"decision\":\"suppress\"")
                .contains("\"field\":\"creditLimit\"");
        assertThat(engine.read("crm", "customer", "C-1").fields()).containsEntry("creditLimit", 2500L);

        // The CRM's webhook about Steward's write of the credit limit: nothing has changed, nothing is written.
        StoredEvent secondEcho = run("crm-customer", "{\"id\":\"C-1\",\"email\":\"a@crm.example\",\"credit_limit\":2500}");
        assertThat(secondEcho.trace()).contains("\"unchanged\":[\"email\"]")
                .contains("{\"field\":\"creditLimit\",\"oldValue\":100,\"newValue\":2500,\"decision\":\"suppress\"")
                .contains("\"writes\":[{\"system\":\"erp\",\"fields\":{},\"result\":\"skipped\"");
    }

    @Test
    void aDryRunDecidesButNeitherWritesNorRemembers() {
        RunResult result = engine.dryRun(workspace.flows().get("crm-customer"),
                "{\"id\":\"C-9\",\"email\":\"d@crm.example\"}".getBytes(StandardCharsets.UTF_8));

        assertThat(result.status()).isEqualTo(EventStatus.SUCCEEDED);
        assertThat(result.trace().writes()).singleElement().satisfies(w -> assertThat(w.result()).isEqualTo("dry-run"));
        assertThat(engine.read("erp", "customer", "C-9").exists()).isFalse();
        assertThat(engine.store().knownValues("crm", "customer", "C-9")).isEmpty();
    }

    @Test
    void payloadsWithoutJsonOrKeyAreRefusedBeforeAnythingIsStored() {
        var flow = workspace.flows().get("crm-customer");
        assertThatThrownBy(() -> engine.receive(flow, Optional.empty(), "[1,2]".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(PayloadRejectedException.class).hasMessageContaining("JSON object");
        assertThatThrownBy(() -> engine.receive(flow, Optional.empty(), "{\"id\":".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(PayloadRejectedException.class).hasMessageContaining("not valid JSON");
        String deep = "{\"id\":\"C\",\"x\":" + "[".repeat(100) + "]".repeat(100) + "}";
        assertThatThrownBy(() -> engine.receive(flow, Optional.empty(), deep.getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(PayloadRejectedException.class).hasMessageContaining("too deep");
        assertThat(engine.store().recent(10, Optional.empty(), Optional.empty())).isEmpty();
    }

    private StoredEvent run(String flowId, String body) {
        return two.run(flowId, body);
    }
}
