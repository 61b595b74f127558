package dev.steward.host;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.matching;
import static com.github.tomakehurst.wiremock.client.WireMock.patch;
import static com.github.tomakehurst.wiremock.client.WireMock.patchRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

/** A flow whose target is a real local HTTP server (WireMock), written through the http connector. */
class HttpTargetIT {

    @TempDir
    Path temp;
    WireMockServer erp;
    RunningHost host;

    @BeforeEach
    void start() throws IOException {
        erp = RunningHost.localServer();
        Path home = RunningHost.emptyWorkspace(temp.resolve("workspace"));
        Files.writeString(home.resolve("steward.yaml"), """
                systems:
                  crm:
                    connector: http
                    baseUrl: http://127.0.0.1:1
                    entities:
                      customer: { path: "/customers/{key}", fields: { email: email, phone: phone, creditLimit: credit_limit } }
                  erp:
                    connector: http
                    baseUrl: http://127.0.0.1:%d/api
                    auth: { bearer: erp-token }
                    entities:
                      customer:
                        path: /customers/{key}
                        fields: { email: contact.email, phone: contact.phone, creditLimit: credit_limit }
                """.formatted(erp.port()));
        Files.writeString(home.resolve("rules/mastership.yaml"), """
                - entity: customer
                  fields: [email, phone]
                  master: crm
                  subscribers: [erp]
                  reason: CRM is the primary entry point for sales.
                - entity: customer
                  fields: [creditLimit]
                  master: erp
                  subscribers: [crm]
                  reason: ERP manages fiscal risk and accounting.
                """);
        Files.writeString(home.resolve("flows/crm-customer.yaml"), """
                id: crm-customer
                trigger: { webhook: { path: crm/customer } }
                source: crm
                entity: customer
                key: id
                fields: { email: email, phone: phone, creditLimit: credit_limit }
                steps:
                  - rules: [mastership.yaml]
                  - sync: { to: [erp] }
                """);
        host = new RunningHost(home);
    }

    @AfterEach
    void stop() {
        host.close();
        erp.stop();
    }

    @Test
    void acceptedFieldsArePatchedUnderTheTargetsOwnNames() {
        erp.stubFor(patch(urlEqualTo("/api/customers/C-1")).willReturn(aResponse().withStatus(200).withBody("{}")));

        JsonNode event = host.deliver("crm/customer", "{\"id\":\"C-1\",\"email\":\"a@b.example\",\"phone\":\"1\",\"credit_limit\":9}", id());

        assertThat(event.get("status").asText()).isEqualTo("succeeded");
        erp.verify(1, patchRequestedFor(urlEqualTo("/api/customers/C-1"))
                .withHeader("Authorization", equalTo("Bearer erp-token"))
                .withHeader("Idempotency-Key", matching(".+:erp"))
                .withRequestBody(equalToJson("{\"contact\":{\"email\":\"a@b.example\",\"phone\":\"1\"}}")));
    }

    @Test
    void aPermanentRefusalIsADeadLetterWithTheTargetsAnswer() {
        erp.stubFor(patch(urlEqualTo("/api/customers/C-2")).willReturn(aResponse().withStatus(400)
                .withBody("{\"error\":\"field phone expects a number\"}")));

        JsonNode event = host.deliver("crm/customer", "{\"id\":\"C-2\",\"phone\":\"+1 555\"}", id());

        assertThat(event.get("status").asText()).isEqualTo("failed");
        assertThat(event.get("attempts").asInt()).isEqualTo(1);
        assertThat(event.get("error").asText()).contains("400").contains("field phone expects a number");
    }

    @Test
    void transientFailuresAreRetriedUntilTheTargetRecovers() {
        erp.stubFor(patch(urlEqualTo("/api/customers/C-3")).inScenario("flaky").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(503)).willSetStateTo("limited"));
        erp.stubFor(patch(urlEqualTo("/api/customers/C-3")).inScenario("flaky").whenScenarioStateIs("limited")
                .willReturn(aResponse().withStatus(429).withHeader("Retry-After", "0")).willSetStateTo("ok"));
        erp.stubFor(patch(urlEqualTo("/api/customers/C-3")).inScenario("flaky").whenScenarioStateIs("ok")
                .willReturn(aResponse().withStatus(204)));

        JsonNode event = host.deliver("crm/customer", "{\"id\":\"C-3\",\"email\":\"c@d.example\"}", id());

        assertThat(event.get("status").asText()).isEqualTo("succeeded");
        assertThat(event.get("attempts").asInt()).isEqualTo(3);
        erp.verify(3, patchRequestedFor(urlEqualTo("/api/customers/C-3")));
    }

    @Test
    void aTargetThatNeverRecoversEndsAsADeadLetterAfterTheLastAttempt() {
        erp.stubFor(patch(urlEqualTo("/api/customers/C-4")).willReturn(aResponse().withStatus(500)));

        JsonNode event = host.deliver("crm/customer", "{\"id\":\"C-4\",\"email\":\"e@f.example\"}", id());

        assertThat(event.get("status").asText()).isEqualTo("failed");
        assertThat(event.get("attempts").asInt()).isEqualTo(RunningHost.FAST_RETRY.maxAttempts());
        assertThat(event.get("error").asText()).startsWith("gave up after 4 attempts").contains("500");
    }

    @Test
    void aRecordIsReadThroughTheConnector() {
        erp.stubFor(get(urlEqualTo("/api/customers/C-5")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"contact\":{\"email\":\"g@h.example\"},\"credit_limit\":2500.50,\"other\":true}")));

        JsonNode view = host.getJson("/api/systems/erp/customer/C-5");

        assertThat(view.get("exists").asBoolean()).isTrue();
        assertThat(view.at("/fields/email").asText()).isEqualTo("g@h.example");
        assertThat(view.at("/fields/creditLimit").decimalValue()).isEqualByComparingTo("2500.5");
    }

    private static String id() {
        return "msg_" + UUID.randomUUID();
    }
}
