package dev.steward.connector.http;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import dev.steward.plugin.Connector;
import dev.steward.plugin.SystemConfig;
import dev.steward.plugin.WriteRefusedException;
import dev.steward.testing.MutableClock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class OAuth2Test {

    @RegisterExtension
    static WireMockExtension server = WireMockExtension.newInstance()
            .options(wireMockConfig().dynamicPort().bindAddress("127.0.0.1"))
            .build();

    private final MutableClock clock = MutableClock.at("2025-03-01T12:00:00Z");
    private Connector connector;

    @AfterEach
    void close() {
        if (connector != null) {
            connector.close();
        }
    }

    @Test
    void fetchesATokenWithClientCredentialsOnceAndReusesIt() {
        server.stubFor(post("/oauth/token").willReturn(okJson(
                "{\"access_token\":\"t-1\",\"token_type\":\"Bearer\",\"expires_in\":3600}")));
        server.stubFor(get("/customers/C-1").willReturn(okJson("{\"email\":\"a@b.example\"}")));
        connector = connect();

        connector.read(HttpConnectorTest.CUSTOMER, "C-1");
        clock.advance(Duration.ofMinutes(50));
        connector.read(HttpConnectorTest.CUSTOMER, "C-1");

        String basic = "Basic " + Base64.getEncoder().encodeToString("steward:s%3Acret".getBytes(StandardCharsets.UTF_8));
        server.verify(1, postRequestedFor(urlEqualTo("/oauth/token"))
                .withHeader("Authorization", equalTo(basic))
                .withHeader("Content-Type", equalTo("application/x-www-form-urlencoded"))
                .withRequestBody(equalTo("grant_type=client_credentials&scope=crm.read+crm.write")));
        server.verify(2, getRequestedFor(urlEqualTo("/customers/C-1")).withHeader("Authorization", equalTo("Bearer t-1")));
    }

    @Test
    void fetchesANewTokenShortlyBeforeTheOldOneExpires() {
        server.stubFor(post("/oauth/token").inScenario("tokens").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(okJson("{\"access_token\":\"t-1\",\"expires_in\":3600}")).willSetStateTo("second"));
        server.stubFor(post("/oauth/token").inScenario("tokens").whenScenarioStateIs("second")
                .willReturn(okJson("{\"access_token\":\"t-2\",\"expires_in\":3600}")));
        server.stubFor(get("/customers/C-1").willReturn(okJson("{}")));
        connector = connect();

        connector.read(HttpConnectorTest.CUSTOMER, "C-1");
        clock.advance(Duration.ofSeconds(3600 - 30));
        connector.read(HttpConnectorTest.CUSTOMER, "C-1");

        server.verify(1, getRequestedFor(urlEqualTo("/customers/C-1")).withHeader("Authorization", equalTo("Bearer t-1")));
        server.verify(1, getRequestedFor(urlEqualTo("/customers/C-1")).withHeader("Authorization", equalTo("Bearer t-2")));
    }

    @Test
    void a401DropsTheTokenAndRetriesOnceWithANewOne() {
        server.stubFor(post("/oauth/token").inScenario("tokens").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(okJson("{\"access_token\":\"revoked\",\"expires_in\":3600}")).willSetStateTo("second"));
        server.stubFor(post("/oauth/token").inScenario("tokens").whenScenarioStateIs("second")
                .willReturn(okJson("{\"access_token\":\"fresh\",\"expires_in\":3600}")));
        server.stubFor(get("/customers/C-1").withHeader("Authorization", equalTo("Bearer revoked"))
                .willReturn(aResponse().withStatus(401)));
        server.stubFor(get("/customers/C-1").withHeader("Authorization", equalTo("Bearer fresh"))
                .willReturn(okJson("{\"email\":\"a@b.example\"}")));
        connector = connect();

        assertThat(connector.read(HttpConnectorTest.CUSTOMER, "C-1").orElseThrow()).containsEntry("email", "a@b.example");
        server.verify(2, postRequestedFor(urlEqualTo("/oauth/token")));
    }

    @Test
    void a401WithAFreshTokenTooRefusesWithoutLooping() {
        server.stubFor(post("/oauth/token").willReturn(okJson("{\"access_token\":\"t\",\"expires_in\":3600}")));
        server.stubFor(get("/customers/C-1").willReturn(aResponse().withStatus(401).withBody("no access")));
        connector = connect();

        WriteRefusedException e = catchThrowableOfType(WriteRefusedException.class,
                () -> connector.read(HttpConnectorTest.CUSTOMER, "C-1"));

        assertThat(e.status()).isEqualTo(401);
        server.verify(2, getRequestedFor(urlEqualTo("/customers/C-1")));
        server.verify(2, postRequestedFor(urlEqualTo("/oauth/token")));
    }

    @Test
    void refusedClientCredentialsAreAPermanentErrorThatNeverShowsTheSecret() {
        server.stubFor(post("/oauth/token").willReturn(aResponse().withStatus(401)
                .withBody("{\"error\":\"invalid_client\"}")));
        connector = connect();

        WriteRefusedException e = catchThrowableOfType(WriteRefusedException.class,
                () -> connector.read(HttpConnectorTest.CUSTOMER, "C-1"));

        assertThat(e.retryable()).isFalse();
        assertThat(e).hasMessage("erp's OAuth2 token endpoint answered 401 to POST /oauth/token: {\"error\":\"invalid_client\"}")
                .hasMessageNotContaining("s:cret");
        server.verify(0, getRequestedFor(urlEqualTo("/customers/C-1")));
    }

    @Test
    void oauth2SettingsAreChecked() {
        SystemConfig config = HttpConnectorTest.system(Map.of("baseUrl", "http://127.0.0.1:1",
                "auth", Map.of("oauth2", Map.of("tokenUrl", "ftp://x", "clientId", ""))));

        assertThat(new HttpConnectorFactory().validate(config)).extracting(p -> p.path())
                .containsExactly("auth.oauth2.tokenUrl", "auth.oauth2.clientId", "auth.oauth2.clientSecret");
    }

    private Connector connect() {
        Map<String, Object> oauth2 = Map.of("tokenUrl", server.baseUrl() + "/oauth/token", "clientId", "steward",
                "clientSecret", "s:cret", "scope", "crm.read crm.write");
        return new HttpConnectorFactory().create(HttpConnectorTest.system(Map.of("baseUrl", server.baseUrl(),
                "auth", Map.of("oauth2", oauth2))), TestContext.at(clock));
    }
}
