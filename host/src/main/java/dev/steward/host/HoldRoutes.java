package dev.steward.host;

import dev.steward.Engine;
import dev.steward.api.HoldRecord;
import io.javalin.config.RoutesConfig;

/** {@code /api/holds}: fields the flip-flop breaker stopped, and releasing them. */
final class HoldRoutes {

    private final Engine engine;

    HoldRoutes(Engine engine) {
        this.engine = engine;
    }

    void install(RoutesConfig routes) {
        routes.get("/api/holds", ctx -> Json.send(ctx, 200, Json.object("holds",
                engine.holds().stream().map(HoldRoutes::hold).toList())));
        routes.post("/api/holds/{entity}/{key}/{field}/release", ctx -> {
            String entity = ctx.pathParam("entity");
            String key = ctx.pathParam("key");
            String field = ctx.pathParam("field");
            if (!engine.releaseHold(entity, key, field)) {
                Json.error(ctx, 404, "no hold on " + entity + "[" + key + "]." + field);
                return;
            }
            Json.send(ctx, 200, Json.object("released", true, "entity", entity, "key", key, "field", field));
        });
    }

    private static Object hold(HoldRecord hold) {
        return Json.object("entity", hold.entity(), "key", hold.key(), "field", hold.field(),
                "since", hold.since().toString(), "reason", hold.reason(), "history", hold.history());
    }
}
