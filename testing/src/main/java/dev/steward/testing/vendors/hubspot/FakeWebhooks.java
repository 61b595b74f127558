package dev.steward.testing.vendors.hubspot;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Sends the fake HubSpot's webhooks the way HubSpot does: events collected for a moment and
 * POSTed as one JSON array per target URL (at most 100), signed with v3
 * ({@code X-HubSpot-Signature-v3} over method, URL, body and timestamp) and v1, and sent again
 * with the same {@code eventId}s and a higher {@code attemptNumber} when the target does not
 * answer 2xx, up to a number of attempts. Thread-safe.
 */
final class FakeWebhooks implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final long portalId;
    private final long appId;
    private final String clientSecret;
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
            .version(HttpClient.Version.HTTP_1_1).build();
    private final ScheduledExecutorService sender = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "fake-hubspot-webhooks");
        t.setDaemon(true);
        return t;
    });
    private final Map<String, URI> targets = new ConcurrentHashMap<>();
    private final List<ObjectNode> queued = new ArrayList<>();
    private final List<HubSpotFake.Delivery> deliveries = new CopyOnWriteArrayList<>();
    private final AtomicLong eventIds = new AtomicLong(1);
    private final AtomicInteger pending = new AtomicInteger();
    private volatile int attempts = 3;
    private volatile Duration retryDelay = Duration.ofMillis(200);
    private volatile Duration batchWindow = Duration.ofMillis(50);

    FakeWebhooks(long portalId, long appId, String clientSecret) {
        this.portalId = portalId;
        this.appId = appId;
        this.clientSecret = clientSecret;
    }

    void target(String subscription, URI url) {
        targets.put(subscription, url);
    }

    void retries(int attempts, Duration delay) {
        this.attempts = attempts;
        this.retryDelay = delay;
    }

    List<HubSpotFake.Delivery> deliveries() {
        return List.copyOf(deliveries);
    }

    /** Whether nothing is queued or waiting to be sent again. */
    boolean idle() {
        return pending.get() == 0;
    }

    /** Queues the events of one change: a creation, or one property change per changed property. */
    void changed(FakeCrm.Change change) {
        if (!targets.containsKey(change.subscription())) {
            return;
        }
        long now = System.currentTimeMillis();
        List<ObjectNode> events = new ArrayList<>();
        if (change.created()) {
            events.add(event(change, change.subscription() + ".creation", now).put("changeFlag", "NEW"));
        } else {
            change.changed().forEach((name, value) -> events.add(event(change, change.subscription()
                    + ".propertyChange", now).put("propertyName", name).put("propertyValue", value)));
        }
        synchronized (queued) {
            boolean first = queued.isEmpty();
            queued.addAll(events);
            if (first) {
                pending.incrementAndGet();
                sender.schedule(this::flush, batchWindow.toMillis(), TimeUnit.MILLISECONDS);
            }
        }
    }

    private ObjectNode event(FakeCrm.Change change, String type, long now) {
        ObjectNode e = JSON.createObjectNode();
        e.put("eventId", eventIds.getAndIncrement());
        e.put("subscriptionId", 1000 + Math.abs(type.hashCode() % 1000));
        e.put("portalId", portalId);
        e.put("appId", appId);
        e.put("occurredAt", now);
        e.put("subscriptionType", type);
        e.put("attemptNumber", 0);
        e.put("objectId", change.objectId());
        e.put("changeSource", change.source());
        e.put("sourceId", change.source().equals("INTEGRATION") ? String.valueOf(appId) : "userId:1");
        e.put("objectTypeId", switch (change.subscription()) {
            case "contact" -> "0-1";
            case "company" -> "0-2";
            case "deal" -> "0-3";
            default -> "2-" + Math.abs(change.objectType().hashCode());
        });
        e.put("url", targets.get(change.subscription()).toString()); // removed before sending
        return e;
    }

    private void flush() {
        List<ObjectNode> batch;
        synchronized (queued) {
            batch = new ArrayList<>(queued);
            queued.clear();
        }
        Map<String, List<ObjectNode>> byUrl = new java.util.LinkedHashMap<>();
        for (ObjectNode e : batch) {
            byUrl.computeIfAbsent(e.remove("url").asText(), u -> new ArrayList<>()).add(e);
        }
        byUrl.forEach((url, events) -> {
            for (int from = 0; from < events.size(); from += 100) {
                pending.incrementAndGet();
                send(URI.create(url), events.subList(from, Math.min(events.size(), from + 100)), 0);
            }
        });
        pending.decrementAndGet();
    }

    private void send(URI url, List<ObjectNode> events, int attempt) {
        ArrayNode body = JSON.createArrayNode();
        for (ObjectNode e : events) {
            body.add(e.deepCopy().put("attemptNumber", attempt));
        }
        String text = body.toString();
        String timestamp = String.valueOf(System.currentTimeMillis());
        int status;
        try {
            HttpRequest request = HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(10))
                    .header("Content-Type", "application/json")
                    .header("X-HubSpot-Signature-v3", v3(clientSecret, "POST", url.toString(), text, timestamp))
                    .header("X-HubSpot-Request-Timestamp", timestamp)
                    .header("X-HubSpot-Signature", sha256Hex(clientSecret + text))
                    .header("X-HubSpot-Signature-Version", "v1")
                    .POST(HttpRequest.BodyPublishers.ofString(text, StandardCharsets.UTF_8)).build();
            status = client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (java.io.IOException e) {
            status = 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            pending.decrementAndGet();
            return;
        }
        deliveries.add(new HubSpotFake.Delivery(url, events.stream().map(e -> e.path("eventId").asText()).toList(), attempt, status));
        if ((status < 200 || status > 299) && attempt + 1 < attempts) {
            long delay = retryDelay.toMillis() << attempt;
            sender.schedule(() -> send(url, events, attempt + 1), delay, TimeUnit.MILLISECONDS);
            return;
        }
        pending.decrementAndGet();
    }

    /** HubSpot's v3 signature: Base64 HMAC-SHA256 of method + URL + body + timestamp. */
    static String v3(String secret, String method, String url, String body, String timestamp) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return Base64.getEncoder().encodeToString(mac.doFinal((method + url + body + timestamp)
                    .getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    static String sha256Hex(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        sender.shutdownNow();
        client.close();
    }
}
