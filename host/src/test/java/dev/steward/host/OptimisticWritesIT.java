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
import static com.github.tomakehurst.wiremock.client.WireMock.patch;
import static com.github.tomakehurst.wiremock.client.WireMock.patchRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code optimisticWrites: true}: Steward writes with {@code If-Match}; when the target changed
 * the record in between (412), it reads it again and decides again instead of overwriting.
 */
class OptimisticWritesIT {

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
                      customer: { path: "/customers/{key}", fields: { email: email, nickname: nickname } }
                  erp:
                    connector: http
                    baseUrl: http://127.0.0.1:%d
                    optimisticWrites: true
                    entities:
                      customer: { path: "/customers/{key}", fields: { email: contact.email, nickname: nickname } }
                """.formatted(erp.port()));
        Files.writeString(home.resolve("rules/mastership.yaml"), """
                - { entity: customer, fields: [email], master: crm, subscribers: [erp], reason: CRM owns contact data. }
                - { entity: customer, unmastered: accept }
                """);
        Files.writeString(home.resolve("flows/crm-customer.yaml"), """
                id: crm-customer
                trigger: { webhook: { path: crm/customer } }
                source: crm
                entity: customer
                key: id
                fields: { email: email, nickname: nickname }
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
    void aWriteCarriesTheVersionItRead() {
        erp.stubFor(get(urlEqualTo("/customers/C-1")).willReturn(aResponse().withStatus(200).withHeader("ETag", "\"v1\"")
                .withHeader("Content-Type", "application/json").withBody("{\"contact\":{\"email\":\"old@x.example\"}}")));
        erp.stubFor(patch(urlEqualTo("/customers/C-1")).willReturn(aResponse().withStatus(200)));

        JsonNode event = host.deliver("crm/customer", "{\"id\":\"C-1\",\"email\":\"new@x.example\"}", id());

        assertThat(event.get("status").asText()).isEqualTo("succeeded");
        erp.verify(1, patchRequestedFor(urlEqualTo("/customers/C-1")).withHeader("If-Match", equalTo("\"v1\""))
                .withRequestBody(equalToJson("{\"contact\":{\"email\":\"new@x.example\"}}")));
    }

    @Test
    void aConflictReadsAgainAndLeavesAFieldChangedMeanwhileToItsOwner() {
        erp.stubFor(get(urlEqualTo("/customers/C-2")).inScenario("race").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(200).withHeader("ETag", "\"v1\"").withHeader("Content-Type", "application/json")
                        .withBody("{\"contact\":{\"email\":\"old@x.example\"},\"nickname\":\"Ada\"}")));
        erp.stubFor(patch(urlEqualTo("/customers/C-2")).withHeader("If-Match", equalTo("\"v1\"")).inScenario("race")
                .whenScenarioStateIs(Scenario.STARTED).willReturn(aResponse().withStatus(412)).willSetStateTo("changed"));
        erp.stubFor(get(urlEqualTo("/customers/C-2")).inScenario("race").whenScenarioStateIs("changed")
                .willReturn(aResponse().withStatus(200).withHeader("ETag", "\"v2\"").withHeader("Content-Type", "application/json")
                        .withBody("{\"contact\":{\"email\":\"old@x.example\"},\"nickname\":\"Countess\"}")));
        erp.stubFor(patch(urlEqualTo("/customers/C-2")).withHeader("If-Match", equalTo("\"v2\"")).inScenario("race")
                .whenScenarioStateIs("changed").willReturn(aResponse().withStatus(200)));

        JsonNode event = host.deliver("crm/customer", "{\"id\":\"C-2\",\"email\":\"new@x.example\",\"nickname\":\"Lady A\"}", id());

        assertThat(event.get("status").asText()).isEqualTo("succeeded");
        assertThat(event.at("/trace/steps").toString()).contains("decided again")
                .contains("nickname was changed in the system meanwhile");
        erp.verify(1, patchRequestedFor(urlEqualTo("/customers/C-2")).withHeader("If-Match", equalTo("\"v2\""))
                .withRequestBody(equalToJson("{\"contact\":{\"email\":\"new@x.example\"}}")));
    }

    private static String id() {
        return "msg_" + UUID.randomUUID();
    }
}
