package dev.steward.host;

import dev.steward.Engine;
import dev.steward.model.Flow;
import dev.steward.store.Intake;
import io.javalin.http.Context;

import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.util.List;
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
        String type = Optional.ofNullable(ctx.contentType()).orElse("");
        String mediaType = type.split(";")[0].trim().toLowerCase(java.util.Locale.ROOT);
        if (!mediaType.equals("application/json") && !mediaType.endsWith("+json")) {
            Json.error(ctx, 415, "webhooks must be sent as application/json, not '" + type + "'");
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
        Optional<String> forged = signatures.verify(flow.trigger(), ctx::header, body);
        if (forged.isPresent()) {
            Json.error(ctx, 401, "signature check failed: " + forged.get());
            return;
        }
        Intake intake = engine.receive(flow, deliveryId(ctx, flow), body);
        Json.send(ctx, 202, Json.object("eventId", intake.eventId(), "duplicate", intake.duplicate()));
    }

    private static Optional<String> deliveryId(Context ctx, Flow flow) {
        List<String> headers = flow.trigger().deliveryIdHeader().map(List::of).orElse(DELIVERY_HEADERS);
        for (String header : headers) {
            String value = ctx.header(header);
            if (value != null && !value.isBlank()) {
                return Optional.of(value.length() > 200 ? value.substring(0, 200) : value);
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
