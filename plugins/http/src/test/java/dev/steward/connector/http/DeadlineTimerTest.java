package dev.steward.connector.http;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.patch;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Every exchange has a deadline timer; one that ended in time leaves nothing behind, so a busy
 * transport does not hold thousands of finished requests until their deadlines pass.
 */
class DeadlineTimerTest {

    @RegisterExtension
    static WireMockExtension server = WireMockExtension.newInstance()
            .options(wireMockConfig().dynamicPort().bindAddress("127.0.0.1"))
            .build();

    @Test
    void anExchangeThatEndedInTimeLeavesNoTimerBehind() throws Exception {
        server.stubFor(patch(urlEqualTo("/deals/D-1")).willReturn(aResponse().withStatus(200).withBody("{}")));
        try (HttpTransport transport = new HttpTransport("sink", HostResolver.system(), NetworkPolicy.open(),
                Duration.ofSeconds(5), Duration.ofSeconds(30), 1 << 20)) {
            for (int i = 0; i < 50; i++) {
                HttpTransport.Answer answer = transport.send(new HttpTransport.Call("PATCH",
                        URI.create(server.baseUrl() + "/deals/D-1"), Map.of(), "{\"amount\":" + i + "}", "application/json"));
                assertThat(answer.status()).isEqualTo(200);
            }

            assertThat(transport.pendingDeadlines()).isZero();
        }
    }

    @Test
    void theDeadlineStillEndsAnExchangeThatRunsPastIt() {
        server.stubFor(patch(urlEqualTo("/deals/D-2")).willReturn(aResponse().withStatus(200).withBody("{}")
                .withFixedDelay(5_000)));
        try (HttpTransport transport = new HttpTransport("sink", HostResolver.system(), NetworkPolicy.open(),
                Duration.ofMillis(200), Duration.ofMillis(300), 1 << 20)) {
            long start = System.nanoTime();
            assertThatThrownBy(() -> transport.send(new HttpTransport.Call("PATCH",
                    URI.create(server.baseUrl() + "/deals/D-2"), Map.of(), "{}", "application/json")))
                    .isInstanceOfAny(HttpTransport.DeadlineException.class, java.net.SocketTimeoutException.class);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(4));
            assertThat(transport.pendingDeadlines()).isZero();
        }
    }
}
