package dev.steward.host;

import dev.steward.Engine;
import dev.steward.store.EventStatus;
import io.javalin.Javalin;
import io.javalin.http.staticfiles.Location;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/** The Javalin host in front of an {@link Engine}: webhooks, the API, health, metrics, the editor. */
public final class HostServer implements AutoCloseable {

    private final Javalin app;

    private HostServer(Javalin app) {
        this.app = app;
    }

    public static HostServer start(Engine engine, PrometheusMeterRegistry metrics, Clock clock, String bind, int port) {
        HookHandler hooks = new HookHandler(engine, engine.workspace().host().maxBodyBytes(), clock);
        ApiRoutes api = new ApiRoutes(engine);
        Javalin app = Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.startup.showOldJavalinVersionWarning = false;
            config.http.maxRequestSize = engine.workspace().host().maxBodyBytes();
            config.jetty.host = bind;
            config.jetty.port = port;
            config.staticFiles.add(files -> {
                files.hostedPath = "/editor";
                files.directory = "/steward-editor";
                files.location = Location.CLASSPATH;
            });
            ErrorMapping.install(config.routes);
            config.routes.post("/hooks/<path>", hooks::handle);
            api.install(config.routes);
            new HoldRoutes(engine).install(config.routes);
            new DeadLetterRoutes(engine).install(config.routes);
            config.routes.get("/health", ctx -> {
                Map<String, Object> health = health(engine, clock);
                Json.send(ctx, "up".equals(health.get("status")) ? 200 : 503, health);
            });
            config.routes.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8")
                    .result(metrics.scrape()));
            config.routes.get("/", ctx -> ctx.redirect("/editor/"));
        });
        app.start();
        return new HostServer(app);
    }

    static Map<String, Object> health(Engine engine, Clock clock) {
        try {
            Map<EventStatus, Long> counts = engine.store().countByStatus();
            Optional<Instant> oldest = engine.store().oldestPending();
            return Json.object("status", "up", "store", "ok",
                    "flows", engine.workspace().flows().size(), "invalidFlows", engine.workspace().brokenFlows().size(),
                    "backlog", counts.getOrDefault(EventStatus.PENDING, 0L) + counts.getOrDefault(EventStatus.RUNNING, 0L),
                    "oldestPendingSeconds", oldest.map(t -> Duration.between(t, clock.instant()).toSeconds()).orElse(0L),
                    "deadLetters", counts.getOrDefault(EventStatus.FAILED, 0L),
                    "quarantined", counts.getOrDefault(EventStatus.INVALID, 0L),
                    "heldFields", engine.store().holds().size());
        } catch (RuntimeException e) {
            return Json.object("status", "down", "store", "unavailable: " + e.getMessage());
        }
    }

    public int port() {
        return app.port();
    }

    @Override
    public void close() {
        app.stop();
    }
}
