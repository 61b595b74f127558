package dev.steward.host;

import com.fasterxml.jackson.databind.JsonNode;
import dev.steward.Audits;
import dev.steward.Engine;
import dev.steward.api.AuditReport;
import dev.steward.api.AuditRequest;
import dev.steward.api.StoredAudit;
import dev.steward.run.Values;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@code /api/audits}: runs an audit ({@code POST}; the answer within {@link #WAIT_MILLIS}, else
 * {@code 202} with its id), and the stored results ({@code GET}, newest first; one by id). Each
 * needs the operator role: a report shows the records' values, as reading a record does.
 */
final class AuditRoutes {

    /** How long a POST waits for the audit before it answers 202 with the id to poll. */
    static final long WAIT_MILLIS = 2000;

    private static final Set<String> KEYS = Set.of("entity", "sample", "all", "repair", "apply");

    private final Engine engine;

    AuditRoutes(Engine engine) {
        this.engine = engine;
    }

    void install(RoutesConfig routes) {
        routes.post("/api/audits", this::start);
        routes.get("/api/audits", this::list);
        routes.get("/api/audits/{id}", this::show);
    }

    private void start(Context ctx) throws InterruptedException {
        AuditRequest request = request(Json.requestObject(ctx));
        Audits.Started started = engine.audits().start(request);
        try {
            AuditReport report = started.report().get(WAIT_MILLIS, TimeUnit.MILLISECONDS);
            Json.send(ctx, 200, Json.object("id", report.id(), "status", "done", "divergences", report.divergences().size(),
                    "report", report));
        } catch (TimeoutException e) {
            ctx.header("Location", "/api/audits/" + started.id());
            Json.send(ctx, 202, Json.object("id", started.id(), "status", "running"));
        } catch (ExecutionException e) {
            // The audit failed (stored as failed): an unknown entity, a system that cannot be read.
            if (e.getCause() instanceof RuntimeException failure) {
                throw failure;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    private void list(Context ctx) {
        int limit = 20;
        String given = ctx.queryParam("limit");
        if (given != null) {
            try {
                limit = Integer.parseInt(given);
            } catch (NumberFormatException e) {
                limit = -1;
            }
            if (limit < 1 || limit > 200) {
                throw new HttpResponseException(400, "limit must be a whole number from 1 to 200");
            }
        }
        Json.send(ctx, 200, Json.object("audits", engine.audits().recent(limit).stream()
                .map(a -> summary(a)).toList()));
    }

    private void show(Context ctx) {
        StoredAudit audit = engine.audits().audit(ctx.pathParam("id"))
                .orElseThrow(() -> new HttpResponseException(404, "no audit " + ctx.pathParam("id")));
        Map<String, Object> body = summary(audit);
        body.put("report", audit.report());
        Json.send(ctx, 200, body);
    }

    private static Map<String, Object> summary(StoredAudit audit) {
        return Json.object("id", audit.id(), "entity", audit.entity(), "status", audit.status(),
                "startedAt", audit.startedAt(), "finishedAt", audit.finishedAt(), "divergences", audit.divergences());
    }

    /** The body as a request, or 400 naming what is wrong. */
    static AuditRequest request(JsonNode body) {
        for (java.util.Iterator<String> names = body.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!KEYS.contains(name)) {
                throw new HttpResponseException(400, "unknown key '" + name + "' (known: entity, sample, all, repair, apply)");
            }
        }
        JsonNode entity = body.get("entity");
        if (entity == null || !entity.isTextual() || entity.asText().isBlank()) {
            throw new HttpResponseException(400, "'entity' must name the entity to audit (\"customer\")");
        }
        int sample = AuditRequest.DEFAULT_SAMPLE;
        if (body.has("sample")) {
            JsonNode given = body.get("sample");
            if (!given.canConvertToInt() || !given.isIntegralNumber() || given.asInt() < 1) {
                throw new HttpResponseException(400, "'sample' must be a whole number of records, at least 1");
            }
            sample = given.asInt();
        }
        boolean all = flag(body, "all");
        boolean repair = flag(body, "repair");
        boolean apply = flag(body, "apply");
        if (all && body.has("sample")) {
            throw new HttpResponseException(400, "'sample' and 'all' exclude each other");
        }
        if (apply && !repair) {
            throw new HttpResponseException(400, "'apply' goes with 'repair': true");
        }
        return new AuditRequest(entity.asText(), sample, all, repair, apply);
    }

    private static boolean flag(JsonNode body, String name) {
        JsonNode value = body.get(name);
        if (value == null || value.isNull()) {
            return false;
        }
        if (!value.isBoolean()) {
            throw new HttpResponseException(400, "'" + name + "' must be true or false");
        }
        return value.booleanValue();
    }

    static String json(Object value) throws com.fasterxml.jackson.core.JsonProcessingException {
        return Values.JSON.writeValueAsString(value);
    }
}
