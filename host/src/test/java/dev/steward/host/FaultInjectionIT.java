package dev.steward.host;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.http.Request;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A few hundred events over several records, written through the http connector to a local
 * target that answers on a schedule with every failure the background article's playbook names:
 * connection resets, empty answers, garbage then close, answers slower than the connector's
 * {@code readTimeout}, 429 with {@code Retry-After} in seconds and as an HTTP date, 503, 400 and
 * 422, and writes the target applied but whose answer was lost. Each event's email names its
 * plan, so the target knows what to do with it whichever worker runs it and whenever. At the end
 * every event is succeeded or a dead letter with the right cause, nothing is open, and no event's
 * write was applied twice.
 */
class FaultInjectionIT {

    static final int EVENTS = 300;
    static final int KEYS = 12;
    static final Duration READ_TIMEOUT = Duration.ofMillis(1_000);
    static final Duration SLOW = Duration.ofMillis(2_500);
    static final DateTimeFormatter HTTP_DATE = DateTimeFormatter.RFC_1123_DATE_TIME.withZone(ZoneOffset.UTC);

    /** What the target does with the requests of one event, attempt by attempt; the last step repeats. */
    enum Step {
        APPLY, RESET, EMPTY, GARBAGE, SLOW, APPLY_THEN_RESET, APPLY_THEN_SLOW, LIMIT_SECONDS, LIMIT_DATE,
        UNAVAILABLE, UNAVAILABLE_RETRY_AFTER, BAD_REQUEST, UNPROCESSABLE
    }

    /** A plan: its steps, and how the event must end (status, attempts). */
    enum Plan {
        OK(8, "succeeded", 1, Step.APPLY),
        RESET(2, "succeeded", 2, Step.RESET, Step.APPLY),
        EMPTY(2, "succeeded", 2, Step.EMPTY, Step.APPLY),
        GARBAGE(2, "succeeded", 2, Step.GARBAGE, Step.APPLY),
        SLOW(2, "succeeded", 2, Step.SLOW, Step.APPLY),
        LOST_AFTER_APPLY(2, "succeeded", 2, Step.APPLY_THEN_RESET, Step.APPLY),
        SLOW_AFTER_APPLY(2, "succeeded", 2, Step.APPLY_THEN_SLOW, Step.APPLY),
        LIMIT_SECONDS(1, "succeeded", 2, Step.LIMIT_SECONDS, Step.APPLY),
        LIMIT_DATE(1, "succeeded", 2, Step.LIMIT_DATE, Step.APPLY),
        UNAVAILABLE(2, "succeeded", 3, Step.UNAVAILABLE, Step.UNAVAILABLE_RETRY_AFTER, Step.APPLY),
        BAD_REQUEST(1, "failed", 1, Step.BAD_REQUEST),
        UNPROCESSABLE(1, "failed", 1, Step.UNPROCESSABLE),
        NEVER(1, "failed", RunningHost.FAST_RETRY.maxAttempts(), Step.UNAVAILABLE),
        EXHAUSTED(1, "failed", RunningHost.FAST_RETRY.maxAttempts(), Step.RESET, Step.EMPTY, Step.SLOW, Step.GARBAGE);

        final int weight;
        final String status;
        final int attempts;
        final List<Step> steps;

        Plan(int weight, String status, int attempts, Step... steps) {
            this.weight = weight;
            this.status = status;
            this.attempts = attempts;
            this.steps = List.of(steps);
        }

        Step step(int attempt) {
            return steps.get(Math.min(attempt, steps.size()) - 1);
        }
    }

    private static final Pattern EMAIL = Pattern.compile("\"email\":\"e(\\d+)-([A-Z_]+)@fault\\.example\"");

    @TempDir
    Path temp;
    IdempotentTarget erp;
    RunningHost host;
    /** For each idempotency key that was told Retry-After: which attempt was told, and not before when to come back. */
    final Map<String, Map.Entry<Integer, Instant>> notBefore = new HashMap<>();

    @AfterEach
    void stop() {
        if (host != null) {
            host.close();
        }
        if (erp != null) {
            erp.close();
        }
    }

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void everyEventEndsSucceededOrDeadLetteredAndNoWriteIsAppliedTwice() throws Exception {
        erp = new IdempotentTarget(this::answer);
        host = new RunningHost(workspace(erp.port()));
        Random random = new Random(20_261_127L);
        List<Plan> weighted = new ArrayList<>();
        for (Plan plan : Plan.values()) {
            for (int i = 0; i < plan.weight; i++) {
                weighted.add(plan);
            }
        }

        Map<String, Plan> plans = new LinkedHashMap<>();     // event id -> plan
        Map<String, Integer> numbers = new HashMap<>();      // event id -> its number
        Map<String, List<Integer>> sentPerKey = new TreeMap<>();
        long started = System.nanoTime();
        for (int n = 0; n < EVENTS; n++) {
            Plan plan = n < Plan.values().length ? Plan.values()[n] : weighted.get(random.nextInt(weighted.size()));
            String key = "K-" + random.nextInt(KEYS);
            HttpResponse<String> response = host.hook("crm/customer",
                    "{\"id\":\"" + key + "\",\"email\":\"e" + n + "-" + plan + "@fault.example\"}", "fault-" + n);
            assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
            String eventId = RunningHost.json(response).get("eventId").asText();
            plans.put(eventId, plan);
            numbers.put(eventId, n);
            sentPerKey.computeIfAbsent(key, k -> new ArrayList<>()).add(n);
            if (n == 0) {
                host.awaitFinished(eventId); // warms up both JVM paths, so a cold start is not a slow answer
            }
        }

        awaitNothingOpen(Duration.ofSeconds(150));
        long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started);

        Map<String, JsonNode> events = new LinkedHashMap<>();
        plans.keySet().forEach(id -> events.put(id, host.getJson("/api/events/" + id)));
        Map<String, Long> statuses = events.values().stream()
                .collect(Collectors.groupingBy(e -> e.path("status").asText(), TreeMap::new, Collectors.counting()));
        Map<Plan, Long> planCounts = plans.values().stream()
                .collect(Collectors.groupingBy(p -> p, () -> new java.util.EnumMap<>(Plan.class), Collectors.counting()));
        System.out.printf("FaultInjectionIT: %d events over %d keys in %d s: %s; plans %s; %d requests to the target%n",
                EVENTS, sentPerKey.size(), seconds, statuses, planCounts, erp.requests().size());

        // Every event ended as its plan says, with the right cause.
        events.forEach((id, event) -> {
            Plan plan = plans.get(id);
            String status = event.path("status").asText();
            String error = event.path("error").asText("");
            String what = "event " + numbers.get(id) + " (" + plan + "): " + event;
            assertThat(status).as(what).isEqualTo(plan.status);
            // A run can take one more attempt than planned when a busy machine makes an answer
            // miss the read timeout; a dead letter's attempts are exact.
            if (plan.status.equals("failed")) {
                assertThat(event.path("attempts").asInt()).as(what).isEqualTo(plan.attempts);
            } else {
                assertThat(event.path("attempts").asInt()).as(what).isBetween(plan.attempts, RunningHost.FAST_RETRY.maxAttempts());
            }
            switch (plan) {
                case BAD_REQUEST -> assertThat(error).as(what).contains("erp answered 400")
                        .contains("field phone expects a number");
                case UNPROCESSABLE -> assertThat(error).as(what).contains("erp answered 422")
                        .contains("email domain is blocked");
                case NEVER -> assertThat(error).as(what).startsWith("gave up after 4 attempts").contains("503");
                case EXHAUSTED -> assertThat(error).as(what).startsWith("gave up after 4 attempts");
                default -> assertThat(error).as(what).isEmpty();
            }
        });
        assertThat(statuses.keySet()).containsOnly("succeeded", "failed");
        assertThat(host.getJson("/api/events?status=pending&limit=1").path("events")).isEmpty();
        assertThat(host.getJson("/api/events?status=running&limit=1").path("events")).isEmpty();

        // A dead letter keeps the target's answer and every attempt.
        String rejected = plans.entrySet().stream().filter(e -> e.getValue() == Plan.UNPROCESSABLE).findFirst()
                .orElseThrow().getKey();
        JsonNode deadLetter = host.getJson("/api/dead-letters/" + rejected);
        assertThat(deadLetter.toString()).contains("422").contains("email domain is blocked");

        // No write applied twice: one applied key per succeeded event, none for a dead letter.
        List<IdempotentTarget.Seen> requests = erp.requests();
        Map<String, Integer> applied = erp.applied();
        assertThat(erp.requestsWithoutKey()).isZero();
        assertThat(applied.values()).allMatch(times -> times == 1);
        Map<String, Long> appliedPerEvent = applied.keySet().stream()
                .collect(Collectors.groupingBy(key -> key.substring(0, key.lastIndexOf(':')), Collectors.counting()));
        assertThat(appliedPerEvent.values()).allMatch(times -> times == 1);
        List<String> succeeded = events.entrySet().stream()
                .filter(e -> e.getValue().path("status").asText().equals("succeeded")).map(Map.Entry::getKey).toList();
        assertThat(appliedPerEvent.keySet()).containsExactlyInAnyOrderElementsOf(succeeded);
        assertThat(applied.keySet()).allMatch(key -> key.endsWith(":erp"));
        long replays = requests.stream().filter(IdempotentTarget.Seen::replayed).count();
        long lostAnswers = plans.values().stream()
                .filter(p -> p == Plan.LOST_AFTER_APPLY || p == Plan.SLOW_AFTER_APPLY).count();
        assertThat(replays).as("retries of writes whose answer was lost, answered from the idempotency store")
                .isGreaterThanOrEqualTo(lostAnswers);
        assertThat(requests).hasSizeGreaterThan(applied.size());

        // A permanent refusal is never retried; a Retry-After is never cut short.
        Map<String, List<IdempotentTarget.Seen>> perKey = requests.stream()
                .collect(Collectors.groupingBy(IdempotentTarget.Seen::key));
        plans.forEach((id, plan) -> {
            List<IdempotentTarget.Seen> seen = perKey.getOrDefault(id + ":erp", List.of());
            assertThat(seen).as("requests of event " + numbers.get(id) + " (" + plan + ")")
                    .hasSize(events.get(id).path("attempts").asInt());
        });
        synchronized (notBefore) {
            assertThat(notBefore).isNotEmpty();
            notBefore.forEach((key, told) -> {
                IdempotentTarget.Seen next = perKey.get(key).get(told.getKey()); // the attempt after the one told
                assertThat(next.at()).as("the retry of " + key + " came before its Retry-After")
                        .isAfterOrEqualTo(told.getValue().minusMillis(5));
            });
        }

        // Each record's writes were applied in the order its events arrived.
        Map<String, List<Integer>> appliedPerRecord = new TreeMap<>();
        for (IdempotentTarget.Seen seen : requests) {
            if (seen.applied()) {
                Matcher m = EMAIL.matcher(seen.body());
                assertThat(m.find()).as(seen.body()).isTrue();
                appliedPerRecord.computeIfAbsent(seen.path(), p -> new ArrayList<>()).add(Integer.parseInt(m.group(1)));
            }
        }
        appliedPerRecord.forEach((record, order) -> assertThat(order).as(record).isSorted());
    }

    /** The target's schedule: the plan named in the event's email, at this attempt. */
    private IdempotentTarget.Answer answer(Request request, String key, int attempt) {
        Matcher m = EMAIL.matcher(request.getBodyAsString());
        if (!m.find()) {
            return IdempotentTarget.Answer.notApplied(aResponse().withStatus(400).withBody("{\"error\":\"no plan\"}"));
        }
        Step step = Plan.valueOf(m.group(2)).step(attempt);
        return switch (step) {
            case APPLY -> IdempotentTarget.Answer.applied();
            case RESET -> fault(Fault.CONNECTION_RESET_BY_PEER);
            case EMPTY -> fault(Fault.EMPTY_RESPONSE);
            case GARBAGE -> fault(Fault.RANDOM_DATA_THEN_CLOSE);
            case SLOW -> IdempotentTarget.Answer.notApplied(aResponse().withStatus(200).withFixedDelay((int) SLOW.toMillis()));
            case APPLY_THEN_RESET -> new IdempotentTarget.Answer(true, aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER));
            case APPLY_THEN_SLOW -> new IdempotentTarget.Answer(true, IdempotentTarget.Answer.applied().response()
                    .withFixedDelay((int) SLOW.toMillis()));
            case LIMIT_SECONDS -> {
                expectNotBefore(key, attempt, Instant.now().plusSeconds(1));
                yield IdempotentTarget.Answer.notApplied(aResponse().withStatus(429).withHeader("Retry-After", "1")
                        .withBody("{\"error\":\"rate limited\"}"));
            }
            case LIMIT_DATE -> {
                Instant at = Instant.now().plusSeconds(2).truncatedTo(ChronoUnit.SECONDS);
                expectNotBefore(key, attempt, at);
                yield IdempotentTarget.Answer.notApplied(aResponse().withStatus(429)
                        .withHeader("Retry-After", HTTP_DATE.format(at)).withBody("{\"error\":\"rate limited\"}"));
            }
            case UNAVAILABLE -> IdempotentTarget.Answer.notApplied(aResponse().withStatus(503)
                    .withBody("{\"error\":\"maintenance\"}"));
            case UNAVAILABLE_RETRY_AFTER -> {
                expectNotBefore(key, attempt, Instant.now().plusSeconds(1));
                yield IdempotentTarget.Answer.notApplied(aResponse().withStatus(503).withHeader("Retry-After", "1")
                        .withBody("{\"error\":\"maintenance\"}"));
            }
            case BAD_REQUEST -> IdempotentTarget.Answer.notApplied(aResponse().withStatus(400)
                    .withHeader("Content-Type", "application/json").withBody("{\"error\":\"field phone expects a number\"}"));
            case UNPROCESSABLE -> IdempotentTarget.Answer.notApplied(aResponse().withStatus(422)
                    .withHeader("Content-Type", "application/json").withBody("{\"error\":\"email domain is blocked\"}"));
        };
    }

    private static IdempotentTarget.Answer fault(Fault fault) {
        ResponseDefinitionBuilder response = aResponse().withFault(fault);
        return IdempotentTarget.Answer.notApplied(response);
    }

    private void expectNotBefore(String key, int attempt, Instant instant) {
        synchronized (notBefore) {
            notBefore.put(key, Map.entry(attempt, instant));
        }
    }

    /** Polls the API until no event is pending or running, within a bound. */
    private void awaitNothingOpen(Duration bound) throws InterruptedException {
        long deadline = System.nanoTime() + bound.toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode health = host.getJson("/health");
            if (health.path("backlog").asLong(-1) == 0
                    && host.getJson("/api/events?status=pending&limit=1").path("events").isEmpty()
                    && host.getJson("/api/events?status=running&limit=1").path("events").isEmpty()) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("events still open after " + bound + ": " + host.getJson("/health"));
    }

    private Path workspace(int erpPort) throws Exception {
        // Every injected fault must reach the retry policy, which is what this test is about; the
        // breaker, which would defer calls while faults pile up, is ResilienceIT's.
        return RunningHost.crmEmailToErp(temp.resolve("workspace"), 8, erpPort, """
                connectTimeout: 1s
                readTimeout: %dms
                circuitBreaker: false
                """.formatted(READ_TIMEOUT.toMillis()));
    }
}
