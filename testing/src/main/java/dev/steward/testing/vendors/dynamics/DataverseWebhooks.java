package dev.steward.testing.vendors.dynamics;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The fake's webhook: a service endpoint with an asynchronous PostOperation step on Create and
 * Update, posting each change's {@code RemoteExecutionContext} to one URL, authenticated the
 * way the endpoint was registered ({@code HttpHeader}: a header with the key;
 * {@code WebhookKey}: {@code ?code=<key>}), with Dataverse's {@code x-ms-dynamics-*} headers.
 * Deliveries go out one at a time in order; a failed one (no answer, or not 2xx) is tried
 * again after a short wait, up to {@code attempts} times, as the asynchronous service retries
 * a system job. Thread-safe.
 */
public final class DataverseWebhooks implements AutoCloseable {

    /** How the endpoint authenticates: a header with the key, or the key as {@code ?code=}. */
    public enum Auth { HTTP_HEADER, WEBHOOK_KEY }

    /** One attempt to deliver one context. */
    public record Attempt(String operationId, String body, int status) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI url;
    private final Auth auth;
    private final String header;
    private final String key;
    /** The post image's columns: null for no image, empty for the whole row. */
    private final java.util.Set<String> postImage;
    private final int attempts;
    private final Duration retryDelay;
    private final String organizationId;
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final ExecutorService sender = Executors.newSingleThreadExecutor(r -> {
        Thread thread = new Thread(r, "dataverse-webhooks");
        thread.setDaemon(true);
        return thread;
    });
    private final List<Attempt> history = new ArrayList<>();
    private final AtomicInteger pending = new AtomicInteger();

    DataverseWebhooks(URI url, Auth auth, String header, String key, java.util.Set<String> postImage, int attempts,
                      Duration retryDelay, String organizationId) {
        this.url = url;
        this.auth = auth;
        this.header = header;
        this.key = key;
        this.postImage = postImage;
        this.attempts = attempts;
        this.retryDelay = retryDelay;
        this.organizationId = organizationId;
    }

    /**
     * The context of one change, as Dataverse serializes it for a webhook.
     *
     * @param changed   the attributes the request set (the Target), values already in the
     *                  context's encoding
     * @param keyValue  the alternate key's value when the request addressed the row by it
     * @param image     the whole row after the change, for the post image
     */
    ObjectNode context(DataverseTable table, String message, String rowId, Map<String, Object> changed,
                       String keyValue, Map<String, Object> image, long version) {
        ObjectNode context = JSON.createObjectNode();
        String user = "75c2dd85-e89e-e711-8122-000d3aa2331c";
        String operation = UUID.randomUUID().toString();
        context.put("BusinessUnitId", "e2b9dd85-e89e-e711-8122-000d3aa2331c");
        context.put("CorrelationId", UUID.randomUUID().toString());
        context.put("Depth", 1);
        context.put("InitiatingUserId", user);
        ArrayNode input = context.putArray("InputParameters");
        ObjectNode target = entity(table, rowId, changed, version);
        if (keyValue != null) {
            ((ArrayNode) target.get("KeyAttributes")).addObject().put("key", table.alternateKey()).put("value", keyValue);
        }
        input.addObject().put("key", "Target").set("value", target);
        context.put("IsExecutingOffline", false);
        context.put("IsInTransaction", false);
        context.put("IsOfflinePlayback", false);
        context.put("IsolationMode", 1);
        context.put("MessageName", message);
        context.put("Mode", 1);
        context.put("OperationCreatedOn", "/Date(" + System.currentTimeMillis() + ")/");
        context.put("OperationId", operation);
        context.put("OrganizationId", organizationId);
        context.put("OrganizationName", "steward-fake");
        context.putArray("OutputParameters");
        ObjectNode extension = context.putObject("OwningExtension");
        extension.put("Id", "75417616-4ea2-e711-8122-000d3aa2331c");
        extension.putArray("KeyAttributes");
        extension.put("LogicalName", "sdkmessageprocessingstep");
        extension.putNull("Name");
        extension.putNull("RowVersion");
        context.putNull("ParentContext");
        ArrayNode post = context.putArray("PostEntityImages");
        if (postImage != null) {
            Map<String, Object> columns = new java.util.LinkedHashMap<>(image);
            if (!postImage.isEmpty()) {
                columns.keySet().retainAll(postImage);
            }
            post.addObject().put("key", "PostImage").set("value", entity(table, rowId, columns, version));
        }
        context.putArray("PreEntityImages");
        context.put("PrimaryEntityId", rowId);
        context.put("PrimaryEntityName", table.logicalName());
        context.putNull("RequestId");
        context.put("SecondaryEntityName", "none");
        context.putArray("SharedVariables");
        context.put("Stage", 40);
        context.put("UserId", user);
        return context;
    }

    private static ObjectNode entity(DataverseTable table, String rowId, Map<String, Object> attributes, long version) {
        ObjectNode entity = JSON.createObjectNode();
        entity.put("__type", "Entity:http://schemas.microsoft.com/xrm/2011/Contracts");
        ArrayNode list = entity.putArray("Attributes");
        for (Map.Entry<String, Object> attribute : attributes.entrySet()) {
            list.addObject().put("key", attribute.getKey()).set("value", JSON.valueToTree(attribute.getValue()));
        }
        if (!attributes.containsKey(table.idAttribute())) {
            list.addObject().put("key", table.idAttribute()).put("value", rowId);
        }
        entity.putNull("EntityState");
        entity.putArray("FormattedValues");
        entity.put("Id", rowId);
        entity.putArray("KeyAttributes");
        entity.put("LogicalName", table.logicalName());
        entity.putArray("RelatedEntities");
        entity.put("RowVersion", Long.toString(version));
        return entity;
    }

    /** Queues a context for delivery. */
    void send(ObjectNode context) {
        pending.incrementAndGet();
        sender.execute(() -> {
            try {
                deliver(context.toString(), context.path("OperationId").asText(),
                        context.path("PrimaryEntityName").asText(), context.path("MessageName").asText(),
                        context.path("CorrelationId").asText());
            } finally {
                pending.decrementAndGet();
            }
        });
    }

    /** Delivers a context again, exactly as before (a redelivery, as after a lost answer). */
    public void redeliver(Attempt attempt) {
        try {
            ObjectNode context = (ObjectNode) JSON.readTree(attempt.body());
            send(context);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private void deliver(String body, String operation, String entity, String message, String correlation) {
        for (int attempt = 1; attempt <= attempts; attempt++) {
            int status = post(body, entity, message, correlation);
            synchronized (history) {
                history.add(new Attempt(operation, body, status));
            }
            if (status >= 200 && status < 300) {
                return;
            }
            try {
                Thread.sleep(retryDelay.multipliedBy(attempt).toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private int post(String body, String entity, String message, String correlation) {
        URI target = auth == Auth.WEBHOOK_KEY
                ? URI.create(url + (url.getRawQuery() == null ? "?" : "&") + "code="
                        + URLEncoder.encode(key, StandardCharsets.UTF_8))
                : url;
        HttpRequest.Builder request = HttpRequest.newBuilder(target)
                .timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json")
                .header("x-request-id", UUID.randomUUID().toString())
                .header("x-ms-dynamics-organization", "steward-fake.crm.dynamics.com")
                .header("x-ms-dynamics-entity-name", entity)
                .header("x-ms-dynamics-request-name", message)
                .header("x-ms-correlation-request-id", correlation)
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (auth == Auth.HTTP_HEADER) {
            request.header(header, key);
        }
        try {
            return client.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        }
    }

    /** Every attempt so far, in order. */
    public List<Attempt> attempts() {
        synchronized (history) {
            return List.copyOf(history);
        }
    }

    /** Whether every queued context has been delivered or given up on. */
    public boolean idle() {
        return pending.get() == 0;
    }

    @Override
    public void close() {
        sender.shutdownNow();
    }
}
