package dev.steward.connector.http;

import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import dev.steward.plugin.ConfigProblem;
import dev.steward.plugin.Connector;
import dev.steward.plugin.ConnectorException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The http connector reads at most maxResponse bytes of any answer, and stops reading there. */
class AnswerSizeTest {

    @RegisterExtension
    static WireMockExtension server = WireMockExtension.newInstance()
            .options(wireMockConfig().dynamicPort().bindAddress("127.0.0.1"))
            .build();

    private Connector connector;

    @AfterEach
    void close() {
        if (connector != null) {
            connector.close();
        }
    }

    @Test
    void anAnswerOverTheDefaultFourMebibytesIsRefusedForGood() {
        server.stubFor(get("/customers/C-1").willReturn(okJson("{\"email\":\"" + "x".repeat(5 << 20) + "\"}")));
        connector = connect("http://127.0.0.1:" + server.getPort(), Map.of());

        ConnectorException e = catchThrowableOfType(ConnectorException.class,
                () -> connector.read(HttpConnectorTest.CUSTOMER, "C-1"));

        assertThat(e.getMessage()).startsWith("erp answered GET /customers/C-1 with too much: ").contains("4MiB (maxResponse)");
        assertThat(e.retryable()).as("the same request gets the same answer").isFalse();
    }

    @Test
    void maxResponseIsASizePerSystem() {
        server.stubFor(get("/customers/C-1").willReturn(okJson("{\"email\":\"" + "x".repeat(100 * 1024) + "\"}")));
        server.stubFor(get("/customers/C-2").willReturn(okJson("{\"email\":\"" + "y".repeat(60 * 1024) + "\"}")));
        connector = connect("http://127.0.0.1:" + server.getPort(), Map.of("maxResponse", "64KiB"));

        assertThat(catchThrowableOfType(ConnectorException.class, () -> connector.read(HttpConnectorTest.CUSTOMER, "C-1")))
                .hasMessageContaining("longer than 64KiB (maxResponse)");
        assertThat(connector.read(HttpConnectorTest.CUSTOMER, "C-2").orElseThrow().get("email").toString()).hasSize(60 * 1024);
    }

    @Test
    void anEndlessChunkedAnswerEndsAtTheLimitWithoutReadingOn() throws Exception {
        try (EndlessServer endless = new EndlessServer(EndlessServer.Kind.BODY)) {
            // a read timeout far away: what ends the call must be the limit, not a clock
            connector = connect("http://127.0.0.1:" + endless.port(), Map.of("maxResponse", "1MiB", "readTimeout", "2m"));
            long start = System.nanoTime();

            ConnectorException e = catchThrowableOfType(ConnectorException.class,
                    () -> connector.read(HttpConnectorTest.CUSTOMER, "C-1"));

            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(20));
            assertThat(e.getMessage()).contains("longer than 1MiB (maxResponse); Steward stopped reading it");
            assertThat(e.retryable()).isFalse();
            assertThat(endless.hungUp.await(20, TimeUnit.SECONDS)).as("the connection was closed, not drained").isTrue();
            // what the server got out before it noticed: the limit plus what sits in socket buffers
            assertThat(endless.written.get()).isLessThan(64L << 20);
        }
    }

    @Test
    void anEndlessHeadIsRefused() throws Exception {
        try (EndlessServer endless = new EndlessServer(EndlessServer.Kind.HEADERS)) {
            connector = connect("http://127.0.0.1:" + endless.port(), Map.of("readTimeout", "2m"));
            long start = System.nanoTime();

            ConnectorException e = catchThrowableOfType(ConnectorException.class,
                    () -> connector.read(HttpConnectorTest.CUSTOMER, "C-1"));

            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(20));
            assertThat(e.getMessage()).contains("header");
            assertThat(e.retryable()).isFalse();
            assertThat(endless.hungUp.await(20, TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    void theTokenEndpointsAnswerIsBoundedToo() {
        server.stubFor(post("/oauth/token").willReturn(okJson("{\"access_token\":\"" + "t".repeat(200 * 1024) + "\"}")));
        Map<String, Object> oauth2 = Map.of("tokenUrl", "http://127.0.0.1:" + server.getPort() + "/oauth/token",
                "clientId", "steward", "clientSecret", "s");
        connector = connect("http://127.0.0.1:" + server.getPort(), Map.of("maxResponse", "100KiB",
                "auth", Map.of("oauth2", oauth2)));

        ConnectorException e = catchThrowableOfType(ConnectorException.class,
                () -> connector.read(HttpConnectorTest.CUSTOMER, "C-1"));

        assertThat(e.getMessage()).startsWith("erp's OAuth2 token endpoint answered POST /oauth/token with too much")
                .contains("100KiB (maxResponse)");
        assertThat(e.retryable()).isFalse();
    }

    @Test
    void maxResponseIsCheckedWhenTheFileLoads() {
        HttpConnectorFactory factory = new HttpConnectorFactory();
        for (Object good : new Object[] {"4MiB", "512KiB", "2MB", "256MiB", 1048576}) {
            assertThat(factory.validate(HttpConnectorTest.system(Map.of("baseUrl", "http://127.0.0.1",
                    "maxResponse", good)))).as(String.valueOf(good)).isEmpty();
        }
        assertThat(factory.validate(HttpConnectorTest.system(Map.of("baseUrl", "http://127.0.0.1", "maxResponse", "lots"))))
                .containsExactly(new ConfigProblem("maxResponse",
                        "maxResponse 'lots' is not a size: write it like 4MiB, 512KiB or 1048576 (bytes)"));
        assertThat(factory.validate(HttpConnectorTest.system(Map.of("baseUrl", "http://127.0.0.1", "maxResponse", "0"))))
                .extracting(ConfigProblem::path).containsExactly("maxResponse");
        assertThat(factory.validate(HttpConnectorTest.system(Map.of("baseUrl", "http://127.0.0.1", "maxResponse", "1GiB"))))
                .containsExactly(new ConfigProblem("maxResponse",
                        "maxResponse 1GiB is more than 256MiB: an answer is held in memory whole"));
    }

    private static Connector connect(String baseUrl, Map<String, Object> settings) {
        Map<String, Object> all = new HashMap<>(settings);
        all.put("baseUrl", baseUrl);
        return new HttpConnectorFactory().create(HttpConnectorTest.system(all), TestContext.at(HttpConnectorTest.clock()));
    }
}
