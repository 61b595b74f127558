package dev.steward.testing.vendors.sap;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.DelayQueue;
import java.util.concurrent.Delayed;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * SAP Event Mesh's webhook push as the {@link SapFake} plays it: each business event is a
 * CloudEvent posted to the subscriber's URL in structured mode ({@code application/cloudevents+json})
 * or binary mode ({@code ce-*} headers, the data as body), with the subscription's auth header;
 * an event is removed only after a 2xx (QoS 1) and otherwise pushed again after the redelivery
 * interval (about 15 minutes on Event Mesh; short in tests). Thread-safe; one delivery thread.
 */
public final class SapEventPusher implements AutoCloseable {

    /** How events go: the URL, the auth header the subscription sends, structured or binary mode. */
    public record Subscription(URI url, Map<String, String> headers, boolean binary, Duration redelivery) {
    }

    /** One event delivered (answered 2xx), with how many pushes it took. */
    public record Delivered(String id, String type, Map<String, Object> data, int attempts) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final DelayQueue<Pending> queue = new DelayQueue<>();
    private final List<Delivered> delivered = new CopyOnWriteArrayList<>();
    private final AtomicInteger pushes = new AtomicInteger();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final Thread worker;
    private volatile Subscription subscription;

    SapEventPusher() {
        worker = Thread.ofPlatform().daemon().name("sap-fake-events").start(this::run);
    }

    void subscribe(Subscription subscription) {
        this.subscription = subscription;
    }

    /** Queues one event, if anyone subscribed. */
    void publish(ObjectNode event) {
        if (subscription != null) {
            queue.add(new Pending(event, Instant.now(), 0));
        }
    }

    /** The events answered 2xx, in delivery order. */
    public List<Delivered> delivered() {
        return List.copyOf(delivered);
    }

    /** Every push made, answered 2xx or not. */
    public int pushes() {
        return pushes.get();
    }

    /** Events not yet answered 2xx. */
    public int pending() {
        return queue.size() + inFlight.get();
    }

    private void run() {
        while (!Thread.currentThread().isInterrupted()) {
            Pending next;
            try {
                next = queue.take();
            } catch (InterruptedException e) {
                return;
            }
            inFlight.incrementAndGet();
            try {
                Subscription to = subscription;
                int attempts = next.attempts() + 1;
                if (push(to, next.event())) {
                    @SuppressWarnings("unchecked")
                    Map<String, Object> data = JSON.convertValue(next.event().get("data"), Map.class);
                    delivered.add(new Delivered(next.event().get("id").asText(), next.event().get("type").asText(),
                            data, attempts));
                } else {
                    queue.add(new Pending(next.event(), Instant.now().plus(to.redelivery()), attempts));
                }
            } finally {
                inFlight.decrementAndGet();
            }
        }
    }

    private boolean push(Subscription to, ObjectNode event) {
        pushes.incrementAndGet();
        try {
            HttpRequest.Builder request = HttpRequest.newBuilder(to.url()).timeout(Duration.ofSeconds(10));
            to.headers().forEach(request::header);
            if (to.binary()) {
                for (String attribute : List.of("specversion", "id", "source", "type", "time")) {
                    request.header("ce-" + attribute, event.get(attribute).asText());
                }
                request.header("Content-Type", "application/json");
                request.POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(event.get("data"))));
            } else {
                request.header("Content-Type", "application/cloudevents+json");
                request.POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(event)));
            }
            int status = client.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
            return status >= 200 && status < 300;
        } catch (java.io.IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Override
    public void close() {
        worker.interrupt();
        client.close();
    }

    private record Pending(ObjectNode event, Instant due, int attempts) implements Delayed {
        @Override
        public long getDelay(TimeUnit unit) {
            return unit.convert(Duration.between(Instant.now(), due));
        }

        @Override
        public int compareTo(Delayed other) {
            return due.compareTo(((Pending) other).due);
        }
    }
}
