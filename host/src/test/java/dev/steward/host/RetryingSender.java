package dev.steward.host;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Sends webhooks the way a real sender with retries does: a delivery that got no 202 (connection
 * refused while the host was down, a connection cut, a 503) is sent again with the same
 * {@code webhook-id} after a short backoff, until it is acknowledged. Records which event each
 * delivery was acknowledged as, and every answer a sender should never get. Thread-safe.
 */
final class RetryingSender {

    final Map<String, String> acknowledged = new ConcurrentHashMap<>();
    final AtomicInteger duplicates = new AtomicInteger();
    final AtomicInteger resent = new AtomicInteger();
    final AtomicInteger refusedWhileStopping = new AtomicInteger();
    /** 503s with {@code Retry-After} because the store could not be reached. */
    final AtomicInteger storeUnavailable = new AtomicInteger();
    final List<String> unexpected = Collections.synchronizedList(new ArrayList<>());
    private final int port;
    private final int keys;
    private final Duration timeout;
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();

    /** @param keys deliveries spread over this many CRM customers, {@code K-0} to {@code K-(keys-1)} */
    RetryingSender(int port, int keys) {
        this(port, keys, Duration.ofSeconds(10));
    }

    /** @param timeout how long one request may take before it is sent again */
    RetryingSender(int port, int keys, Duration timeout) {
        this.port = port;
        this.keys = keys;
        this.timeout = timeout;
    }

    /** Sends delivery {@code n} (an email change of customer {@code K-(n % keys)}) until it is acknowledged. */
    void deliver(String prefix, int n) {
        String deliveryId = prefix + "-" + n;
        String body = "{\"id\":\"K-" + (n % keys) + "\",\"email\":\"e" + n + "@" + prefix + ".example\"}";
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/hooks/crm/customer"))
                .timeout(timeout).header("Content-Type", "application/json")
                .header("webhook-id", deliveryId).POST(HttpRequest.BodyPublishers.ofString(body)).build();
        for (int attempt = 1; !Thread.currentThread().isInterrupted(); attempt++) {
            if (attempt > 1) {
                resent.incrementAndGet();
                HostProcess.pause(Duration.ofMillis(Math.min(50L * attempt, 500))); // the sender's own backoff
            }
            HttpResponse<String> response;
            try {
                response = client.send(request, HttpResponse.BodyHandlers.ofString());
            } catch (IOException e) {
                continue; // refused while the host is down, or cut by a kill: send again
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
            if (response.body().contains("store is unavailable")) {
                storeUnavailable.incrementAndGet();
                if (response.headers().firstValue("Retry-After").isEmpty()) {
                    unexpected.add(deliveryId + ": 503 without Retry-After while the store was unavailable");
                }
            }
            if (response.body().contains("stopping")) {
                refusedWhileStopping.incrementAndGet();
                if (response.headers().firstValue("Retry-After").isEmpty()) {
                    unexpected.add(deliveryId + ": 503 without Retry-After while stopping");
                }
            }
        }
    }
}
