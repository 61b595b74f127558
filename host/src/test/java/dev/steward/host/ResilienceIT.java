package dev.steward.host;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import com.sun.net.httpserver.HttpServer;
import dev.steward.run.Values;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.patch;
import static com.github.tomakehurst.wiremock.client.WireMock.patchRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Delivery resilience through a real host: a rate limit shared by two flows, a breaker that
 * opens while another system's events keep flowing, the retry horizon, Retry-After in both
 * forms, health that degrades and recovers, and the alerts POSTed about it. Targets are WireMock
 * servers on 127.0.0.1; retry settings are fast.
 */
class ResilienceIT {

    @TempDir
    Path temp;
    WireMockServer erp;
    WireMockServer shop;
    HttpServer alertReceiver;
    final List<JsonNode> alerts = new CopyOnWriteArrayList<>();
    RunningHost host;

    @BeforeEach
    void startTargets() throws IOException {
        erp = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
        erp.start();
        shop = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
        shop.start();
        alertReceiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        alertReceiver.createContext("/alerts", exchange -> {
            alerts.add(Values.JSON.readTree(exchange.getRequestBody().readAllBytes()));
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        alertReceiver.start();
    }

    @AfterEach
    void stop() {
        if (host != null) {
            host.close();
        }
        erp.stop();
        shop.stop();
        alertReceiver.stop(0);
    }

    /** Three flows from the CRM: customers and deals go to the ERP, products to the shop. */
    void startHost(String erpLimits, String more) throws IOException {
        Path home = temp.resolve("workspace");
        Files.createDirectories(home.resolve("flows"));
        Files.createDirectories(home.resolve("rules"));
        Files.writeString(home.resolve("steward.yaml"), """
                systems:
                  crm:
                    connector: http
                    baseUrl: http://127.0.0.1:1
                    entities:
                      customer: { path: "/customers/{key}", fields: { email: email } }
                      deal: { path: "/deals/{key}", fields: { status: status } }
                      product: { path: "/products/{key}", fields: { name: name } }
                  erp:
                    connector: http
                    baseUrl: http://127.0.0.1:%d
                    readTimeout: 2s
                %s
                    entities:
                      customer: { path: "/customers/{key}", fields: { email: email } }
                      deal: { path: "/deals/{key}", fields: { status: status } }
                  shop:
                    connector: http
                    baseUrl: http://127.0.0.1:%d
                    entities:
                      product: { path: "/products/{key}", fields: { name: name } }
                alerts: { url: "http://127.0.0.1:%d/alerts", timeout: 2s }
                %s
                """.formatted(erp.port(), erpLimits.indent(4).stripTrailing(), shop.port(),
                alertReceiver.getAddress().getPort(), more));
        Files.writeString(home.resolve("rules/mastership.yaml"), """
                - { entity: customer, fields: [email], master: crm, subscribers: [erp], reason: CRM owns contacts. }
                - { entity: deal, fields: [status], master: crm, subscribers: [erp], reason: CRM owns stages. }
                - { entity: product, fields: [name], master: crm, subscribers: [shop], reason: CRM owns names. }
                """);
        for (String[] flow : List.of(new String[] {"customer", "erp"}, new String[] {"deal", "erp"},
                new String[] {"product", "shop"})) {
            String field = switch (flow[0]) {
                case "customer" -> "email";
                case "deal" -> "status";
                default -> "name";
            };
            Files.writeString(home.resolve("flows/crm-" + flow[0] + ".yaml"), """
                    id: crm-%s
                    trigger: { webhook: { path: crm/%s } }
                    source: crm
                    entity: %s
                    key: id
                    fields: { %s: %s }
                    steps:
                      - rules: [mastership.yaml]
                      - sync: { to: [%s] }
                    """.formatted(flow[0], flow[0], flow[0], field, field, flow[1]));
        }
        host = new RunningHost(home);
        assertThat(host.workspace.hasErrors()).as("%s", host.workspace.diagnostics()).isFalse();
    }

    @Test
    void aRateLimitIsSharedByEveryFlowThatWritesToTheSystem() throws IOException {
        startHost("rateLimit: { perSecond: 10, burst: 2 }", "retry: { base: 10ms, cap: 50ms }");
        erp.stubFor(patch(urlMatching("/.*")).willReturn(aResponse().withStatus(204)));

        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            ids.add(accepted(host.hook("crm/customer", "{\"id\":\"C-" + i + "\",\"email\":\"c" + i + "@x.example\"}", id())));
            ids.add(accepted(host.hook("crm/deal", "{\"id\":\"D-" + i + "\",\"status\":\"Won\"}", id())));
        }
        for (String eventId : ids) {
            JsonNode event = host.awaitFinished(eventId);
            assertThat(event.get("status").asText()).isEqualTo("succeeded");
            assertThat(event.get("attempts").asInt()).as("a deferral does not use an attempt").isEqualTo(1);
        }

        List<Long> times = erp.getAllServeEvents().stream().map(e -> e.getRequest().getLoggedDate().getTime()).sorted().toList();
        assertThat(times).hasSize(12);
        // 2 at once (the burst), then 10 more at 10 a second: at least 1 s from first to last.
        assertThat(times.getLast() - times.getFirst()).isGreaterThanOrEqualTo(900);
        for (int i = 0; i + 3 < times.size(); i++) {
            assertThat(times.get(i + 3) - times.get(i)).as("4 calls within 100 ms").isGreaterThanOrEqualTo(90);
        }
        assertThat(host.get("/metrics").body()).containsPattern("steward_deferrals_total\\{reason=\"rate-limited\",system=\"erp\"} [1-9]");
    }

    @Test
    void anOpenBreakerDefersItsSystemsEventsWhileAnotherSystemsEventsKeepFlowing() throws IOException {
        startHost("circuitBreaker: { minimumCalls: 3, window: 4, failureRate: 50, openFor: 1m }",
                "retry: { maxAttempts: 100, base: 10ms, cap: 20ms, horizon: 10m }\nhealth: { checkEvery: 100ms }");
        erp.stubFor(patch(urlMatching("/.*")).willReturn(aResponse().withStatus(503)));
        shop.stubFor(patch(urlMatching("/.*")).willReturn(aResponse().withStatus(204)));

        List<String> failing = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            failing.add(accepted(host.hook("crm/customer", "{\"id\":\"C-" + i + "\",\"email\":\"c" + i + "@x.example\"}", id())));
        }
        JsonNode health = await(() -> host.getJson("/health"), h -> h.get("status").asText().equals("degraded"));
        assertThat(health.get("reasons").toString()).contains("circuit breaker for erp is open").contains("503");
        assertThat(host.get("/health").statusCode()).isEqualTo(200);
        int callsWhenOpen = erp.getAllServeEvents().size();
        assertThat(callsWhenOpen).isBetween(3, 8);

        long started = System.nanoTime();
        for (int i = 0; i < 10; i++) {
            JsonNode event = host.deliver("crm/product", "{\"id\":\"P-" + i + "\",\"name\":\"Widget " + i + "\"}", id());
            assertThat(event.get("status").asText()).isEqualTo("succeeded");
        }
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
        shop.verify(10, patchRequestedFor(urlMatching("/products/.*")));

        // The ERP's events wait, open, for the breaker; they are not called and use no attempts meanwhile.
        assertThat(erp.getAllServeEvents()).hasSize(callsWhenOpen);
        for (String eventId : failing) {
            JsonNode event = host.getJson("/api/events/" + eventId);
            assertThat(event.get("status").asText()).isIn("pending", "running");
        }
        int attempts = 0;
        for (String eventId : failing) {
            attempts += host.getJson("/api/events/" + eventId).get("attempts").asInt();
        }
        assertThat(attempts).isEqualTo(callsWhenOpen);
        String metrics = host.get("/metrics").body();
        assertThat(metrics).contains("steward_circuit_breaker_state{state=\"open\",system=\"erp\"} 1.0");
        assertThat(metrics).containsPattern("steward_deferrals_total\\{reason=\"breaker-open\",system=\"erp\"} [1-9]");
        assertThat(metrics).contains("steward_backlog_events");
    }

    @Test
    void pastTheRetryHorizonAnEventIsADeadLetterWithTheLastCause() throws IOException {
        startHost("circuitBreaker: false", "retry: { maxAttempts: 1000, base: 50ms, cap: 100ms, horizon: 1s }");
        erp.stubFor(patch(urlEqualTo("/customers/C-9")).willReturn(aResponse().withStatus(500).withBody("database is down")));

        JsonNode event = host.deliver("crm/customer", "{\"id\":\"C-9\",\"email\":\"h@x.example\"}", id());

        assertThat(event.get("status").asText()).isEqualTo("failed");
        assertThat(event.get("attempts").asInt()).isBetween(3, 100);
        assertThat(event.get("error").asText()).contains("retry horizon of 1s").contains("500").contains("database is down");
        JsonNode alert = await(() -> alerts.stream().filter(a -> a.get("type").asText().equals("dead-letter")).findFirst()
                .orElse(null), a -> a != null);
        assertThat(alert.get("eventId").asText()).isEqualTo(event.get("eventId").asText());
        assertThat(alert.get("flow").asText()).isEqualTo("crm-customer");
        assertThat(alert.get("system").asText()).isEqualTo("erp");
        assertThat(alert.get("error").asText()).contains("database is down");
        assertThat(host.get("/metrics").body())
                .contains("steward_dead_letters_total{flow=\"crm-customer\",status=\"failed\"} 1.0")
                .containsPattern("steward_attempts_total\\{flow=\"crm-customer\",outcome=\"retry\"} [1-9]");
    }

    @Test
    void retryAfterInSecondsIsHonoured() throws IOException {
        startHost("circuitBreaker: false", "retry: { base: 10ms, cap: 20ms }");
        rateLimitedOnce("/customers/C-1", "1");

        JsonNode event = host.deliver("crm/customer", "{\"id\":\"C-1\",\"email\":\"r@x.example\"}", id());

        assertThat(event.get("status").asText()).isEqualTo("succeeded");
        assertThat(event.get("attempts").asInt()).isEqualTo(2);
        assertThat(gapBetweenCalls()).isGreaterThanOrEqualTo(950);
    }

    @Test
    void retryAfterAsAnHttpDateIsHonoured() throws IOException {
        startHost("circuitBreaker: false", "retry: { base: 10ms, cap: 20ms }");
        String date = DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now(ZoneOffset.UTC).plusSeconds(3));
        erp.stubFor(patch(urlEqualTo("/customers/C-2")).inScenario("date").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(503).withHeader("Retry-After", date)).willSetStateTo("ok"));
        erp.stubFor(patch(urlEqualTo("/customers/C-2")).inScenario("date").whenScenarioStateIs("ok")
                .willReturn(aResponse().withStatus(204)));

        JsonNode event = host.deliver("crm/customer", "{\"id\":\"C-2\",\"email\":\"d@x.example\"}", id());

        assertThat(event.get("status").asText()).isEqualTo("succeeded");
        // The date has whole seconds: at least 2 s of the 3 remain when it is read.
        assertThat(gapBetweenCalls()).isGreaterThanOrEqualTo(1900);
    }

    @Test
    void aRetryAfterPausesEveryCallToTheSystemWithoutUsingTheOtherEventsAttempts() throws IOException {
        startHost("circuitBreaker: false", "retry: { base: 10ms, cap: 20ms }");
        rateLimitedOnce("/customers/C-3", "1");
        erp.stubFor(patch(urlEqualTo("/deals/D-3")).willReturn(aResponse().withStatus(204)));

        String first = accepted(host.hook("crm/customer", "{\"id\":\"C-3\",\"email\":\"p@x.example\"}", id()));
        await(() -> erp.getAllServeEvents().size(), n -> n == 1);
        JsonNode deal = host.deliver("crm/deal", "{\"id\":\"D-3\",\"status\":\"Won\"}", id());

        assertThat(deal.get("status").asText()).isEqualTo("succeeded");
        assertThat(deal.get("attempts").asInt()).isEqualTo(1);
        assertThat(host.awaitFinished(first).get("status").asText()).isEqualTo("succeeded");
        List<Long> times = callTimes();
        assertThat(times.get(1) - times.get(0)).as("the deal waited for the pause too").isGreaterThanOrEqualTo(900);
    }

    @Test
    void healthTurnsDegradedAndRecoversAndBothArePosted() throws IOException {
        startHost("circuitBreaker: { minimumCalls: 2, window: 2, openFor: 1s, halfOpenCalls: 1 }",
                "retry: { maxAttempts: 100, base: 10ms, cap: 50ms, horizon: 5m }\nhealth: { checkEvery: 50ms }");
        erp.stubFor(patch(urlMatching("/.*")).willReturn(aResponse().withStatus(502)));

        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            ids.add(accepted(host.hook("crm/customer", "{\"id\":\"C-" + i + "\",\"email\":\"c" + i + "@x.example\"}", id())));
        }
        JsonNode degraded = await(() -> alerts.stream().filter(a -> a.get("type").asText().equals("health")).findFirst()
                .orElse(null), a -> a != null);
        assertThat(degraded.get("status").asText()).isEqualTo("degraded");
        assertThat(degraded.get("reasons").toString()).contains("circuit breaker for erp");
        assertThat(host.getJson("/health").get("status").asText()).isEqualTo("degraded");

        erp.resetMappings();
        erp.stubFor(patch(urlMatching("/.*")).willReturn(aResponse().withStatus(204)));
        for (String eventId : ids) {
            assertThat(host.awaitFinished(eventId).get("status").asText()).isEqualTo("succeeded");
        }
        JsonNode recovered = await(() -> alerts.stream().filter(a -> a.get("type").asText().equals("health")
                && a.get("status").asText().equals("up")).findFirst().orElse(null), a -> a != null);
        assertThat(recovered.get("previous").asText()).isEqualTo("degraded");
        JsonNode health = host.getJson("/health");
        assertThat(health.get("status").asText()).isEqualTo("up");
        assertThat(health.get("reasons")).isEmpty();
    }

    @Test
    void aPermanentRefusalIsPostedAsADeadLetterAlert() throws IOException {
        startHost("", "");
        erp.stubFor(patch(urlEqualTo("/customers/C-4")).willReturn(aResponse().withStatus(422)
                .withBody("{\"error\":\"email is taken\"}")));

        JsonNode event = host.deliver("crm/customer", "{\"id\":\"C-4\",\"email\":\"t@x.example\"}", id());

        assertThat(event.get("status").asText()).isEqualTo("failed");
        JsonNode alert = await(() -> alerts.stream().filter(a -> a.get("type").asText().equals("dead-letter")).findFirst()
                .orElse(null), a -> a != null);
        assertThat(alert.get("status").asText()).isEqualTo("failed");
        assertThat(alert.get("cause").asText()).contains("422").contains("email is taken").contains("{key}");
        assertThat(alert.get("at").asText()).isNotBlank();
    }

    private void rateLimitedOnce(String path, String retryAfter) {
        erp.stubFor(patch(urlEqualTo(path)).inScenario(path).whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(429).withHeader("Retry-After", retryAfter)).willSetStateTo("ok"));
        erp.stubFor(patch(urlEqualTo(path)).inScenario(path).whenScenarioStateIs("ok")
                .willReturn(aResponse().withStatus(204)));
    }

    private List<Long> callTimes() {
        return erp.getAllServeEvents().stream().map(ServeEvent::getRequest).map(r -> r.getLoggedDate().getTime()).sorted().toList();
    }

    private long gapBetweenCalls() {
        List<Long> times = callTimes();
        assertThat(times).hasSize(2);
        return times.get(1) - times.get(0);
    }

    private static String accepted(java.net.http.HttpResponse<String> response) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        return RunningHost.json(response).get("eventId").asText();
    }

    /** Polls until the condition holds, for at most 20 seconds. */
    private static <T> T await(Supplier<T> probe, java.util.function.Predicate<T> condition) {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        T value = probe.get();
        while (!condition.test(value)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within 20 s; last value: " + value);
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
            value = probe.get();
        }
        return value;
    }

    private static String id() {
        return "msg_" + UUID.randomUUID();
    }

    static String utf8(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
