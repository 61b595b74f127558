package dev.steward.testing.vendors.quickbooks;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The fake's webhooks: changes gathered for a short window, then sent as one delivery signed with
 * {@code intuit-signature} (Base64 HMAC-SHA256 of the body with the verifier token), in the classic
 * {@code eventNotifications} form or as an array of CloudEvents; a delivery Steward does not take
 * (no answer, or not 2xx) is sent again, a few times. One realm's deliveries go one at a time,
 * in order, as Intuit sends them.
 */
final class QuickBooksWebhooks implements AutoCloseable {

    private record Change(String realmId, String entity, String id, String operation, String lastUpdated) {
    }

    private static final int ATTEMPTS = 5;

    private final QuickBooksFake.Options options;
    private final ScheduledExecutorService sender = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "quickbooks-fake-webhooks");
        t.setDaemon(true);
        return t;
    });
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final List<Change> pending = new ArrayList<>();
    private final List<QuickBooksFake.Delivery> deliveries = new CopyOnWriteArrayList<>();
    private volatile String target;
    private int outstanding;

    QuickBooksWebhooks(QuickBooksFake.Options options) {
        this.options = options;
    }

    void target(String url) {
        this.target = url;
    }

    List<QuickBooksFake.Delivery> deliveries() {
        return List.copyOf(deliveries);
    }

    synchronized void changed(String realmId, String entity, String id, String operation, String lastUpdated) {
        if (target == null) {
            return;
        }
        pending.add(new Change(realmId, entity, id, operation, lastUpdated));
        outstanding++;
        if (pending.size() == 1) {
            sender.schedule(this::flush, options.batchWindow().toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    synchronized void await(Duration timeout) {
        long until = System.nanoTime() + timeout.toNanos();
        while (outstanding > 0 && System.nanoTime() < until) {
            try {
                wait(Math.max(1, (until - System.nanoTime()) / 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void flush() {
        List<Change> batch;
        synchronized (this) {
            batch = List.copyOf(pending);
            pending.clear();
        }
        if (batch.isEmpty()) {
            return;
        }
        String body = options.cloudEvents() ? cloudEvents(batch) : classic(batch);
        String url = target;
        int status = 0;
        for (int attempt = 1; attempt <= ATTEMPTS && url != null; attempt++) {
            status = post(url, body);
            deliveries.add(new QuickBooksFake.Delivery(body, status));
            if (status >= 200 && status < 300) {
                break;
            }
            sleep(Duration.ofMillis(200L * attempt));
        }
        synchronized (this) {
            outstanding -= batch.size();
            notifyAll();
        }
    }

    private int post(String url, String body) {
        try {
            HttpRequest request = HttpRequest.newBuilder(URI.create(url))
                    .timeout(Duration.ofSeconds(3)) // Intuit waits 3 s for the answer
                    .header("Content-Type", options.cloudEvents() ? "application/cloudevents-batch+json" : "application/json")
                    .header("intuit-signature", sign(options.verifierToken(), body))
                    .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
                    .build();
            return client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (java.io.IOException e) {
            return 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        }
    }

    /** {@code intuit-signature}: Base64 of HMAC-SHA256 of the body's bytes keyed with the verifier token. */
    static String sign(String verifierToken, String body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(verifierToken.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return Base64.getEncoder().encodeToString(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String classic(List<Change> batch) {
        ObjectNode root = QuickBooksFake.JSON.createObjectNode();
        ArrayNode notifications = root.putArray("eventNotifications");
        ObjectNode notification = notifications.addObject();
        notification.put("realmId", batch.getFirst().realmId());
        ArrayNode entities = notification.putObject("dataChangeEvent").putArray("entities");
        for (Change c : batch) {
            ObjectNode e = entities.addObject();
            e.put("name", c.entity());
            e.put("id", c.id());
            e.put("operation", c.operation());
            e.put("lastUpdated", c.lastUpdated());
        }
        return root.toString();
    }

    private static String cloudEvents(List<Change> batch) {
        ArrayNode events = QuickBooksFake.JSON.createArrayNode();
        for (Change c : batch) {
            ObjectNode e = events.addObject();
            e.put("specversion", "1.0");
            e.put("id", UUID.randomUUID().toString());
            e.put("source", "intuit.fake-" + c.realmId());
            e.put("type", "qbo." + c.entity().toLowerCase(Locale.ROOT) + "." + past(c.operation()) + ".v1");
            e.put("datacontenttype", "application/json");
            e.put("time", Instant.now().toString());
            e.put("intuitentityid", c.id());
            e.put("intuitaccountid", c.realmId());
            e.putObject("data");
        }
        return events.toString();
    }

    private static String past(String operation) {
        String op = operation.toLowerCase(Locale.ROOT);
        return op.endsWith("e") ? op + "d" : op + "ed";
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        sender.shutdownNow();
    }
}
