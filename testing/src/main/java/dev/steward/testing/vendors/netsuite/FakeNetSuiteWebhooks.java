package dev.steward.testing.vendors.netsuite;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * What Steward's SuiteScript User Event script does after a record is saved, for the fake: post
 * {@code {id, type, externalId, event, changedFields, lastModifiedDate}} signed the Standard
 * Webhooks way, up to three tries, one delivery after the other. Thread-safe.
 */
public final class FakeNetSuiteWebhooks {

    /** Tries per delivery, as the script makes them. */
    static final int TRIES = 3;

    /**
     * One delivery: its {@code webhook-id}, body, the headers sent, the status of each try (0: no
     * answer) and the last answer's body.
     */
    public record Delivery(String id, String body, Map<String, String> headers, List<Integer> statuses, String answer) {

        /** Whether the last try was answered 2xx. */
        public boolean delivered() {
            int last = statuses.getLast();
            return last >= 200 && last < 300;
        }
    }

    private final String accountId;
    private final Clock clock;
    private final ExecutorService sender = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "fake-netsuite-webhooks");
        t.setDaemon(true);
        return t;
    });
    private final HttpClient client = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    private final List<Delivery> deliveries = Collections.synchronizedList(new ArrayList<>());
    private final AtomicInteger pending = new AtomicInteger();
    private volatile String target;
    private volatile String secret;

    FakeNetSuiteWebhooks(String accountId, Clock clock) {
        this.accountId = accountId;
        this.clock = clock;
    }

    void target(String url, String secret) {
        this.target = url;
        this.secret = secret;
    }

    List<Delivery> deliveries() {
        synchronized (deliveries) {
            return List.copyOf(deliveries);
        }
    }

    boolean awaitIdle(Duration wait) throws InterruptedException {
        long end = System.nanoTime() + wait.toNanos();
        while (pending.get() > 0) {
            if (System.nanoTime() > end) {
                return false;
            }
            Thread.sleep(10);
        }
        return true;
    }

    void send(String scriptType, ObjectNode record, String event, List<String> changedFields) {
        String template = target;
        if (template == null) {
            return;
        }
        // one deployment of the script per record type, each with its own URL
        URI url = URI.create(template.replace("{type}", scriptType));
        ObjectNode body = FakeNetSuite.JSON.createObjectNode();
        body.put("id", record.get("id").asText());
        body.put("type", scriptType);
        if (record.hasNonNull("externalId")) {
            body.put("externalId", record.get("externalId").asText());
        } else {
            body.putNull("externalId");
        }
        body.put("event", event);
        var changed = body.putArray("changedFields");
        // the script reports SuiteScript field ids, which are lower case
        changedFields.forEach(f -> changed.add(f.toLowerCase(java.util.Locale.ROOT)));
        body.put("lastModifiedDate", record.get("lastModifiedDate").asText());
        body.put("accountId", accountId);
        String text = body.toString();
        pending.incrementAndGet();
        sender.execute(() -> {
            try {
                deliver(url, text);
            } finally {
                pending.decrementAndGet();
            }
        });
    }

    private void deliver(URI url, String body) {
        String id = "ns_" + UUID.randomUUID();
        String timestamp = Long.toString(clock.instant().getEpochSecond());
        Map<String, String> headers = Map.of("webhook-id", id, "webhook-timestamp", timestamp,
                "webhook-signature", "v1," + sign(secret, id, timestamp, body));
        List<Integer> statuses = new ArrayList<>();
        String answer = "";
        for (int i = 0; i < TRIES; i++) {
            HttpRequest.Builder request = HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(10))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
            headers.forEach(request::header);
            int status;
            try {
                HttpResponse<String> response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
                status = response.statusCode();
                answer = response.body();
            } catch (IOException e) {
                status = 0;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                status = 0;
            }
            statuses.add(status);
            if (status >= 200 && status < 300) {
                break;
            }
        }
        deliveries.add(new Delivery(id, body, headers, List.copyOf(statuses), answer));
    }

    /**
     * The Standard Webhooks signature, base64 HMAC-SHA256 of {@code id.timestamp.body} with the
     * secret's key ({@code whsec_<base64>} decoded, other text as UTF-8); what the script computes
     * with N/crypto.
     */
    public static String sign(String secret, String id, String timestamp, String body) {
        byte[] key = secret.startsWith("whsec_") ? Base64.getDecoder().decode(secret.substring(6))
                : secret.getBytes(StandardCharsets.UTF_8);
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return Base64.getEncoder().encodeToString(mac.doFinal((id + "." + timestamp + "." + body)
                    .getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    void close() {
        sender.shutdownNow();
        try {
            sender.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
