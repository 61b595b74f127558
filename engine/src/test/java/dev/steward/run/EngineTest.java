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
import java.time.Duration;
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
        assertThat(result.trace().writes()).singleElement().satisfies(w -> assertThat(w.result()).isEqualTo(RunTrace.WriteResult.DRY_RUN));
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

    @Test
    void numbersTooLargeToWriteOutAreRefusedNamingTheirField() {
        var flow = workspace.flows().get("crm-customer");
        long started = System.nanoTime();
        for (String number : new String[] {"1e99999999", "1e999999999", "-1E+401", "1e-401"}) {
            assertThatThrownBy(() -> engine.receive(flow, Optional.empty(),
                    ("{\"id\":\"C-1\",\"credit_limit\":" + number + "}").getBytes(StandardCharsets.UTF_8)))
                    .isInstanceOf(PayloadRejectedException.class).hasMessageContaining("'credit_limit'")
                    .hasMessageContaining("exponent").satisfies(e -> assertThat(((PayloadRejectedException) e).malformed()).isFalse());
        }
        String digits = "{\"id\":\"C-1\",\"tags\":[1,{\"n\":0." + "7".repeat(101) + "}]}";
        assertThatThrownBy(() -> engine.receive(flow, Optional.empty(), digits.getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(PayloadRejectedException.class).hasMessageContaining("'tags[1].n' has 101 significant digits");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(2));
        assertThat(engine.store().recent(10, Optional.empty(), Optional.empty())).isEmpty();

        StoredEvent fine = run("crm-customer", "{\"id\":\"C-2\",\"credit_limit\":1.5e2,\"zero\":0e99999999,\"big\":1e400}");
        assertThat(fine.status()).isEqualTo(EventStatus.SUCCEEDED);
    }

    @Test
    void bodiesThatAreNotStrictUtf8JsonAreMalformed() {
        var flow = workspace.flows().get("crm-customer");
        byte[] overlong = {'{', '"', 'i', 'd', '"', ':', '"', 'C', (byte) 0xC0, (byte) 0xAF, '"', '}'};
        byte[] invalid = {'{', '"', 'i', 'd', '"', ':', '"', 'C', (byte) 0xFF, '"', '}'};
        byte[] surrogate = {'{', '"', 'i', 'd', '"', ':', '"', 'C', (byte) 0xED, (byte) 0xA0, (byte) 0x80, '"', '}'};
        for (byte[] body : new byte[][] {overlong, invalid, surrogate}) {
            assertThatThrownBy(() -> engine.receive(flow, Optional.empty(), body)).isInstanceOf(PayloadRejectedException.class)
                    .hasMessageContaining("not valid UTF-8 (at byte 8)")
                    .satisfies(e -> assertThat(((PayloadRejectedException) e).malformed()).isTrue());
        }
        assertThatThrownBy(() -> engine.receive(flow, Optional.empty(),
                "{\"id\":\"C-1\",\"email\":\"a@x.example\",\"email\":\"b@x.example\"}".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(PayloadRejectedException.class).hasMessageContaining("Duplicate field 'email'");
        assertThat(engine.store().recent(10, Optional.empty(), Optional.empty())).isEmpty();

        byte[] withBom = "\uFEFF{\"id\":\"C-3\",\"email\":\"\u00e9@x.example\"}".getBytes(StandardCharsets.UTF_8);
        assertThat(engine.receive(flow, Optional.empty(), withBom).duplicate()).isFalse();
    }

    @Test
    void aKeyLongerThanTheStoreKeepsIsUnusableNotAStoreFailure() {
        var flow = workspace.flows().get("crm-customer");
        String key = "K".repeat(501);
        assertThatThrownBy(() -> engine.receive(flow, Optional.empty(),
                ("{\"id\":\"" + key + "\"}").getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(PayloadRejectedException.class).hasMessageContaining("501 characters long; at most 500")
                .satisfies(e -> assertThat(((PayloadRejectedException) e).malformed()).isFalse());
        assertThat(engine.receive(flow, Optional.empty(), ("{\"id\":\"" + "K".repeat(500) + "\"}")
                .getBytes(StandardCharsets.UTF_8)).duplicate()).isFalse();
    }

    private StoredEvent run(String flowId, String body) {
        return two.run(flowId, body);
    }
}
