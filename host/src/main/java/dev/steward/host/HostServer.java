package dev.steward.host;

import dev.steward.Engine;
import dev.steward.host.access.Access;
import dev.steward.host.editor.EditorRoutes;
import dev.steward.host.editor.GridRoutes;
import dev.steward.host.access.AccessRoutes;
import dev.steward.host.access.Gate;
import dev.steward.host.access.LoginRoutes;
import dev.steward.model.HostSettings.Listener;
import dev.steward.run.Health;
import io.javalin.Javalin;
import io.javalin.config.JavalinConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.eclipse.jetty.server.ServerConnector;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The Javalin host in front of an {@link Engine}. The admin listener carries everything:
 * webhooks, the API, health, metrics, the editor. The optional hooks listener, the one to expose
 * to senders on the internet, carries {@code /hooks} and {@code /health} only: it is a Javalin of
 * its own, so the API cannot be reached through it whatever the routes. Each listener's routes
 * are installed by one method below.
 */
public final class HostServer implements AutoCloseable {

    private final Javalin admin;
    private final Optional<Javalin> hooks;
    private final HookGate gate;

    private HostServer(Javalin admin, Optional<Javalin> hooks, HookGate gate) {
        this.admin = admin;
        this.hooks = hooks;
        this.gate = gate;
    }

    public static HostServer start(Engine engine, PrometheusMeterRegistry metrics, Clock clock, String bind, int port,
                                   Access access) {
        return start(engine, metrics, clock, new Listener(bind, port), Optional.empty(), access);
    }

    /**
     * Starts the admin listener, and the hooks listener if there is one. The admin listener checks
     * every request against the route table ({@link Gate}) before any route runs; the hooks
     * listener has only the two routes anyone may call.
     */
    public static HostServer start(Engine engine, PrometheusMeterRegistry metrics, Clock clock, Listener adminAt,
                                   Optional<Listener> hooksAt, Access access) {
        long maxBody = engine.workspace().host().maxBodyBytes();
        HookGate gate = new HookGate(new HookHandler(engine, maxBody, clock));
        Javalin admin = listen(adminAt, maxBody, config -> adminRoutes(config, engine, metrics, gate, access));
        try {
            Optional<Javalin> hooks = hooksAt.map(at -> listen(at, maxBody, config -> hookRoutes(config, engine, gate)));
            return new HostServer(admin, hooks, gate);
        } catch (RuntimeException e) {
            admin.stop();
            throw e;
        }
    }

    /**
     * Jetty sizes the padding of its queues (against false sharing) by whether object references
     * are compressed, and asks the platform MBean server for that unless this property is set:
     * making that server registers every platform MXBean, 0.2-0.6 s of a start on two cores
     * (bench/startup.md, Round 5). Compressed under 32 GB of heap (the launcher gives 224 MB); a
     * wrong guess only pads differently.
     */
    private static void sizeJettyPaddingWithoutJmx() {
        String property = "org.eclipse.jetty.util.referencesPerCacheLine";
        if (System.getProperty(property) == null) {
            System.setProperty(property, Runtime.getRuntime().maxMemory() < (32L << 30) ? "16" : "8");
        }
    }

    private static Javalin listen(Listener at, long maxBody, Consumer<JavalinConfig> routes) {
        sizeJettyPaddingWithoutJmx();
        return Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.startup.showOldJavalinVersionWarning = false;
            config.http.maxRequestSize = maxBody;
            // A webhook's request waits for the intake's group commit: on a virtual thread that wait
            // parks a continuation instead of an OS thread (no context switch per request). Only
            // from JDK 24 (JEP 491): before it, a virtual thread blocked inside a synchronized block
            // (H2 and the JDBC drivers have many) pins its carrier, and a few of those can stall
            // every request.
            config.concurrency.useVirtualThreads = Runtime.version().feature() >= 24;
            config.jetty.host = at.bind();
            config.jetty.port = at.port();
            ErrorMapping.install(config.routes);
            routes.accept(config);
        }).start();
    }

    /** The admin listener: webhooks too (so that a sender on this machine, or a test, needs one port), the API, the editor, metrics. */
    private static void adminRoutes(JavalinConfig config, Engine engine, PrometheusMeterRegistry metrics, HookGate gate,
                                    Access access) {
        new EditorRoutes(HostServer.class.getClassLoader()).install(config);
        new Gate(access).install(config.routes);
        new LoginRoutes(access).install(config.routes);
        new AccessRoutes(access).install(config.routes);
        config.routes.post("/hooks/<path>", gate::handle);
        new ApiRoutes(engine).install(config.routes);
        new HoldRoutes(engine).install(config.routes);
        new AuditRoutes(engine).install(config.routes);
        new DeadLetterRoutes(engine, access.audit()).install(config.routes);
        new FileRoutes(engine, access.audit()).install(config.routes);
        new GridRoutes(engine).install(config.routes);
        config.routes.get("/health", ctx -> health(ctx, engine));
        config.routes.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8")
                .result(metrics.scrape()));
        config.routes.get("/", ctx -> ctx.redirect("/editor/"));
    }

    /** The hooks listener: webhooks and health, nothing else. */
    private static void hookRoutes(JavalinConfig config, Engine engine, HookGate gate) {
        config.routes.post("/hooks/<path>", gate::handle);
        config.routes.get("/health", ctx -> health(ctx, engine));
    }

    /** Anyone may ask whether the host is up; what is degraded, and why, only someone signed in or with a token. */
    private static void health(io.javalin.http.Context ctx, Engine engine) {
        Health health = engine.health();
        Json.send(ctx, health.isDown() ? 503 : 200, Gate.principal(ctx).isPresent() ? health(health)
                : Json.object("status", health.status()));
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

    /** Every route of the admin listener as "METHOD /path", as registered; for the access tests. */
    java.util.List<String> routes() {
        return admin.unsafe.internalRouter.allHttpHandlers().stream()
                .filter(e -> e.endpoint.method.isHttpMethod())
                .map(e -> e.endpoint.method.name() + " " + e.endpoint.path).toList();
    }

    public int port() {
        return admin.port();
    }

    /** The address and port the admin listener's socket is bound to. */
    public InetSocketAddress address() {
        return address(admin);
    }

    /** The hooks listener's socket address, if there is one. */
    public Optional<InetSocketAddress> hooksAddress() {
        return hooks.map(HostServer::address);
    }

    private static InetSocketAddress address(Javalin app) {
        ServerConnector connector = (ServerConnector) app.jettyServer().server().getConnectors()[0];
        try {
            return (InetSocketAddress) ((ServerSocketChannel) connector.getTransport()).getLocalAddress();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Stops taking webhooks (503 with {@code Retry-After} from now on) and waits up to
     * {@code within} for the deliveries already inside to be stored and answered. The listeners
     * keep serving the rest until {@link #close()}.
     */
    public boolean stopTakingWebhooks(Duration within) {
        return gate.close(within);
    }

    @Override
    public void close() {
        gate.close(Duration.ofSeconds(5));
        hooks.ifPresent(Javalin::stop);
        admin.stop();
    }
}
