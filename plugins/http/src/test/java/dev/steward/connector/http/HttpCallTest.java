package dev.steward.connector.http;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.put;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import dev.steward.plugin.ActionNotSupportedException;
import dev.steward.plugin.Connector;
import dev.steward.plugin.EntityConfig;
import dev.steward.plugin.SystemConfig;
import dev.steward.plugin.SystemUnavailableException;
import dev.steward.plugin.WriteOptions;
import dev.steward.plugin.WriteRefusedException;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The http connector's {@code call}: method and path, path values, JSON body and answer, idempotency key, errors. */
class HttpCallTest {

    @RegisterExtension
    static WireMockExtension server = WireMockExtension.newInstance()
            .options(wireMockConfig().dynamicPort().bindAddress("127.0.0.1"))
            .build();

    private static final WriteOptions OPTIONS = new WriteOptions("evt-1:order", "evt-1");
    private Connector erp;

    @BeforeEach
    void connect() {
        erp = new HttpConnectorFactory().create(new SystemConfig("erp", "http", Map.of("baseUrl", server.baseUrl() + "/api"),
                Map.of("deal", new EntityConfig("deal", Map.of("path", "/deals/{key}"), Map.of("stage", "stage")))),
                TestContext.at(Clock.systemUTC()));
    }

    @AfterEach
    void close() {
        erp.close();
    }

    @Test
    void postsTheInputAsJsonWithTheIdempotencyKeyAndReturnsTheAnswer() {
        server.stubFor(post("/api/orders").willReturn(aResponse().withStatus(201)
                .withHeader("Content-Type", "application/json").withBody("{\"id\":\"SO-1\",\"lines\":[1,2]}")));
        Map<String, Object> input = new LinkedHashMap<>();
        input.put("deal", "D-1");
        input.put("amount", 12.5);

        Map<String, Object> result = erp.call("POST /orders", input, OPTIONS);

        assertThat(result).containsEntry("id", "SO-1").containsKey("lines");
        server.verify(postRequestedFor(urlEqualTo("/api/orders")).withHeader("Idempotency-Key", equalTo("evt-1:order"))
                .withRequestBody(equalToJson("{\"deal\":\"D-1\",\"amount\":12.5}")));
    }

    @Test
    void aPathValueIsTakenFromTheInputAsOneSegment() {
        server.stubFor(put("/api/deals/D%2F1/lock").willReturn(aResponse().withStatus(204).withHeader("Location", "/x")));
        server.stubFor(get("/api/deals/D-2").willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBody("{\"stage\":\"won\"}")));

        assertThat(erp.call("PUT /deals/{id}/lock", Map.of("id", "D/1", "by", "steward"), OPTIONS))
                .containsEntry("status", 204).containsEntry("location", "/x");
        assertThat(erp.call("GET /deals/{id}", Map.of("id", "D-2"), OPTIONS)).containsEntry("stage", "won");
        server.verify(getRequestedFor(urlEqualTo("/api/deals/D-2")).withRequestBody(absent()));
    }

    @Test
    void badActionsAndRefusalsAreNotRetriedAndOutagesAre() {
        server.stubFor(post("/api/orders").willReturn(aResponse().withStatus(422).withBody("amount missing")));
        server.stubFor(post("/api/busy").willReturn(aResponse().withStatus(503)));

        assertThatThrownBy(() -> erp.call("orders", Map.of(), OPTIONS)).isInstanceOf(ActionNotSupportedException.class)
                .hasMessageContaining("like 'POST /orders'");
        assertThatThrownBy(() -> erp.call("GET /../admin", Map.of(), OPTIONS)).isInstanceOf(ActionNotSupportedException.class);
        assertThatThrownBy(() -> erp.call("PUT /deals/{id}", Map.of(), OPTIONS)).isInstanceOf(ActionNotSupportedException.class)
                .hasMessageContaining("no single value named id");
        assertThatThrownBy(() -> erp.call("POST /orders", Map.of(), OPTIONS)).isInstanceOf(WriteRefusedException.class)
                .hasMessage("erp answered 422 to POST /api/orders: amount missing");
        assertThatThrownBy(() -> erp.call("POST /busy", Map.of(), OPTIONS)).isInstanceOf(SystemUnavailableException.class);
    }
}
