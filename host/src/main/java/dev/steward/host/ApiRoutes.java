package dev.steward.host;

import dev.steward.Engine;
import dev.steward.api.BreakerStatus;
import dev.steward.api.ConflictStats;
import dev.steward.model.Diagnostic;
import dev.steward.model.Flow;
import dev.steward.model.Step;
import dev.steward.model.SystemLimits;
import dev.steward.plugin.SystemConfig;
import dev.steward.api.DryRun;
import dev.steward.api.EventDetail;
import dev.steward.api.EventRecord;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** The read side of {@code /api}: flows, systems and their records, events and their traces. */
final class ApiRoutes {

    private final Engine engine;

    ApiRoutes(Engine engine) {
        this.engine = engine;
    }

    void install(RoutesConfig routes) {
        routes.get("/api/flows", this::flows);
        routes.get("/api/flows/{id}", this::flow);
        routes.post("/api/flows/{id}/dry-run", this::dryRun);
        routes.get("/api/diagnostics", ctx -> Json.send(ctx, 200, Json.object("diagnostics",
                engine.workspace().diagnostics().stream().map(ApiRoutes::diagnostic).toList())));
        routes.get("/api/systems", this::systems);
        routes.get("/api/systems/{system}/{entity}/{key}", ctx -> Json.send(ctx, 200,
                engine.read(ctx.pathParam("system"), ctx.pathParam("entity"), ctx.pathParam("key"))));
        routes.get("/api/events", this::events);
        routes.get("/api/events/{id}", this::event);
        routes.get("/api/stats", this::stats);
    }

    /** {@code ?period=day|week} (default week): the conflicts prevented, per field and per day. */
    private void stats(Context ctx) {
        String period = Optional.ofNullable(ctx.queryParam("period")).orElse("week");
        if (!period.equals("day") && !period.equals("week")) {
            throw new io.javalin.http.HttpResponseException(400, "period must be day or week, not '" + period + "'");
        }
        ConflictStats stats = engine.conflictStats(period.equals("week"));
        Json.send(ctx, 200, Json.object("period", stats.period(), "from", stats.from().toString(),
                "to", stats.to().toString(), "totals", stats.totals(),
                "byField", stats.byField().stream().map(f -> counts(Json.object("entity", f.entity(), "field", f.field()),
                        f.counts())).toList(),
                "days", stats.days().stream().map(d -> counts(Json.object("day", d.day().toString()), d.counts())).toList()));
    }

    private static Map<String, Object> counts(Map<String, Object> row, ConflictStats.Counts counts) {
        row.put("rejected", counts.rejected());
        row.put("quarantined", counts.quarantined());
        row.put("heals", counts.heals());
        row.put("echoes", counts.echoes());
        row.put("holds", counts.holds());
        return row;
    }

    private void flows(Context ctx) {
        List<Object> out = new ArrayList<>();
        engine.workspace().flows().values().forEach(flow -> out.add(summary(flow)));
        engine.workspace().brokenFlows().forEach((file, diagnostics) -> out.add(Json.object("file", file,
                "status", "invalid", "diagnostics", diagnostics.stream().map(ApiRoutes::diagnostic).toList())));
        Json.send(ctx, 200, Json.object("flows", out));
    }

    private void flow(Context ctx) {
        Flow flow = flowOr404(ctx.pathParam("id"));
        Map<String, Object> body = summary(flow);
        switch (flow.trigger()) {
            case dev.steward.model.PollTrigger poll -> body.put("poll", Json.object("system", poll.system(),
                    "entity", poll.entity(), "every", poll.every().toString(), "since", poll.since().orElse("cursor")));
            case dev.steward.model.ScheduleTrigger schedule -> body.put("schedule",
                    Json.object("cron", schedule.cron(), "zone", schedule.zone().getId()));
            case dev.steward.model.WebhookTrigger hook -> { }
        }
        body.put("key", flow.keyPath());
        body.put("fields", flow.fields());
        body.put("steps", flow.steps().stream().map(step -> switch (step) {
            case Step.Transform transform -> Json.object("transform", Json.object(transform.language(), transform.script()),
                    "at", step.location().toString());
            case Step.Rules rules -> Json.object("rules", rules.files(), "at", step.location().toString());
            case Step.Sync sync -> Json.object("sync", sync.setsFields() ? Json.object("to", sync.to(), "fields", sync.set())
                    : Json.object("to", sync.to()), "at", step.location().toString());
            case Step.Filter filter -> Json.object("filter", Json.object("when", filter.text()), "at", step.location().toString());
            case Step.Branch branch -> Json.object("branch", branch.cases().stream().map(c -> c.text()).toList(),
                    "at", step.location().toString());
            case Step.Call call -> Json.object("call", Json.object("system", call.system(), "action", call.action(),
                    "as", call.name()), "at", step.location().toString());
        }).toList());
        Json.send(ctx, 200, body);
    }

    private void dryRun(Context ctx) {
        Flow flow = flowOr404(ctx.pathParam("id"));
        DryRun result = engine.preview(flow, ctx.bodyAsBytes());
        Map<String, Object> body = Json.object("flow", flow.id(), "wouldEndAs", result.wouldEndAs(),
                "error", result.error(), "decisions", result.trace().decisions(), "unchanged", result.trace().unchanged(),
                "writes", result.trace().writes());
        if (flow.fetch()) {
            body.put("fetch", "skipped: a dry run does not read from " + flow.source() + "; the payload's fields are used");
        }
        Json.send(ctx, 200, body);
    }

    /** Each system with its connector, entities, circuit breaker's state and configured rate limit. */
    private void systems(Context ctx) {
        Map<String, BreakerStatus> breakers = new java.util.HashMap<>();
        engine.breakers().forEach(b -> breakers.put(b.system(), b));
        List<Object> out = new ArrayList<>();
        for (SystemConfig system : engine.workspace().systems().values()) {
            Map<String, Object> body = Json.object("name", system.name(), "connector", system.type(), "entities",
                    system.entities().values().stream().map(e -> Json.object("entity", e.name(), "fields", e.fields())).toList());
            BreakerStatus breaker = breakers.get(system.name());
            body.put("breaker", breaker == null ? null : Json.object("state", breaker.state(),
                    "since", breaker.since() == null ? null : breaker.since().toString(),
                    "failureRate", breaker.failureRate() < 0 ? null : breaker.failureRate(), "lastFailure", breaker.lastFailure()));
            SystemLimits limits = engine.workspace().host().delivery().limits(system.name());
            body.put("rateLimit", limits.rateLimit().map(r -> (Object) Json.object("perSecond", r.perSecond(), "burst", r.burst()))
                    .orElse(null));
            out.add(body);
        }
        Json.send(ctx, 200, Json.object("systems", out));
    }

    private void events(Context ctx) {
        int limit = DeadLetterRoutes.limit(ctx, 50, 1000);
        List<EventRecord> events;
        try {
            events = engine.events(limit, blankless(ctx.queryParam("flow")), blankless(ctx.queryParam("status")),
                    blankless(ctx.queryParam("key")));
        } catch (IllegalArgumentException e) {
            Json.error(ctx, 400, e.getMessage());
            return;
        }
        List<Object> out = events.stream().map(e -> (Object) event(e)).toList();
        Json.send(ctx, 200, Json.object("events", out));
    }

    /** A query parameter, empty when absent or blank (as a form's empty filter sends it). */
    private static Optional<String> blankless(String value) {
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(value);
    }

    private void event(Context ctx) {
        String id = ctx.pathParam("id");
        Optional<EventDetail> event = engine.event(id);
        if (event.isEmpty()) {
            Json.error(ctx, 404, "no event " + id);
            return;
        }
        Json.send(ctx, 200, event(event.get().event()));
    }

    /** An event as the API shows it: with its payload and trace when the record carries them. */
    static Map<String, Object> event(EventRecord e) {
        Map<String, Object> body = Json.object("eventId", e.id(), "flow", e.flowId(), "entity", e.entity(), "key", e.key(),
                "status", e.status(), "attempts", e.attempts(),
                "deliveryId", e.deliveryId(), "receivedAt", e.receivedAt() == null ? null : e.receivedAt().toString(),
                "finishedAt", e.finishedAt() == null ? null : e.finishedAt().toString(), "error", e.error());
        if (e.payload() != null) {
            body.put("payload", e.payload());
        }
        if (e.trace() != null) {
            body.put("trace", e.trace());
        }
        return body;
    }

    private Flow flowOr404(String id) {
        Flow flow = engine.workspace().flows().get(id);
        if (flow == null) {
            throw new io.javalin.http.NotFoundResponse("no flow '" + id + "'" + (engine.workspace().brokenFlows().isEmpty()
                    ? "" : " (flows with errors: " + String.join(", ", engine.workspace().brokenFlows().keySet()) + ")"));
        }
        return flow;
    }

    private static Map<String, Object> summary(Flow flow) {
        return Json.object("id", flow.id(), "status", "active", "description", flow.description(), "file", flow.file(),
                "trigger", flow.trigger().kind(),
                "hook", flow.webhook().map(hook -> "/hooks/" + hook.path()).orElse(null), "source", flow.source(), "entity", flow.entity());
    }

    static Map<String, Object> diagnostic(Diagnostic d) {
        return Json.object("file", d.file(), "line", d.line(), "column", d.column(),
                "severity", d.severity().name().toLowerCase(Locale.ROOT), "message", d.message());
    }
}
