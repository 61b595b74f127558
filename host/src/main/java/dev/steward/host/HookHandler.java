package dev.steward.host;

import dev.steward.Engine;
import dev.steward.model.Flow;
import dev.steward.api.Received;
import dev.steward.model.WebhookTrigger;
import dev.steward.plugin.WebhookDelivery;
import dev.steward.plugin.WebhookFormat;
import dev.steward.plugin.WebhookRefusedException;
import dev.steward.plugin.WebhookRequest;
import io.javalin.http.Context;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * {@code POST /hooks/{path}}: checks the content type, size and signature before anything is
 * parsed, persists the event, and only then answers {@code 202 {"eventId": ...}}. A flow with a
 * vendor's webhook format hands the delivery to the format instead, which verifies it and splits
 * it into notifications; each is stored as its own event (all in one transaction), and the
 * answer is the format's reply or {@code 202 {"eventIds": [...], "duplicates": n}}.
 */
final class HookHandler {

    private static final Logger LOG = LoggerFactory.getLogger(HookHandler.class);

    /** Delivery id headers tried in order when a flow names none. */
    static final List<String> DELIVERY_HEADERS = List.of("webhook-id", "X-GitHub-Delivery", "X-Request-Id",
            "Idempotency-Key");

    private final Engine engine;
    private final long maxBody;
    private final SignatureVerifiers signatures;
    private final Clock clock;

    HookHandler(Engine engine, long maxBody, Clock clock) {
        this.engine = engine;
        this.maxBody = maxBody;
        this.signatures = new SignatureVerifiers(clock);
        this.clock = clock;
    }

    void handle(Context ctx) throws IOException {
        String path = ctx.pathParam("path");
        Optional<Flow> found = engine.workspace().flowByHookPath(path);
        if (found.isEmpty()) {
            Json.error(ctx, 404, "no flow listens on /hooks/" + path);
            return;
        }
        Flow flow = found.get();
        WebhookTrigger hook = flow.webhook().orElseThrow(); // found by its hook path
        if (hook.format().isPresent()) {
            formatted(ctx, flow, hook, hook.format().get());
            return;
        }
        Optional<String> unsupported = unsupportedType(Optional.ofNullable(ctx.contentType()).orElse(""));
        if (unsupported.isPresent()) {
            Json.error(ctx, 415, unsupported.get());
            return;
        }
        long declared = ctx.contentLength();
        if (declared > maxBody) {
            Json.error(ctx, 413, "the body is " + declared + " bytes; this host accepts at most " + maxBody);
            return;
        }
        // A broken chunked encoding (a chunk size past any length) throws here; ErrorMapping answers 400.
        byte[] body = readAtMost(ctx.bodyInputStream(), maxBody);
        if (body == null) {
            Json.error(ctx, 413, "the body is larger than " + maxBody + " bytes");
            return;
        }
        Optional<SignatureVerifier> verifier = signatures.of(hook);
        Optional<String> forged = verifier.flatMap(v -> v.verify(ctx::header, body));
        if (forged.isPresent()) {
            Json.error(ctx, 401, "signature check failed: " + forged.get());
            return;
        }
        Optional<String> schemeHeader = verifier.flatMap(SignatureVerifier::deliveryIdHeader);
        Optional<String> deliveryId = deliveryId(ctx, schemeHeader.or(() -> hook.deliveryIdHeader()));
        if (schemeHeader.isPresent() && deliveryId.isEmpty()) {
            Json.error(ctx, 400, "missing " + schemeHeader.get() + " header: this flow's signed deliveries are"
                    + " deduplicated on it");
            return;
        }
        Received intake = engine.receive(flow, deliveryId, body);
        Json.send(ctx, 202, Json.object("eventId", intake.eventId(), "duplicate", intake.duplicate()));
    }

    /** A delivery for a flow with a vendor's format: the format verifies and splits it. */
    private void formatted(Context ctx, Flow flow, WebhookTrigger hook, String name) throws IOException {
        Optional<WebhookFormat> found = engine.webhookFormat(name);
        if (found.isEmpty()) {
            // The flow loaded with it, so only a format gone since (a plugin jar removed) gets here.
            Json.error(ctx, 503, "webhook format '" + name + "' of flow " + flow.id() + " is not loaded");
            return;
        }
        WebhookFormat format = found.get();
        String type = Optional.ofNullable(ctx.contentType()).orElse("");
        String mediaType = type.split(";")[0].trim().toLowerCase(Locale.ROOT);
        if (!format.accepts(mediaType)) {
            Json.error(ctx, 415, "webhook format '" + name + "' does not take '" + type + "' deliveries");
            return;
        }
        long declared = ctx.contentLength();
        if (declared > maxBody) {
            Json.error(ctx, 413, "the body is " + declared + " bytes; this host accepts at most " + maxBody);
            return;
        }
        byte[] body = readAtMost(ctx.bodyInputStream(), maxBody);
        if (body == null) {
            Json.error(ctx, 413, "the body is larger than " + maxBody + " bytes");
            return;
        }
        WebhookRequest request = new WebhookRequest(ctx.method().name(), calledUrl(ctx), ctx.headerMap(), body,
                clock.instant());
        WebhookDelivery delivery;
        try {
            delivery = format.read(request, new dev.steward.plugin.WebhookSettings(hook.secret(), hook.options()));
        } catch (WebhookRefusedException e) {
            LOG.warn("flow {}: webhook format {} refused a delivery to /hooks/{} with {}: {}", flow.id(), name,
                    hook.path(), e.status(), e.getMessage());
            Json.error(ctx, e.status(), e.getMessage() == null ? "refused by webhook format " + name : e.getMessage());
            return;
        } catch (RuntimeException | LinkageError e) {
            LOG.error("flow {}: webhook format {} failed on a delivery; nothing was stored", flow.id(), name, e);
            Json.error(ctx, 500, "webhook format '" + name + "' failed to read the delivery; nothing was stored");
            return;
        }
        List<String> ids = delivery.notifications().stream()
                .map(n -> n.id() == null ? "" : DeliveryIds.stored(n.id())).toList();
        List<Received> received = engine.receiveAll(flow, delivery.notifications(), ids);
        if (delivery.reply().isPresent()) {
            WebhookDelivery.Reply reply = delivery.reply().get();
            ctx.status(reply.status()).contentType(reply.contentType()).result(reply.body());
            return;
        }
        List<String> eventIds = new ArrayList<>();
        int duplicates = 0;
        for (Received r : received) {
            eventIds.add(r.eventId());
            duplicates += r.duplicate() ? 1 : 0;
        }
        Json.send(ctx, 202, Json.object("eventIds", eventIds, "duplicates", duplicates));
    }

    /**
     * The URL the sender called, as vendors sign it: {@code host.publicUrl} in place of this
     * request's scheme and host when set (behind a proxy the request's own are the proxy's).
     */
    private String calledUrl(Context ctx) {
        Optional<URI> publicUrl = engine.workspace().host().access().publicUrl();
        String base;
        if (publicUrl.isPresent()) {
            String text = publicUrl.get().toString();
            base = text.endsWith("/") ? text.substring(0, text.length() - 1) : text;
        } else {
            base = ctx.scheme() + "://" + ctx.host();
        }
        String query = ctx.queryString();
        return base + ctx.path() + (query == null || query.isEmpty() ? "" : "?" + query);
    }

    /** Why a content type is refused; empty for JSON in UTF-8 (the charset JSON must have, RFC 8259). */
    static Optional<String> unsupportedType(String type) {
        String[] parts = type.split(";");
        String mediaType = parts[0].trim().toLowerCase(Locale.ROOT);
        if (!mediaType.equals("application/json") && !mediaType.endsWith("+json")) {
            return Optional.of("webhooks must be sent as application/json, not '" + type + "'");
        }
        for (int i = 1; i < parts.length; i++) {
            String[] parameter = parts[i].split("=", 2);
            if (parameter.length == 2 && parameter[0].trim().equalsIgnoreCase("charset")) {
                String charset = parameter[1].trim().replace("\"", "").toLowerCase(Locale.ROOT);
                if (!charset.equals("utf-8") && !charset.equals("utf8")) {
                    return Optional.of("webhooks must be JSON in UTF-8, not charset=" + charset);
                }
            }
        }
        return Optional.empty();
    }

    /** The delivery id: from the header given, or else from the first of the usual ones that is present. */
    private static Optional<String> deliveryId(Context ctx, Optional<String> header) {
        for (String name : header.map(List::of).orElse(DELIVERY_HEADERS)) {
            String value = ctx.header(name);
            if (value != null && !value.isBlank()) {
                return Optional.of(DeliveryIds.stored(value));
            }
        }
        return Optional.empty();
    }

    /** The whole stream, or null if it holds more than {@code max} bytes. */
    private static byte[] readAtMost(InputStream in, long max) throws IOException {
        byte[] data = in.readNBytes((int) Math.min(max + 1, Integer.MAX_VALUE - 8));
        return data.length > max ? null : data;
    }
}
