package dev.steward.host;

import dev.steward.Engine;
import dev.steward.model.Flow;
import dev.steward.api.Received;
import io.javalin.http.Context;

import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * {@code POST /hooks/{path}}: checks the content type, size and signature before anything is
 * parsed, persists the event, and only then answers {@code 202 {"eventId": ...}}.
 */
final class HookHandler {

    /** Delivery id headers tried in order when a flow names none. */
    static final List<String> DELIVERY_HEADERS = List.of("webhook-id", "X-GitHub-Delivery", "X-Request-Id",
            "Idempotency-Key");

    private final Engine engine;
    private final long maxBody;
    private final SignatureVerifiers signatures;

    HookHandler(Engine engine, long maxBody, Clock clock) {
        this.engine = engine;
        this.maxBody = maxBody;
        this.signatures = new SignatureVerifiers(clock);
    }

    void handle(Context ctx) throws IOException {
        String path = ctx.pathParam("path");
        Optional<Flow> found = engine.workspace().flowByHookPath(path);
        if (found.isEmpty()) {
            Json.error(ctx, 404, "no flow listens on /hooks/" + path);
            return;
        }
        Flow flow = found.get();
        dev.steward.model.WebhookTrigger hook = flow.webhook().orElseThrow(); // found by its hook path
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
