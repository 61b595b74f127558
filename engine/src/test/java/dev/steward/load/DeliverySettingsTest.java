package dev.steward.load;

import dev.steward.model.DeliverySettings;
import dev.steward.model.Diagnostic;
import dev.steward.model.RetrySettings;
import dev.steward.model.Step;
import dev.steward.model.SystemLimits;
import dev.steward.model.Workspace;
import dev.steward.rules.RuleSetCompiler;
import dev.steward.run.Connectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code retry:}, systems' {@code rateLimit:} and {@code circuitBreaker:}, {@code health:} and {@code alerts:}. */
class DeliverySettingsTest {

    @TempDir
    Path home;

    private final WorkspaceLoader loader = new WorkspaceLoader(Connectors.discover(getClass().getClassLoader()),
            new RuleSetCompiler(), Map.<String, String>of()::get);

    @Test
    void everyDeliveryBlockIsReadAndTheSystemsLimitsAreNotConnectorSettings() throws IOException {
        Files.createDirectories(home.resolve("flows"));
        Files.writeString(home.resolve("steward.yaml"), """
                retry: { maxAttempts: 12, base: 2s, cap: 1h, horizon: 3d }
                health: { backlogAge: 2m, noSuccessFor: 30m }
                alerts: { url: "https://alerts.example/steward", timeout: 2s, headers: { Authorization: Bearer t } }
                systems:
                  crm:
                    connector: http
                    baseUrl: http://127.0.0.1:9101
                    entities:
                      customer: { path: "/customers/{key}", fields: { email: email } }
                  erp:
                    connector: http
                    baseUrl: http://127.0.0.1:9102
                    rateLimit: { perSecond: 10, burst: 20 }
                    circuitBreaker: { failureRate: 40, minimumCalls: 5, window: 10, openFor: 1m, slowCall: 5s }
                    entities:
                      customer: { path: "/customers/{key}", fields: { email: email } }
                """);
        Files.writeString(home.resolve("flows/crm-customer.yaml"), """
                id: crm-customer
                trigger: { webhook: { path: crm/customer } }
                source: crm
                entity: customer
                key: id
                fields: { email: email }
                retry: { maxAttempts: 5 }
                steps:
                  - sync: { to: [erp], retry: { horizon: 1h } }
                """);

        Workspace workspace = loader.load(home);

        assertThat(workspace.diagnostics()).filteredOn(Diagnostic::isError).isEmpty();
        DeliverySettings delivery = workspace.host().delivery();
        assertThat(delivery.retry()).isEqualTo(new RetrySettings(Optional.of(12), Optional.of(Duration.ofSeconds(2)),
                Optional.of(Duration.ofHours(1)), Optional.of(Duration.ofDays(3))));
        assertThat(delivery.limits("erp").rateLimit()).contains(new SystemLimits.RateLimit(10, 20));
        assertThat(delivery.limits("erp").breaker()).isEqualTo(new SystemLimits.Breaker(true, 40, 5, 10,
                Duration.ofMinutes(1), Duration.ofSeconds(5), 3));
        assertThat(delivery.limits("crm")).isEqualTo(SystemLimits.DEFAULT);
        assertThat(workspace.systems().get("erp").settings()).doesNotContainKeys("rateLimit", "circuitBreaker");
        assertThat(delivery.health().backlogAge()).isEqualTo(Duration.ofMinutes(2));
        assertThat(delivery.health().noSuccessFor()).isEqualTo(Duration.ofMinutes(30));
        assertThat(delivery.alerts().url()).contains(URI.create("https://alerts.example/steward"));
        assertThat(delivery.alerts().headers()).containsEntry("Authorization", "Bearer t");
        var flow = workspace.flows().get("crm-customer");
        assertThat(flow.retry().maxAttempts()).contains(5);
        assertThat(((Step.Sync) flow.steps().getFirst()).retry().horizon()).contains(Duration.ofHours(1));
    }
}
