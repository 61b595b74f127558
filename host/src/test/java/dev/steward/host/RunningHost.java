package dev.steward.host;

import com.fasterxml.jackson.databind.JsonNode;
import dev.steward.Engine;
import dev.steward.host.access.Access;
import dev.steward.model.Workspace;
import dev.steward.run.AlertSink;
import dev.steward.run.RetryPolicy;
import dev.steward.run.Values;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A real host on a random port over a workspace folder, with a small HTTP client for tests; public
 * for the vendor ITs in {@code dev.steward.host.vendors}.
 */
public final class RunningHost implements AutoCloseable {

    static final RetryPolicy FAST_RETRY = new RetryPolicy(4, Duration.ofMillis(20), Duration.ofMillis(200));

    final Workspace workspace;
    final Engine engine;
    final HostServer server;
    final Access access;
    /** The host's STEWARD_ADMIN_TOKEN; every request of this client sends it. */
    final String adminToken = "test-admin-token-" + java.util.UUID.randomUUID();
    private final AlertSink alerts;
    private final HttpClient client = HttpClient.newHttpClient();

    public RunningHost(Path home) {
        this(home, Clock.systemUTC());
    }

    /** @param accessClock the clock of sessions, token use and sign-in lockouts */
    RunningHost(Path home, Clock accessClock) {
        this(home, accessClock, FAST_RETRY, Map.of());
    }

    /**
     * A host whose deliveries retry by {@code retry}; {@code env} is the environment the workspace's
     * {@code ${env:...}} read, over the process's.
     */
    public RunningHost(Path home, RetryPolicy retry, Map<String, String> env) {
        this(home, Clock.systemUTC(), retry, env);
    }

    private RunningHost(Path home, Clock accessClock, RetryPolicy retry, Map<String, String> env) {
        PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        java.util.function.Function<String, String> lookup = name -> env.containsKey(name) ? env.get(name) : System.getenv(name);
        try (dev.steward.load.HomeLoader loader = dev.steward.load.HomeLoader.open(home, lookup, null)) {
            alerts = AlertSender.of(loader.load().host().delivery().alerts());
        }
        engine = Engine.open(home, new Engine.Options(Clock.systemUTC(), new SplittableRandom(7), metrics, "test-host",
                retry, true, alerts).withEnv(lookup));
        workspace = engine.workspace();
        // bcrypt's lowest cost: tests sign in often, and the cost is not what they test
        access = new Access(engine.access(), workspace.host().access(), java.util.Optional.of(adminToken), accessClock,
                new java.security.SecureRandom(), 4);
        server = HostServer.start(engine, metrics, Clock.systemUTC(), "127.0.0.1", 0, access);
    }

    /** WireMock on a free port of 127.0.0.1, started: a local target system for a test. */
    static com.github.tomakehurst.wiremock.WireMockServer localServer() {
        var server = new com.github.tomakehurst.wiremock.WireMockServer(
                com.github.tomakehurst.wiremock.core.WireMockConfiguration.options().bindAddress("127.0.0.1").dynamicPort());
        server.start();
        return server;
    }

    /** A workspace folder with empty flows/ and rules/, for a test to write its files into. */
    public static Path emptyWorkspace(Path home) throws IOException {
        Files.createDirectories(home.resolve("flows"));
        Files.createDirectories(home.resolve("rules"));
        return home;
    }

    /**
     * A workspace with one flow, crm-customer: the CRM's email changes go to an ERP reached over
     * http at {@code erpPort}, with {@code erpSettings} (YAML lines, indented for the system block)
     * added to the ERP's settings.
     */
    static Path crmEmailToErp(Path home, int workers, int erpPort, String erpSettings) throws IOException {
        emptyWorkspace(home);
        Files.writeString(home.resolve("steward.yaml"), """
                host:
                  workers: %d
                systems:
                  crm:
                    connector: http
                    baseUrl: http://127.0.0.1:1
                    entities:
                      customer: { path: "/customers/{key}", fields: { email: email } }
                  erp:
                    connector: http
                    baseUrl: http://127.0.0.1:%d/api
                %s    entities:
                      customer: { path: "/customers/{key}", fields: { email: email } }
                """.formatted(workers, erpPort, erpSettings.indent(4)));
        Files.writeString(home.resolve("rules/mastership.yaml"), """
                - entity: customer
                  fields: [email]
                  master: crm
                  subscribers: [erp]
                  reason: CRM is the primary entry point for sales.
                """);
        Files.writeString(home.resolve("flows/crm-customer.yaml"), """
                id: crm-customer
                trigger: { webhook: { path: crm/customer } }
                source: crm
                entity: customer
                key: id
                fields: { email: email }
                steps:
                  - rules: [mastership.yaml]
                  - sync: { to: [erp] }
                """);
        return home;
    }

    /** Copies the repository's example workspace (steward.yaml, flows, rules, systems) into a folder. */
    static Path copyExample(Path target) throws IOException {
        return ExampleFiles.copyTo(target);
    }

    /** The host's engine, for a test to check what the workspace loaded. */
    public Engine engine() {
        return engine;
    }

    public String url(String path) {
        return "http://127.0.0.1:" + server.port() + path;
    }

    public HttpResponse<String> post(String path, String body, Map<String, String> headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url(path)))
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (!headers.containsKey("Content-Type")) {
            request.header("Content-Type", "application/json");
        }
        headers.forEach(request::header);
        return send(request.build());
    }

    /** Posts as an outside caller would: no admin token; JSON unless the headers say otherwise. */
    public HttpResponse<String> postAsIs(String path, String body, Map<String, String> headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url(path)))
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (!headers.containsKey("Content-Type")) {
            request.header("Content-Type", "application/json");
        }
        headers.forEach(request::header);
        return sendAsIs(request.build());
    }

    public HttpResponse<String> hook(String path, String body, String deliveryId) {
        return post("/hooks/" + path, body, Map.of("webhook-id", deliveryId));
    }

    public HttpResponse<String> get(String path) {
        return send(HttpRequest.newBuilder(URI.create(url(path))).GET().build());
    }

    public JsonNode getJson(String path) {
        return json(get(path));
    }

    public static JsonNode json(HttpResponse<String> response) {
        try {
            return Values.JSON.readTree(response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Posts a webhook and waits until its event is finished; returns the event. */
    public JsonNode deliver(String path, String body, String deliveryId) {
        HttpResponse<String> response = hook(path, body, deliveryId);
        if (response.statusCode() != 202) {
            throw new AssertionError("expected 202, got " + response.statusCode() + ": " + response.body());
        }
        return awaitFinished(json(response).get("eventId").asText());
    }

    /** Polls an event until it leaves pending/running, for at most 20 seconds. */
    public JsonNode awaitFinished(String eventId) {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode event = getJson("/api/events/" + eventId);
            String status = event.path("status").asText();
            if (!status.equals("pending") && !status.equals("running")) {
                return event;
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
        throw new AssertionError("event " + eventId + " did not finish within 20 s: " + getJson("/api/events/" + eventId));
    }

    private HttpResponse<String> send(HttpRequest request) {
        HttpRequest.Builder withToken = HttpRequest.newBuilder(request, (name, value) -> true);
        if (request.headers().firstValue("Authorization").isEmpty()) {
            withToken.header("Authorization", "Bearer " + adminToken);
        }
        return sendAsIs(withToken.build());
    }

    /** Sends the request as it is: no token added. */
    public HttpResponse<String> sendAsIs(HttpRequest request) {
        try {
            return client.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    @Override
    public void close() {
        server.close();
        engine.close();
        if (alerts instanceof AlertSender sender) {
            sender.close();
        }
    }
}
