package dev.steward.host;

import dev.steward.model.AlertSettings;
import dev.steward.run.Alert;
import dev.steward.run.AlertSink;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * POSTs each alert as JSON to {@code alerts.url}, from a thread of its own: {@link #raise} only
 * queues, so a slow or dead alert receiver never holds up a run. Each POST has the configured
 * timeout and is tried once; a failure is logged, never thrown. When the queue is full (the
 * receiver is far behind), new alerts are dropped and logged. Thread-safe.
 * Lifecycle: create, use, {@link #close()} once.
 */
final class AlertSender implements AlertSink, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(AlertSender.class);
    private static final int QUEUE = 1000;

    private final URI url;
    private final AlertSettings settings;
    private final HttpClient client;
    private final ThreadPoolExecutor sender = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS,
            new ArrayBlockingQueue<>(QUEUE), Thread.ofPlatform().name("steward-alerts").daemon().factory());

    private AlertSender(AlertSettings settings) {
        this.settings = settings;
        this.url = settings.url().orElseThrow();
        this.client = HttpClient.newBuilder().connectTimeout(settings.timeout())
                .followRedirects(HttpClient.Redirect.NEVER).build();
    }

    /** The sender for these settings, or {@link AlertSink#NONE} when no URL is set. */
    static AlertSink of(AlertSettings settings) {
        return settings.url().isPresent() ? new AlertSender(settings) : AlertSink.NONE;
    }

    @Override
    public void raise(Alert alert) {
        try {
            sender.execute(() -> send(alert));
        } catch (RejectedExecutionException e) {
            LOG.warn("alert dropped, the alert queue is full or closed: {} {}", alert.type(), alert.details());
        }
    }

    private void send(Alert alert) {
        try {
            HttpRequest.Builder request = HttpRequest.newBuilder(url).timeout(settings.timeout())
                    .header("Content-Type", "application/json").header("User-Agent", "steward-alerts")
                    .POST(HttpRequest.BodyPublishers.ofString(dev.steward.run.Values.JSON.writeValueAsString(alert.body())));
            settings.headers().forEach(request::header);
            HttpResponse<Void> response = client.send(request.build(), HttpResponse.BodyHandlers.discarding());
            if (response.statusCode() / 100 != 2) {
                LOG.warn("alert {} to {} answered {}", alert.type(), url, response.statusCode());
            }
        } catch (IOException | RuntimeException e) {
            LOG.warn("cannot send alert {} to {}: {}", alert.type(), url, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Sends what is queued, for at most the timeout, then stops. */
    @Override
    public void close() {
        sender.shutdown();
        try {
            if (!sender.awaitTermination(settings.timeout().toMillis(), TimeUnit.MILLISECONDS)) {
                sender.shutdownNow();
            }
        } catch (InterruptedException e) {
            sender.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
