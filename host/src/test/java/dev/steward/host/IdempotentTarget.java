package dev.steward.host;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.extension.ResponseDefinitionTransformerV2;
import com.github.tomakehurst.wiremock.http.Request;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

/**
 * A local HTTP system (WireMock on 127.0.0.1) that honours {@code Idempotency-Key} the way
 * Stripe-style APIs do: the first request with a key that it answers as applied is applied; every
 * later request with that key gets the stored answer and changes nothing. What a request gets
 * otherwise comes from a {@link Schedule} asked with the request and how many requests of its
 * key came before, so a test can make a target fail before applying, or apply and then lose the
 * answer. It records every request and every applied write. Thread-safe: WireMock's threads call
 * {@link #transform} at once; all bookkeeping happens under one lock.
 */
final class IdempotentTarget implements ResponseDefinitionTransformerV2, AutoCloseable {

    /** What to do with one request: apply it or not, and what to answer. */
    record Answer(boolean applies, ResponseDefinitionBuilder response) {

        static Answer applied() {
            return new Answer(true, aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                    .withBody("{\"applied\":true}"));
        }

        static Answer notApplied(ResponseDefinitionBuilder response) {
            return new Answer(false, response);
        }
    }

    /** Decides each request that is not a replay of an applied key. */
    interface Schedule {
        /** @param attempt 1 for the first request with this key, 2 for the next, ... */
        Answer answer(Request request, String key, int attempt);
    }

    /** One request as the target saw it. */
    record Seen(String key, int attempt, String path, String body, Instant at, boolean applied, boolean replayed) {
    }

    private final Schedule schedule;
    private final WireMockServer server;
    private final Object lock = new Object();
    private final Map<String, Integer> attempts = new HashMap<>();
    private final Map<String, Integer> applied = new LinkedHashMap<>();
    private final List<Seen> seen = new ArrayList<>();
    private int withoutKey;

    IdempotentTarget(Schedule schedule) {
        this.schedule = schedule;
        this.server = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort().containerThreads(40)
                .disableRequestJournal().extensions(this));
        server.start();
        server.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(200)));
    }

    int port() {
        return server.port();
    }

    @Override
    public String getName() {
        return "idempotent-target";
    }

    @Override
    public ResponseDefinition transform(ServeEvent serveEvent) {
        Request request = serveEvent.getRequest();
        String key = request.getHeader("Idempotency-Key");
        Instant now = Instant.now();
        synchronized (lock) {
            if (key == null) {
                withoutKey++;
                return aResponse().withStatus(400).withBody("{\"error\":\"Idempotency-Key is required\"}").build();
            }
            int attempt = attempts.merge(key, 1, Integer::sum);
            if (applied.containsKey(key)) {
                seen.add(new Seen(key, attempt, request.getUrl(), request.getBodyAsString(), now, false, true));
                return Answer.applied().response().withHeader("Idempotent-Replayed", "true").build();
            }
            Answer answer = schedule.answer(request, key, attempt);
            if (answer.applies()) {
                applied.merge(key, 1, Integer::sum);
            }
            seen.add(new Seen(key, attempt, request.getUrl(), request.getBodyAsString(), now, answer.applies(), false));
            return answer.response().build();
        }
    }

    /** How often each key was applied, in the order first applied. */
    Map<String, Integer> applied() {
        synchronized (lock) {
            return new LinkedHashMap<>(applied);
        }
    }

    List<Seen> requests() {
        synchronized (lock) {
            return List.copyOf(seen);
        }
    }

    int requestsWithoutKey() {
        synchronized (lock) {
            return withoutKey;
        }
    }

    @Override
    public void close() {
        server.stop();
    }
}
