package dev.steward.host;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The packaged host ({@code java -jar target/steward.jar serve}) as a child process on a fixed
 * port of 127.0.0.1, its output appended to one log file across restarts: for the tests that
 * kill it or stop it and start it again on the same workspace. Needs the packaged jar, which
 * {@code mvn verify} builds before the integration tests run.
 */
final class HostProcess {

    static final Duration READY_WITHIN = Duration.ofSeconds(90);
    /** The child's admin token ({@code STEWARD_ADMIN_TOKEN}), sent with every request of {@link #get}. */
    static final String ADMIN_TOKEN = "host-process-admin-token-" + java.util.UUID.randomUUID();

    final Path home;
    final int port;
    final Path log;
    private final Path jar = Path.of("target", "steward.jar").toAbsolutePath();
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();

    HostProcess(Path home, Path log) throws IOException {
        this.home = home;
        this.log = log;
        this.port = freePort();
        assertThat(jar).as("the packaged host; run through 'mvn verify', which packages before integration tests").exists();
    }

    /** Starts {@code serve} on this workspace and port, with {@code extra} arguments. */
    Process launch(String... extra) throws IOException {
        String java = ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> command = new ArrayList<>(List.of(java, "-XX:TieredStopAtLevel=1")); // starts faster
        if (Runtime.version().feature() >= 24) {
            command.add("--sun-misc-unsafe-memory-access=allow"); // as ./steward does: quiets Drools' XStream
        }
        command.addAll(List.of("-jar", jar.toString(), "serve", "--home", home.toString(), "--port", String.valueOf(port)));
        command.addAll(List.of(extra));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().put("STEWARD_ADMIN_TOKEN", ADMIN_TOKEN);
        return builder
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
    }

    void awaitReady(Process process) throws IOException {
        long deadline = System.nanoTime() + READY_WITHIN.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError("the host exited with " + process.exitValue() + " before it was ready:\n" + logTail());
            }
            if (isUp()) {
                return;
            }
            pause(Duration.ofMillis(50));
        }
        throw new AssertionError("the host was not ready within " + READY_WITHIN + ":\n" + logTail());
    }

    boolean isUp() {
        try {
            return get("/health").statusCode() == 200;
        } catch (UncheckedIOException notYet) {
            return false;
        }
    }

    /** Polls {@code /health} until the backlog is empty, for at most {@code within}. */
    void awaitNothingOpen(Duration within) throws IOException {
        long deadline = System.nanoTime() + within.toNanos();
        JsonNode health = null;
        while (System.nanoTime() < deadline) {
            health = RunningHost.json(get("/health"));
            if (health.path("backlog").asLong(-1) == 0) {
                return;
            }
            pause(Duration.ofMillis(200));
        }
        throw new AssertionError("events still open after " + within + ": " + health + "\n" + logTail());
    }

    String logTail() throws IOException {
        List<String> lines = Files.readAllLines(log);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    }

    HttpResponse<String> get(String path) {
        try {
            return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                    .header("Authorization", "Bearer " + ADMIN_TOKEN)
                    .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    JsonNode getJson(String path) {
        return RunningHost.json(get(path));
    }

    /** A deliberate wait: a sender's pacing or the chosen moment of a kill, never a wait for a condition. */
    static void pause(Duration duration) {
        try {
            Thread.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
