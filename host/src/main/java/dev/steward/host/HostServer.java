package dev.steward.host;

import dev.steward.Engine;
import dev.steward.host.access.Access;
import dev.steward.host.access.AccessRoutes;
import dev.steward.host.access.Gate;
import dev.steward.host.access.LoginRoutes;
import dev.steward.run.Health;
import io.javalin.Javalin;
import io.javalin.http.staticfiles.Location;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import java.time.Clock;
import java.util.Map;

/** The Javalin host in front of an {@link Engine}: webhooks, the API, health, metrics, the editor. */
public final class HostServer implements AutoCloseable {

    private final Javalin app;

    private HostServer(Javalin app) {
        this.app = app;
    }

    public static HostServer start(Engine engine, PrometheusMeterRegistry metrics, Clock clock, String bind, int port,
                                   Access access) {
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
            new Gate(access).install(config.routes);
            new LoginRoutes(access).install(config.routes);
            new AccessRoutes(access).install(config.routes);
            config.routes.post("/hooks/<path>", hooks::handle);
            api.install(config.routes);
            new HoldRoutes(engine).install(config.routes);
            new DeadLetterRoutes(engine, access.audit()).install(config.routes);
            config.routes.get("/health", ctx -> {
                Health health = engine.health();
                Json.send(ctx, health.isDown() ? 503 : 200, Gate.principal(ctx).isPresent() ? health(health)
                        : Json.object("status", health.status()));
            });
            config.routes.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8")
                    .result(metrics.scrape()));
            config.routes.get("/", ctx -> ctx.redirect("/editor/"));
        });
        app.start();
        return new HostServer(app);
    }

    /**
     * {@code up} and {@code degraded} answer 200, since the host is running and taking webhooks
     * (a load balancer must not take it out because a target system is down); {@code down}, when
     * the store cannot be reached, answers 503.
     */
    static Map<String, Object> health(Health health) {
        Map<String, Object> body = Json.object("status", health.status(), "reasons", health.reasons());
        body.putAll(health.details());
        return body;
    }

    /** Every route as "METHOD /path", as registered; for the access tests. */
    java.util.List<String> routes() {
        return app.unsafe.internalRouter.allHttpHandlers().stream()
                .filter(e -> e.endpoint.method.isHttpMethod())
                .map(e -> e.endpoint.method.name() + " " + e.endpoint.path).toList();
    }

    public int port() {
        return app.port();
    }

    @Override
    public void close() {
        app.stop();
    }
}
