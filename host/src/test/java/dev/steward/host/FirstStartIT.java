package dev.steward.host;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The packaged host ({@code java -jar target/steward.jar serve}) on a fresh workspace: with no
 * user and no {@code STEWARD_ADMIN_TOKEN} it makes {@code admin}, prints the password once, and
 * keeps it nowhere (the store's files and the logs are searched byte by byte); a short admin
 * token stops the start with a clear message.
 */
class FirstStartIT {

    private static final Pattern PASSWORD = Pattern.compile("the password (\\S+)");
    private static final Pattern PORT = Pattern.compile("on http://127\\.0\\.0\\.1:(\\d+)");

    @TempDir
    Path temp;
    Process host;

    @AfterEach
    void stop() throws InterruptedException {
        if (host != null && host.isAlive()) {
            host.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void theFirstStartPrintsTheAdminPasswordOnceAndKeepsOnlyItsHash() throws Exception {
        Path home = RunningHost.crmEmailToErp(temp.resolve("ws"), 1, 1, "");
        host = launch(home, Map.of(), "first");
        String stdout = awaitOutput("first", "Sign in at");
        Matcher password = PASSWORD.matcher(stdout);
        assertThat(password.find()).as(stdout).isTrue();
        String secret = password.group(1);
        Matcher port = PORT.matcher(stdout);
        assertThat(port.find()).isTrue();

        HttpResponse<String> signIn = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port.group(1) + "/api/session"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"user\":\"admin\",\"password\":\"" + secret + "\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(signIn.statusCode()).as(signIn.body()).isEqualTo(200);
        assertThat(signIn.body()).contains("\"role\":\"admin\"").doesNotContain(secret);

        host.destroy(); // SIGTERM: the shutdown hook closes the store
        assertThat(host.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(count(Files.readString(temp.resolve("first.out")), secret)).as("printed once").isEqualTo(1);
        assertThat(Files.readString(temp.resolve("first.err"))).as("the log").doesNotContain(secret);
        List<Path> stored = files(home.resolve("data"));
        assertThat(stored).isNotEmpty();
        for (Path file : stored) {
            byte[] bytes = Files.readAllBytes(file);
            assertThat(indexOf(bytes, secret.getBytes(StandardCharsets.UTF_8))).as(file.toString()).isEqualTo(-1);
            assertThat(indexOf(bytes, secret.getBytes(StandardCharsets.UTF_16BE))).as(file.toString()).isEqualTo(-1);
        }

        host = launch(home, Map.of(), "second");
        String again = awaitOutput("second", "Steward serving");
        host.destroy();
        host.waitFor(30, TimeUnit.SECONDS);
        assertThat(again + Files.readString(temp.resolve("second.out"))).doesNotContain("First start").doesNotContain(secret);
    }

    @Test
    void aShortAdminTokenStopsTheStartWithAClearMessage() throws Exception {
        Path home = RunningHost.crmEmailToErp(temp.resolve("ws"), 1, 1, "");
        host = launch(home, Map.of("STEWARD_ADMIN_TOKEN", "too-short"), "short");
        assertThat(host.waitFor(90, TimeUnit.SECONDS)).isTrue();
        assertThat(host.exitValue()).isEqualTo(2);
        String err = Files.readString(temp.resolve("short.err"));
        assertThat(err).contains("STEWARD_ADMIN_TOKEN must be at least 32 characters (it has 9)").doesNotContain("Exception")
                .doesNotContain("\tat ");
    }

    private Process launch(Path home, Map<String, String> env, String name) throws IOException {
        Path jar = Path.of("target", "steward.jar").toAbsolutePath();
        assertThat(jar).as("the packaged host; run through 'mvn verify'").exists();
        String java = ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> command = new ArrayList<>(List.of(java, "-XX:TieredStopAtLevel=1"));
        if (Runtime.version().feature() >= 24) {
            command.add("--sun-misc-unsafe-memory-access=allow");
        }
        command.addAll(List.of("-jar", jar.toString(), "serve", "--home", home.toString(), "--port", "0", "--bind", "127.0.0.1"));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().remove("STEWARD_ADMIN_TOKEN");
        builder.environment().remove("STEWARD_TOKEN");
        builder.environment().putAll(env);
        return builder.redirectOutput(temp.resolve(name + ".out").toFile()).redirectError(temp.resolve(name + ".err").toFile()).start();
    }

    /** Polls the process's standard output until it holds {@code text}, for at most 90 seconds. */
    private String awaitOutput(String name, String text) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        Path out = temp.resolve(name + ".out");
        while (System.nanoTime() < deadline) {
            String now = Files.exists(out) ? Files.readString(out) : "";
            if (now.contains(text)) {
                return now;
            }
            if (!host.isAlive()) {
                throw new AssertionError("the host exited " + host.exitValue() + ":\n" + Files.readString(temp.resolve(name + ".err")));
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no '" + text + "' within 90 s:\n" + Files.readString(temp.resolve(name + ".err")));
    }

    private static List<Path> files(Path folder) throws IOException {
        try (Stream<Path> walk = Files.walk(folder)) {
            return walk.filter(Files::isRegularFile).toList();
        }
    }

    private static int count(String text, String part) {
        int n = 0;
        for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
            n++;
        }
        return n;
    }

    private static int indexOf(byte[] data, byte[] part) {
        outer:
        for (int i = 0; i <= data.length - part.length; i++) {
            for (int j = 0; j < part.length; j++) {
                if (data[i + j] != part[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
