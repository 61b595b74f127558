package dev.steward.host;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The real host ({@code java -jar target/steward.jar serve}) as a child process, killed with
 * SIGKILL at random moments (a seeded {@link Random}) while senders post webhooks to it, and
 * started again each time on the same workspace and embedded H2 store. The senders behave like
 * real webhook senders: a delivery that got no 202 (connection refused while the host was down,
 * a connection cut by the kill, a 503) is sent again with the same {@code webhook-id}. The
 * target, in this JVM, honours {@code Idempotency-Key}. At the end, after a last start: every
 * event that got a 202 is succeeded or a dead letter, none is lost or stuck, the store holds no
 * event no one was answered for, and the target applied each event's write exactly once.
 *
 * <p>{@code -Dsteward.crash.kills=N} (or {@code STEWARD_CRASH_KILLS}) sets the number of kills:
 * 20 by default, 100 or more for the long soak. Needs the packaged jar, which {@code mvn verify}
 * builds before the integration tests run.
 */
class CrashRecoveryIT {

    static final String ADMIN_TOKEN = "crash-recovery-admin-token-" + java.util.UUID.randomUUID();
    static final int KILLS = Integer.getInteger("steward.crash.kills",
            Integer.parseInt(System.getenv().getOrDefault("STEWARD_CRASH_KILLS", "20")));
    static final int SENDERS = 2;
    static final Duration SENDER_PAUSE = Duration.ofMillis(10);
    static final int KEYS = 40;
    static final Duration READY_WITHIN = Duration.ofSeconds(90);
    static final Duration DRAIN_WITHIN = Duration.ofSeconds(120);

    @TempDir
    Path temp;
    IdempotentTarget erp;
    Process host;
    ExecutorService senders;
    final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();

    @AfterEach
    void stopEverything() throws InterruptedException {
        if (senders != null) {
            senders.shutdownNow();
            senders.awaitTermination(10, TimeUnit.SECONDS);
        }
        if (host != null && host.isAlive()) {
            host.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        if (erp != null) {
            erp.close();
        }
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.MINUTES) // the soak; the default run takes 2 to 3 minutes
    void killedAtRandomTheHostLosesNothingAndAppliesNothingTwice() throws Exception {
        Path jar = Path.of("target", "steward.jar").toAbsolutePath();
        assertThat(jar).as("the packaged host; run through 'mvn verify', which packages before integration tests").exists();
        SplittableRandom targetDelays = new SplittableRandom(11);
        // The target answers after a short random delay, so that kills also land between its
        // applying a write and Steward's recording that the write was done.
        erp = new IdempotentTarget((request, key, attempt) -> {
            ResponseDefinitionBuilder answer = IdempotentTarget.Answer.applied().response();
            return new IdempotentTarget.Answer(true, answer.withFixedDelay(targetDelays.nextInt(25)));
        });
        Path home = workspace(erp.port());
        int port = freePort();
        Random random = new Random(Long.getLong("steward.crash.seed", 20_261_127L));
        long started = System.nanoTime();

        // Senders: every delivery is sent until it gets a 202; acknowledged holds delivery -> event.
        Map<String, String> acknowledged = new ConcurrentHashMap<>();
        AtomicInteger duplicates = new AtomicInteger();
        AtomicInteger resent = new AtomicInteger();
        AtomicInteger nextDelivery = new AtomicInteger();
        AtomicBoolean stopNew = new AtomicBoolean();
        List<String> unexpected = java.util.Collections.synchronizedList(new ArrayList<>());
        senders = Executors.newFixedThreadPool(SENDERS);
        List<Future<?>> sending = new ArrayList<>();
        for (int s = 0; s < SENDERS; s++) {
            sending.add(senders.submit(() -> {
                while (!stopNew.get() && !Thread.currentThread().isInterrupted()) {
                    int n = nextDelivery.getAndIncrement();
                    send(port, n, acknowledged, duplicates, resent, unexpected);
                    pause(SENDER_PAUSE);
                }
                return null;
            }));
        }

        int kills = 0;
        int killedBeforeReady = 0;
        while (kills < KILLS) {
            host = launch(jar, home, port);
            if (random.nextInt(5) == 0) {
                // Now and then, kill it while it starts: opening the store, migrating, claiming.
                pause(Duration.ofMillis(random.nextInt(3_000)));
                killedBeforeReady += isUp(port) ? 0 : 1;
            } else {
                awaitReady(host, port);
                pause(Duration.ofMillis(200 + random.nextInt(2_300))); // the random moment of the kill, under load
            }
            host.destroyForcibly(); // SIGKILL on Linux: no shutdown hook, no flush, no goodbye
            assertThat(host.waitFor(20, TimeUnit.SECONDS)).as("the killed host exited").isTrue();
            kills++;
        }

        host = launch(jar, home, port);
        awaitReady(host, port);
        stopNew.set(true);
        for (Future<?> sender : sending) {
            sender.get(READY_WITHIN.toSeconds(), TimeUnit.SECONDS); // each finishes its last delivery
        }
        assertThat(unexpected).as("answers a sender should never get").isEmpty();
        awaitNothingOpen(port);
        long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started);

        // Every acknowledged event is known to the store, and finished.
        Set<String> eventIds = new HashSet<>(acknowledged.values());
        assertThat(eventIds).as("one event per delivery").hasSize(acknowledged.size());
        Map<String, Integer> statuses = new TreeMap<>();
        Set<String> succeeded = new HashSet<>();
        int rerun = 0;
        for (String eventId : eventIds) {
            HttpResponse<String> response = get(port, "/api/events/" + eventId);
            assertThat(response.statusCode()).as("event " + eventId + " got a 202 and must not be lost").isEqualTo(200);
            JsonNode event = RunningHost.json(response);
            String status = event.path("status").asText();
            statuses.merge(status, 1, Integer::sum);
            assertThat(status).as(event.toString()).isIn("succeeded", "failed");
            if (status.equals("succeeded")) {
                succeeded.add(eventId);
            }
            rerun += event.path("attempts").asInt() > 1 ? 1 : 0;
        }
        assertThat(json(get(port, "/api/events?status=pending&limit=1")).path("events")).isEmpty();
        assertThat(json(get(port, "/api/events?status=running&limit=1")).path("events")).isEmpty();

        // No duplicate side effect: each succeeded event's write applied once, under its own key.
        Map<String, Integer> applied = erp.applied();
        assertThat(applied.values()).allMatch(times -> times == 1);
        Map<String, Long> appliedPerEvent = applied.keySet().stream()
                .collect(Collectors.groupingBy(key -> key.substring(0, key.lastIndexOf(':')), Collectors.counting()));
        assertThat(appliedPerEvent.values()).allMatch(times -> times == 1);
        assertThat(appliedPerEvent.keySet()).containsExactlyInAnyOrderElementsOf(succeeded);
        long replays = erp.requests().stream().filter(IdempotentTarget.Seen::replayed).count();

        // The store, read directly once the host has stopped, holds exactly the acknowledged events.
        host.destroy();
        assertThat(host.waitFor(30, TimeUnit.SECONDS)).as("the host stops on SIGTERM").isTrue();
        Map<String, String> stored = new HashMap<>();
        try (Connection db = DriverManager.getConnection("jdbc:h2:" + home.resolve("data/steward"), "sa", "");
                Statement select = db.createStatement();
                ResultSet rows = select.executeQuery("SELECT id, status FROM events")) {
            while (rows.next()) {
                stored.put(rows.getString(1), rows.getString(2));
            }
        }
        assertThat(stored.keySet()).containsExactlyInAnyOrderElementsOf(eventIds);

        System.out.printf("CrashRecoveryIT: %d SIGKILLs (%d during start-up) in %d s; %d events acknowledged (%s),"
                        + " %d re-run after a kill, %d deliveries sent again (%d answered as duplicates),"
                        + " %d writes applied, %d repeated writes answered from the target's idempotency store%n",
                kills, killedBeforeReady, seconds, eventIds.size(), statuses, rerun, resent.get(), duplicates.get(),
                applied.size(), replays);
        assertThat(kills).isGreaterThanOrEqualTo(KILLS);
    }

    /** Sends delivery {@code n} until it is acknowledged, as a webhook sender with retries would. */
    private void send(int port, int n, Map<String, String> acknowledged, AtomicInteger duplicates,
                      AtomicInteger resent, List<String> unexpected) {
        String deliveryId = "crash-" + n;
        String body = "{\"id\":\"K-" + (n % KEYS) + "\",\"email\":\"e" + n + "@crash.example\"}";
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/hooks/crm/customer"))
                .timeout(Duration.ofSeconds(10)).header("Content-Type", "application/json")
                .header("webhook-id", deliveryId).POST(HttpRequest.BodyPublishers.ofString(body)).build();
        for (int attempt = 1; !Thread.currentThread().isInterrupted(); attempt++) {
            if (attempt > 1) {
                resent.incrementAndGet();
                pause(Duration.ofMillis(Math.min(50L * attempt, 500))); // the sender's own backoff
            }
            HttpResponse<String> response;
            try {
                response = client.send(request, HttpResponse.BodyHandlers.ofString());
            } catch (IOException e) {
                continue; // refused while the host is down, or cut by the kill: send again
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            if (response.statusCode() == 202) {
                JsonNode answer = RunningHost.json(response);
                String eventId = answer.get("eventId").asText();
                if (answer.path("duplicate").asBoolean()) {
                    duplicates.incrementAndGet();
                }
                String earlier = acknowledged.putIfAbsent(deliveryId, eventId);
                if (earlier != null && !earlier.equals(eventId)) {
                    unexpected.add(deliveryId + " was acknowledged as " + earlier + " and then as " + eventId);
                }
                return;
            }
            if (response.statusCode() != 503) {
                unexpected.add(deliveryId + ": " + response.statusCode() + " " + response.body());
                return;
            }
        }
    }

    private Process launch(Path jar, Path home, int port) throws IOException {
        String java = ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> command = new ArrayList<>(List.of(java, "-XX:TieredStopAtLevel=1")); // starts faster
        if (Runtime.version().feature() >= 24) {
            command.add("--sun-misc-unsafe-memory-access=allow"); // as ./steward does: quiets Drools' XStream
        }
        command.addAll(List.of("-jar", jar.toString(), "serve", "--home", home.toString(), "--port", String.valueOf(port),
                "--bind", "127.0.0.1"));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().put("STEWARD_ADMIN_TOKEN", ADMIN_TOKEN);
        return builder
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(temp.resolve("host.log").toFile()))
                .start();
    }

    private void awaitReady(Process process, int port) throws IOException {
        long deadline = System.nanoTime() + READY_WITHIN.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError("the host exited with " + process.exitValue() + " before it was ready:\n" + logTail());
            }
            if (isUp(port)) {
                return;
            }
            pause(Duration.ofMillis(50));
        }
        throw new AssertionError("the host was not ready within " + READY_WITHIN + ":\n" + logTail());
    }

    private boolean isUp(int port) {
        try {
            return get(port, "/health").statusCode() == 200;
        } catch (UncheckedIOException notYet) {
            return false;
        }
    }

    private void awaitNothingOpen(int port) throws IOException {
        long deadline = System.nanoTime() + DRAIN_WITHIN.toNanos();
        JsonNode health = null;
        while (System.nanoTime() < deadline) {
            health = json(get(port, "/health"));
            if (health.path("backlog").asLong(-1) == 0) {
                return;
            }
            pause(Duration.ofMillis(200));
        }
        throw new AssertionError("events still open after " + DRAIN_WITHIN + ": " + health + "\n" + logTail());
    }

    private String logTail() throws IOException {
        List<String> lines = Files.readAllLines(temp.resolve("host.log"));
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    }

    private HttpResponse<String> get(int port, String path) {
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

    private static JsonNode json(HttpResponse<String> response) {
        return RunningHost.json(response);
    }

    /** A deliberate wait: a sender's pacing or the chosen moment of a kill, never a wait for a condition. */
    private static void pause(Duration duration) {
        try {
            Thread.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private Path workspace(int erpPort) throws IOException {
        return RunningHost.crmEmailToErp(temp.resolve("workspace"), 4, erpPort, "");
    }
}
