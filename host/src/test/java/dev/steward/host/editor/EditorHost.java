package dev.steward.host.editor;

import com.fasterxml.jackson.databind.JsonNode;
import dev.steward.Engine;
import dev.steward.host.HostServer;
import dev.steward.host.access.Access;
import dev.steward.host.access.Role;
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
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.UUID;

/**
 * A real host for the browser tests: the repository's example workspace copied into a
 * temporary folder, served on a random port of 127.0.0.1, with one user per role (named after
 * the role, password {@link #password(Role)}) and an admin token for the tests' own API calls.
 */
public final class EditorHost implements AutoCloseable {

    private static final RetryPolicy FAST_RETRY = new RetryPolicy(4, Duration.ofMillis(20), Duration.ofMillis(200));

    private final Path home;
    private final Engine engine;
    private final Access access;
    private final HostServer server;
    private final String adminToken = "editor-test-admin-token-" + UUID.randomUUID();
    private final HttpClient client = HttpClient.newHttpClient();

    private EditorHost(Path home) {
        this.home = home;
        PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        engine = Engine.open(home, new Engine.Options(Clock.systemUTC(), new SplittableRandom(11), metrics, "editor-test",
                FAST_RETRY, true, AlertSink.NONE));
        // bcrypt's lowest cost: the tests sign in often, and the cost is not what they test
        access = new Access(engine.access(), engine.workspace().host().access(), Optional.of(adminToken), Clock.systemUTC(),
                new SecureRandom(), 4);
        for (Role role : Role.values()) {
            access.addUser(role.label(), role, password(role), "editor-test");
        }
        server = HostServer.start(engine, metrics, Clock.systemUTC(), "127.0.0.1", 0, access);
    }

    /** Starts a host over a copy of the example workspace under {@code folder}. */
    public static EditorHost ofExample(Path folder) throws IOException {
        return ofExample(folder, home -> { });
    }

    /** Starts a host over a copy of the example workspace, changed by {@code prepare} first. */
    public static EditorHost ofExample(Path folder, WorkspaceChange prepare) throws IOException {
        Path home = copyExample(folder.resolve("workspace"));
        prepare.apply(home);
        return new EditorHost(home);
    }

    /** A change to a workspace folder before the host starts. */
    @FunctionalInterface
    public interface WorkspaceChange {
        void apply(Path home) throws IOException;
    }

    /** The password of the user named after {@code role}. */
    public static String password(Role role) {
        return "correct horse " + role.label();
    }

    public Path home() {
        return home;
    }

    public String url(String path) {
        return "http://127.0.0.1:" + server.port() + path;
    }

    /** The host's running configuration and store, for assertions. */
    public Engine engine() {
        return engine;
    }

    /** GET with the admin token; the body as JSON. */
    public JsonNode getJson(String path) {
        HttpResponse<String> answer = send(HttpRequest.newBuilder(URI.create(url(path))).GET()
                .header("Authorization", "Bearer " + adminToken).build());
        return json(answer);
    }

    /** POST of JSON with the admin token. */
    public HttpResponse<String> postJson(String path, String body) {
        return send(HttpRequest.newBuilder(URI.create(url(path))).POST(HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json").header("Authorization", "Bearer " + adminToken).build());
    }

    /**
     * Posts a webhook as a sender does (the example workspace's hooks are not signed; the
     * delivery id makes a retry harmless) and answers the event id from the 202.
     */
    public String hook(String path, String body) {
        HttpResponse<String> answer = send(HttpRequest.newBuilder(URI.create(url("/hooks/" + path)))
                .POST(HttpRequest.BodyPublishers.ofString(body)).header("Content-Type", "application/json")
                .header("webhook-id", "editor-" + UUID.randomUUID()).build());
        if (answer.statusCode() != 202) {
            throw new AssertionError("the hook answered " + answer.statusCode() + ": " + answer.body());
        }
        return json(answer).get("eventId").asText();
    }

    /** Polls an event until it leaves pending and running, for at most 20 seconds. */
    public JsonNode awaitFinished(String eventId) {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode event = getJson("/api/events/" + eventId);
            String status = event.path("status").asText();
            if (!status.equals("pending") && !status.equals("running")) {
                return event;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
        throw new AssertionError("event " + eventId + " did not finish within 20 s");
    }

    public HttpResponse<String> send(HttpRequest request) {
        try {
            return client.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    static JsonNode json(HttpResponse<String> answer) {
        try {
            return Values.JSON.readTree(answer.body());
        } catch (IOException e) {
            throw new AssertionError("not JSON (" + answer.statusCode() + "): " + answer.body(), e);
        }
    }

    /** The repository's example workspace (steward.yaml, flows, rules, systems, transforms), copied. */
    static Path copyExample(Path target) throws IOException {
        return dev.steward.host.ExampleFiles.copyTo(target);
    }

    @Override
    public void close() {
        server.close();
        engine.close();
    }
}
