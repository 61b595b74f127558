package dev.steward.connector.http;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.patch;
import static com.github.tomakehurst.wiremock.client.WireMock.patchRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import dev.steward.plugin.Connector;
import dev.steward.plugin.EntityConfig;
import dev.steward.plugin.SystemConfig;
import dev.steward.plugin.SystemRateLimitedException;
import dev.steward.plugin.SystemUnavailableException;
import dev.steward.plugin.WriteOptions;
import dev.steward.plugin.WriteRefusedException;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class HttpConnectorTest {

    @RegisterExtension
    static WireMockExtension server = WireMockExtension.newInstance()
            .options(wireMockConfig().dynamicPort().bindAddress("127.0.0.1"))
            .build();

    static final Instant NOW = Instant.parse("2025-03-01T12:00:00Z");
    static final WriteOptions OPTIONS = new WriteOptions("evt-1:erp", "evt-1");
    static final EntityConfig CUSTOMER = new EntityConfig("customer",
            Map.of("path", "/customers/{key}"),
            orderedMap("email", "email", "creditLimit", "properties.credit_limit", "phone", "phone"));

    private Connector connector;

    @AfterEach
    void close() {
        if (connector != null) {
            connector.close();
        }
    }

    @Test
    void patchesNestedFieldsWithIdempotencyKeyAndBearerToken() {
        server.stubFor(patch("/customers/C-1").willReturn(aResponse().withStatus(204)));
        connector = connect(Map.of("auth", Map.of("bearer", "s3cret")));

        connector.upsert(CUSTOMER, "C-1",
                orderedMap("email", "ada@new.example", "properties.credit_limit", new BigDecimal("7500.50")),
                OPTIONS);

        server.verify(patchRequestedFor(urlEqualTo("/customers/C-1"))
                .withHeader("Content-Type", equalTo("application/json"))
                .withHeader("Idempotency-Key", equalTo("evt-1:erp"))
                .withHeader("Authorization", equalTo("Bearer s3cret"))
                .withRequestBody(equalToJson(
                        "{\"email\":\"ada@new.example\",\"properties\":{\"credit_limit\":7500.50}}")));
    }

    @Test
    void sendsBasicAuth() {
        server.stubFor(patch("/customers/C-1").willReturn(aResponse().withStatus(200)));
        connector = connect(Map.of("auth", Map.of("basic", Map.of("user", "steward", "password", "pa:ss"))));

        connector.upsert(CUSTOMER, "C-1", Map.of("email", "a@b.example"), OPTIONS);

        String expected = "Basic " + Base64.getEncoder()
                .encodeToString("steward:pa:ss".getBytes(StandardCharsets.UTF_8));
        server.verify(patchRequestedFor(urlEqualTo("/customers/C-1"))
                .withHeader("Authorization", equalTo(expected)));
    }

    @Test
    void sendsApiKeyHeaderAndExtraHeaders() {
        server.stubFor(get("/customers/C-1").willReturn(okJson("{}")));
        connector = connect(Map.of(
                "auth", Map.of("header", Map.of("name", "X-Api-Key", "value", "k-123")),
                "headers", Map.of("X-Tenant", "acme")));

        connector.read(CUSTOMER, "C-1");

        server.verify(getRequestedFor(urlEqualTo("/customers/C-1"))
                .withHeader("X-Api-Key", equalTo("k-123"))
                .withHeader("X-Tenant", equalTo("acme"))
                .withHeader("Accept", equalTo("application/json")));
    }

    @Test
    void readsMappedFieldsIncludingNestedOnes() {
        server.stubFor(get("/customers/C-1").willReturn(okJson("""
                {"id": "C-1", "email": "ada@example.com", "phone": null, "name": "Ada",
                 "properties": {"credit_limit": 5000.00, "tier": "gold"}}""")));
        connector = connect(Map.of());

        Optional<Map<String, Object>> record = connector.read(CUSTOMER, "C-1");

        Map<String, Object> expected = new HashMap<>();
        expected.put("email", "ada@example.com");
        expected.put("properties.credit_limit", new BigDecimal("5000.00"));
        expected.put("phone", null);
        assertThat(record).contains(expected);
    }

    @Test
    void readOfMissingRecordIsEmpty() {
        server.stubFor(get("/customers/C-404").willReturn(aResponse().withStatus(404).withBody("not found")));
        connector = connect(Map.of());

        assertThat(connector.read(CUSTOMER, "C-404")).isEmpty();
    }

    @ParameterizedTest
    @CsvSource({"400", "409", "422"})
    void otherClientErrorsRefuseTheWriteWithTheAnswer(int status) {
        server.stubFor(patch("/customers/C-1").willReturn(aResponse().withStatus(status)
                .withBody("{\"error\":\"email is invalid\"}")));
        connector = connect(Map.of());

        WriteRefusedException e = catchThrowableOfType(WriteRefusedException.class,
                () -> connector.upsert(CUSTOMER, "C-1", Map.of("email", "nope"), OPTIONS));

        assertThat(e.status()).isEqualTo(status);
        assertThat(e.answer()).isEqualTo("{\"error\":\"email is invalid\"}");
        assertThat(e.retryable()).isFalse();
        assertThat(e).hasMessage("erp answered " + status
                + " to PATCH /customers/C-1: {\"error\":\"email is invalid\"}");
    }

    @Test
    void longAnswersAreShortened() {
        server.stubFor(patch("/customers/C-1").willReturn(aResponse().withStatus(400).withBody("x".repeat(5000))));
        connector = connect(Map.of());

        WriteRefusedException e = catchThrowableOfType(WriteRefusedException.class,
                () -> connector.upsert(CUSTOMER, "C-1", Map.of("email", "a"), OPTIONS));

        assertThat(e.answer()).hasSize(HttpConnector.MAX_ANSWER + 3);
    }

    @Test
    void tooManyRequestsWithRetryAfterSeconds() {
        server.stubFor(patch("/customers/C-1").willReturn(aResponse().withStatus(429).withHeader("Retry-After", "120")));
        connector = connect(Map.of());

        SystemRateLimitedException e = catchThrowableOfType(SystemRateLimitedException.class,
                () -> connector.upsert(CUSTOMER, "C-1", Map.of("email", "a"), OPTIONS));

        assertThat(e.retryAfter()).contains(Duration.ofSeconds(120));
        assertThat(e.retryable()).isTrue();
    }

    @Test
    void tooManyRequestsWithRetryAfterDate() {
        server.stubFor(patch("/customers/C-1").willReturn(aResponse().withStatus(429)
                .withHeader("Retry-After", "Sat, 01 Mar 2025 12:01:30 GMT")));
        connector = connect(Map.of());

        SystemRateLimitedException e = catchThrowableOfType(SystemRateLimitedException.class,
                () -> connector.upsert(CUSTOMER, "C-1", Map.of("email", "a"), OPTIONS));

        assertThat(e.retryAfter()).contains(Duration.ofSeconds(90));
    }

    @Test
    void tooManyRequestsWithoutRetryAfter() {
        server.stubFor(patch("/customers/C-1").willReturn(aResponse().withStatus(429)));
        connector = connect(Map.of());

        SystemRateLimitedException e = catchThrowableOfType(SystemRateLimitedException.class,
                () -> connector.upsert(CUSTOMER, "C-1", Map.of("email", "a"), OPTIONS));

        assertThat(e.retryAfter()).isEmpty();
    }

    @Test
    void unavailableWithRetryAfterIsRateLimited() {
        server.stubFor(patch("/customers/C-1").willReturn(aResponse().withStatus(503).withHeader("Retry-After", "5")));
        connector = connect(Map.of());

        SystemRateLimitedException e = catchThrowableOfType(SystemRateLimitedException.class,
                () -> connector.upsert(CUSTOMER, "C-1", Map.of("email", "a"), OPTIONS));

        assertThat(e.retryAfter()).contains(Duration.ofSeconds(5));
    }

    @ParameterizedTest
    @CsvSource({"500", "502", "503", "408"})
    void serverErrorsAndRequestTimeoutAreUnavailable(int status) {
        server.stubFor(patch("/customers/C-1").willReturn(aResponse().withStatus(status).withBody("busy")));
        connector = connect(Map.of());

        assertThatThrownBy(() -> connector.upsert(CUSTOMER, "C-1", Map.of("email", "a"), OPTIONS))
                .isExactlyInstanceOf(SystemUnavailableException.class)
                .hasMessage("erp answered " + status + " to PATCH /customers/C-1: busy");
    }

    @Test
    void readTimeoutIsUnavailable() {
        server.stubFor(get("/customers/C-1").willReturn(okJson("{}").withFixedDelay(3000)));
        connector = connect(Map.of("readTimeout", "200ms"));

        long start = System.nanoTime();
        assertThatThrownBy(() -> connector.read(CUSTOMER, "C-1"))
                .isExactlyInstanceOf(SystemUnavailableException.class)
                .hasMessageContaining("erp did not answer within 200ms on GET /customers/C-1");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
    }

    @Test
    void connectionResetIsUnavailable() {
        server.stubFor(patch("/customers/C-1").willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));
        connector = connect(Map.of());

        assertThatThrownBy(() -> connector.upsert(CUSTOMER, "C-1", Map.of("email", "a"), OPTIONS))
                .isExactlyInstanceOf(SystemUnavailableException.class);
    }

    @Test
    void connectionRefusedIsUnavailable() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        connector = new HttpConnectorFactory().create(
                system(Map.of("baseUrl", "http://127.0.0.1:" + closedPort)), TestContext.at(clock()));

        assertThatThrownBy(() -> connector.read(CUSTOMER, "C-1"))
                .isExactlyInstanceOf(SystemUnavailableException.class)
                .hasMessage("erp could not be reached (connection refused) on GET /customers/C-1");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "../admin      | /api/customers/..%2Fadmin",
            "a/b           | /api/customers/a%2Fb",
            "@evil.example | /api/customers/%40evil.example",
            "?x=1          | /api/customers/%3Fx%3D1",
            "#frag         | /api/customers/%23frag",
            "..            | /api/customers/%2E%2E",
            "Ünïcode key   | /api/customers/%C3%9Cn%C3%AFcode%20key",
            "C-1.a_b~      | /api/customers/C-1.a_b~"})
    void keyStaysOnePathSegmentBelowBaseUrl(String key, String expectedPath) {
        server.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(404)));
        connector = new HttpConnectorFactory().create(
                system(Map.of("baseUrl", server.baseUrl() + "/api/")), TestContext.at(clock()));

        connector.read(CUSTOMER, key);

        assertThat(server.getAllServeEvents()).singleElement()
                .satisfies(event -> assertThat(event.getRequest().getUrl()).isEqualTo(expectedPath));
    }

    private Connector connect(Map<String, Object> settings) {
        Map<String, Object> all = new HashMap<>(settings);
        all.put("baseUrl", server.baseUrl());
        return new HttpConnectorFactory().create(system(all), TestContext.at(clock()));
    }

    static SystemConfig system(Map<String, Object> settings) {
        return new SystemConfig("erp", "http", settings, Map.of("customer", CUSTOMER));
    }

    static Clock clock() {
        return Clock.fixed(NOW, ZoneOffset.UTC);
    }

    @SuppressWarnings("unchecked")
    static <V> Map<String, V> orderedMap(Object... pairs) {
        Map<String, V> map = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            map.put((String) pairs[i], (V) pairs[i + 1]);
        }
        return map;
    }
}
