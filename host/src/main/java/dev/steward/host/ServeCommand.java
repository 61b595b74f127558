package dev.steward.host;

import dev.steward.Engine;
import dev.steward.LoadedWorkspace;
import dev.steward.model.Flow;
import dev.steward.host.access.Access;
import dev.steward.host.access.Passwords;
import dev.steward.model.HostSettings;
import dev.steward.model.Workspace;
import dev.steward.run.AlertSink;
import dev.steward.run.RetryPolicy;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

/** {@code steward serve}: runs a workspace until stopped. */
@Command(name = "serve", mixinStandardHelpOptions = true, description = "Run the host: receive webhooks and process them.")
final class ServeCommand implements Callable<Integer> {

    private static final Logger LOG = LoggerFactory.getLogger(ServeCommand.class);

    @Option(names = "--home", description = "The workspace folder (default: the current one).", defaultValue = ".")
    Path home;

    @Option(names = "--port", description = "HTTP port; 0 picks a free one (default: host.port of steward.yaml, else 8080).")
    Integer port;

    @Option(names = "--bind", description = "Address to listen on (default: host.bind of steward.yaml, else 127.0.0.1;"
            + " 0.0.0.0 for every interface).")
    String bind;

    @Override
    public Integer call() throws Exception {
        long started = System.nanoTime();
        PrintWriter out = new PrintWriter(System.out, true);
        PrintWriter err = new PrintWriter(System.err, true);
        if (!Files.isDirectory(home)) {
            err.println("steward: no workspace folder " + home.toAbsolutePath());
            return 2;
        }
        warmUp();
        PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        Clock clock = Clock.systemUTC();
        String workerId = InetAddress.getLocalHost().getHostName() + "/" + ManagementFactory.getRuntimeMXBean().getPid();
        Engine.Options options = new Engine.Options(clock, new SplittableRandom(), metrics, workerId, RetryPolicy.DEFAULT,
                true, AlertSink.NONE).withBind(bind);
        // the transforms compile on a background thread: the host listens (and takes webhooks) meanwhile
        LoadedWorkspace loaded = Engine.load(home, options, true);
        Workspace workspace = loaded.workspace();
        long loadedAt = System.nanoTime();
        print(workspace, err);
        if (workspace.systems().isEmpty()) {
            loaded.close();
            err.println("steward: " + home.toAbsolutePath().normalize() + "/steward.yaml declares no usable system; fix the errors above");
            return 2;
        }
        HostSettings host = workspace.host();
        Optional<String> adminToken = Optional.ofNullable(System.getenv(Access.ADMIN_TOKEN_VARIABLE)).map(String::strip)
                .filter(t -> !t.isEmpty());
        Optional<String> tokenProblem = Access.adminTokenProblem(adminToken);
        if (tokenProblem.isPresent()) {
            loaded.close();
            err.println("steward: " + tokenProblem.get());
            return 2;
        }
        new JvmMemoryMetrics().bindTo(metrics);
        new JvmThreadMetrics().bindTo(metrics);
        AlertSink alerts = AlertSender.of(host.delivery().alerts());
        Engine engine;
        try {
            engine = loaded.start(new Engine.Options(clock, options.random(), metrics, workerId, RetryPolicy.DEFAULT, true,
                    alerts, bind, options.env()));
        } catch (RuntimeException e) {
            // what only a start can find (an init script the database refuses, a store it cannot open): one line, no trace
            LOG.debug("start failed", e);
            loaded.close();
            close(alerts);
            err.println("steward: cannot start: " + startFailure(e));
            return 2;
        }
        long engineStarted = System.nanoTime();
        Access access = new Access(engine.access(), host.access(), adminToken, clock, new SecureRandom(), Passwords.COST);
        HostServer server;
        HostSettings.Listener admin = new HostSettings.Listener(host.bind(), port != null ? port : host.port());
        try {
            server = HostServer.start(engine, metrics, clock, admin, host.hooks(), access);
        } catch (RuntimeException e) {
            engine.close();
            close(alerts);
            err.println("steward: cannot listen on " + admin.bind() + ":" + admin.port()
                    + host.hooks().map(h -> " and " + h.bind() + ":" + h.port()).orElse("") + ": " + rootMessage(e));
            return 2;
        }
        // listening: now the transforms compile (the script engine starts), after the rest of the start
        loaded.compileTransforms();
        CountDownLatch requested = StopSignals.install();
        AtomicBoolean stopped = new AtomicBoolean();
        Runnable stop = () -> {
            if (stopped.compareAndSet(false, true)) {
                stop(server, engine, host.shutdownGrace());
                close(alerts);
            }
        };
        // For the ways to end that are not a signal handled above (SIGHUP, -Xrs): the same order.
        try {
            Runtime.getRuntime().addShutdownHook(new Thread(stop, "steward-shutdown"));
        } catch (IllegalStateException shuttingDown) {
            // A stop signal came while the host was starting, before its handlers were installed:
            // the JVM is stopping already; stop in the same order, without a stack trace.
            LOG.info("a stop signal came while starting: stopping");
            stop.run();
            return 0;
        }
        long ready = System.nanoTime();
        // where the start went (README, JVM flags): the JVM before main, reading the workspace (its
        // rules and scripts compiled), the store and the flows' connectors, the listeners
        LOG.info("start-up: JVM {} ms, workspace {} ms, store and flows {} ms, listeners {} ms",
                ManagementFactory.getRuntimeMXBean().getUptime() - (ready - started) / 1_000_000,
                (loadedAt - started) / 1_000_000, (engineStarted - loadedAt) / 1_000_000, (ready - engineStarted) / 1_000_000);
        // the engine's workspace: flows whose transform did not compile by now are set aside there
        out.println(startLine(engine.workspace(), server, (ready - started) / 1_000_000)
                + engine.warming().map(w -> "; " + w + ": runs start when it is done (webhooks are taken now)").orElse(""));
        // after the host listens, so that a start that fails does not leave an admin whose password no one saw
        access.firstAdmin().ifPresent(password -> out.printf("First start: Steward made the user 'admin' with the password %s"
                + "%n  Sign in at %s/login. It is shown only this once; Steward keeps only its hash.%n",
                password, url(server.address())));
        requested.await();
        stop.run();
        return 0;
    }

    /**
     * Class initialisations that the start needs later on the main thread and that need nothing
     * of it, made on a thread of their own while the workspace loads (bench/startup.md, Round 5:
     * each was on the main thread's profile). A class being initialised here is waited for, not
     * initialised twice, when the main thread gets to it first.
     */
    private static void warmUp() {
        Thread.ofPlatform().daemon().name("steward-warm-up").start(() -> {
            try {
                // the listeners: Jetty's MimeTypes asks for every available locale (the JDK asks each locale provider)
                Class.forName("org.eclipse.jetty.http.MimeTypes");
                // the decision tables' numbers: BigDecimal's class init squares large powers of ten
                java.math.BigDecimal.valueOf(1).hashCode();
                // the rules cache's key: the security providers and SHA-256
                java.security.MessageDigest.getInstance("SHA-256");
            } catch (ReflectiveOperationException | java.security.GeneralSecurityException e) {
                LOG.debug("start-up warm-up", e);
            }
        });
    }

    /**
     * Webhooks get 503 with Retry-After from now on; running events get the grace to finish (the
     * rest are handed back), then the listeners close, then the connectors, then the store.
     */
    private static void stop(HostServer server, Engine engine, Duration grace) {
        LOG.info("stopping: webhooks are refused with 503 from now on; running events get {} s to finish", grace.toSeconds());
        long started = System.nanoTime();
        server.stopTakingWebhooks(grace);
        engine.stopWorkers(grace.minusNanos(System.nanoTime() - started));
        server.close();
        engine.close();
        LOG.info("stopped in {} ms", (System.nanoTime() - started) / 1_000_000);
    }

    /** Prints a workspace's diagnostics, one {@code file:line:column: severity: message} a line. */
    static void print(Workspace workspace, PrintWriter out) {
        for (dev.steward.model.Diagnostic diagnostic : workspace.diagnostics()) {
            out.println(diagnostic);
        }
        out.flush();
    }

    /** Names the addresses the sockets are really bound to, and the flows that take unsigned webhooks. */
    static String startLine(Workspace workspace, HostServer server, long millis) {
        List<String> unsigned = workspace.flows().values().stream().filter(f -> f.webhook().filter(dev.steward.model.WebhookTrigger::unsignedOnPurpose).isPresent())
                .map(Flow::id).sorted().toList();
        return "Steward serving %s on %s%s (%d flows active, %d with errors; store %s)%s in %d ms".formatted(
                workspace.home(), url(server.address()),
                server.hooksAddress().map(a -> ", webhooks also on " + url(a)).orElse(""),
                workspace.flows().size(), workspace.brokenFlows().size(),
                workspace.host().store().isPostgres() ? "PostgreSQL" : "embedded H2",
                unsigned.isEmpty() ? "" : "; unsigned webhooks (signature: none) taken by " + String.join(", ", unsigned),
                millis);
    }

    static String url(InetSocketAddress address) {
        String host = address.getAddress().getHostAddress();
        return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + address.getPort();
    }

    private static void close(AlertSink alerts) {
        if (alerts instanceof AlertSender sender) {
            sender.close();
        }
    }

    /** The failure's message, with its cause's where it adds something. */
    static String startFailure(Throwable e) {
        String message = e.getMessage() == null ? e.toString() : e.getMessage();
        String root = rootMessage(e);
        return e.getCause() == null || message.contains(root) ? message : message + ": " + root;
    }

    static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        return root.getMessage() == null ? root.toString() : root.getMessage();
    }
}
