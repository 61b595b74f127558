package dev.steward.host;

import com.fasterxml.jackson.databind.JsonNode;
import dev.steward.Engine;
import dev.steward.host.access.AuditTrail;
import dev.steward.host.access.Gate;
import dev.steward.host.access.Principal;
import dev.steward.host.access.Secrets;
import dev.steward.api.ErrorSummary;
import dev.steward.api.EventDetail;
import dev.steward.api.EventRecord;
import dev.steward.api.ReplayOutcome;
import dev.steward.run.PayloadRejectedException;
import dev.steward.run.Values;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Dead letters (list, inspect, replay one or many) and the error report that groups them. */
final class DeadLetterRoutes {

    /** How many of the newest dead letters the error report and the bulk replay look at. */
    static final int SCAN = 10_000;

    private final Engine engine;
    private final AuditTrail audit;

    DeadLetterRoutes(Engine engine, AuditTrail audit) {
        this.engine = engine;
        this.audit = audit;
    }

    void install(RoutesConfig routes) {
        routes.get("/api/dead-letters", this::list);
        routes.post("/api/dead-letters/replay", this::replayAll);
        routes.get("/api/dead-letters/{id}", this::show);
        routes.post("/api/dead-letters/{id}/replay", this::replay);
        routes.get("/api/errors", this::errors);
    }

    private void list(Context ctx) {
        int limit = limit(ctx, 50, 1000);
        List<Object> out = engine.deadLetters(limit, Optional.ofNullable(ctx.queryParam("flow"))).stream()
                .map(e -> (Object) withCause(ApiRoutes.event(e), e)).toList();
        Json.send(ctx, 200, Json.object("deadLetters", out));
    }

    private void show(Context ctx) {
        EventDetail detail = eventOr404(ctx.pathParam("id"));
        EventRecord event = detail.event();
        Map<String, Object> body = withCause(ApiRoutes.event(event), event);
        detail.originalPayload().ifPresent(original -> body.put("originalPayload", original));
        body.put("attempts", detail.attempts().stream().map(a -> Json.object("attempt", a.number(),
                "startedAt", a.startedAt().toString(), "finishedAt", a.finishedAt().toString(), "outcome", a.outcome(),
                "error", a.error())).toList());
        body.put("attemptCount", event.attempts());
        Json.send(ctx, 200, body);
    }

    private void replay(Context ctx) {
        String id = ctx.pathParam("id");
        Optional<byte[]> edited = Optional.empty();
        JsonNode request = body(ctx);
        if (request != null && request.has("payload")) {
            edited = Optional.of(request.get("payload").toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        String before = engine.payloadSha256(id).orElse(null);
        ReplayOutcome replay = engine.replay(id, edited);
        if (replay == ReplayOutcome.REPLAYED) {
            Gate.audited(ctx);
            audit.record(actor(ctx), "replay", id, before, edited.map(Secrets::sha256).orElse(before),
                    edited.isPresent() ? "with an edited payload" : null);
        }
        switch (replay) {
            case REPLAYED -> Json.send(ctx, 200, Json.object("eventId", id, "replayed", true, "status", "pending",
                    "edited", edited.isPresent()));
            case NOT_FOUND -> Json.error(ctx, 404, "no event " + id);
            case ALREADY_SUCCEEDED -> conflict(ctx, id, "event " + id + " already succeeded; replaying it would apply it twice");
            case STILL_OPEN -> conflict(ctx, id, "event " + id + " is pending or running already");
        }
    }

    private void replayAll(Context ctx) {
        JsonNode request = body(ctx);
        Optional<String> flow = text(request, "flow");
        Optional<String> cause = text(request, "cause");
        boolean all = request != null && request.path("all").asBoolean(false);
        if (flow.isEmpty() && cause.isEmpty() && !all) {
            Json.error(ctx, 400, "say which dead letters to replay: {\"flow\": ..., \"cause\": ...}, or {\"all\": true}");
            return;
        }
        int replayed = engine.replayAll(flow, cause, SCAN);
        Gate.audited(ctx);
        audit.record(actor(ctx), "replay-bulk", flow.orElse("*"), null, null,
                "cause " + cause.orElse("*") + (all ? ", all" : "") + "; replayed " + replayed);
        Json.send(ctx, 200, Json.object("replayed", replayed));
    }

    private void errors(Context ctx) {
        ErrorSummary summary = engine.errors(Optional.ofNullable(ctx.queryParam("flow")), SCAN);
        List<Object> groups = summary.groups().stream().map(g -> (Object) Json.object("flow", g.flow(),
                "system", g.system(), "status", g.status(), "cause", g.cause(), "count", g.count(),
                "firstSeen", g.firstSeen().toString(), "lastSeen", g.lastSeen().toString(), "samples", g.samples(),
                "lastError", g.lastError())).toList();
        Json.send(ctx, 200, Json.object("groups", groups, "events", summary.events(), "truncated", summary.truncated()));
    }

    private static String actor(Context ctx) {
        return Gate.principal(ctx).map(Principal::actor).orElse("anonymous");
    }

    private static Map<String, Object> withCause(Map<String, Object> body, EventRecord event) {
        if (event.system() != null) {
            body.put("system", event.system());
        }
        body.put("cause", event.cause());
        return body;
    }

    private static void conflict(Context ctx, String id, String reason) {
        Map<String, Object> body = Json.object("status", 409, "error", reason, "eventId", id, "replayed", false);
        Json.send(ctx, 409, body);
    }

    private EventDetail eventOr404(String id) {
        return engine.event(id).orElseThrow(() -> new io.javalin.http.NotFoundResponse("no event " + id));
    }

    /** The request's JSON object, or null when the body is empty. */
    private static JsonNode body(Context ctx) {
        byte[] bytes = ctx.bodyAsBytes();
        if (bytes.length == 0 || new String(bytes, java.nio.charset.StandardCharsets.UTF_8).isBlank()) {
            return null;
        }
        try {
            JsonNode node = Values.JSON.readTree(bytes);
            if (node == null || !node.isObject()) {
                throw new PayloadRejectedException("the request must be a JSON object", true);
            }
            return node;
        } catch (IOException e) {
            throw new PayloadRejectedException("the request is not valid JSON: " + e.getMessage(), true);
        }
    }

    private static Optional<String> text(JsonNode request, String field) {
        return request == null || !request.hasNonNull(field) || request.get(field).asText().isBlank()
                ? Optional.empty() : Optional.of(request.get(field).asText());
    }

    /** The {@code limit} query parameter, from 1 to {@code max}; anything else is a 400. */
    static int limit(Context ctx, int fallback, int max) {
        String text = ctx.queryParam("limit");
        try {
            int limit = text == null ? fallback : Integer.parseInt(text);
            if (limit >= 1 && limit <= max) {
                return limit;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw new io.javalin.http.BadRequestResponse("limit must be from 1 to " + max);
    }
}
