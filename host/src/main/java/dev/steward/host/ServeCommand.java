package dev.steward.host;

import dev.steward.Engine;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** {@code steward serve}: runs a workspace until stopped. */
@Command(name = "serve", mixinStandardHelpOptions = true, description = "Run the host: receive webhooks and process them.")
final class ServeCommand implements Callable<Integer> {

    private static final Logger LOG = LoggerFactory.getLogger(ServeCommand.class);

    @Option(names = "--home", description = "The workspace folder (default: the current one).", defaultValue = ".")
    Path home;

    @Option(names = "--port", description = "HTTP port; 0 picks a free one (default: host.port of steward.yaml, else 8080).")
    Integer port;

    @Option(names = "--bind", description = "Address to listen on (default: host.bind of steward.yaml, else 0.0.0.0).")
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
        Workspaces workspaces = new Workspaces();
        Workspace workspace = workspaces.load(home);
        Workspaces.print(workspace, err);
        if (workspace.systems().isEmpty()) {
            err.println("steward: " + home.toAbsolutePath().normalize() + "/steward.yaml declares no usable system; fix the errors above");
            return 2;
        }
        HostSettings host = workspace.host();
        PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new JvmMemoryMetrics().bindTo(metrics);
        new JvmThreadMetrics().bindTo(metrics);
        Clock clock = Clock.systemUTC();
        String workerId = InetAddress.getLocalHost().getHostName() + "/" + ManagementFactory.getRuntimeMXBean().getPid();
        AlertSink alerts = AlertSender.of(host.delivery().alerts());
        Engine engine;
        try {
            engine = Engine.start(workspace, workspaces.compiler, workspaces.factories(), workspaces.transforms,
                    new Engine.Options(clock, new SplittableRandom(), metrics, workerId, RetryPolicy.DEFAULT, true, alerts));
        } catch (RuntimeException e) {
            // what only a start can find (an init script the database refuses, a store it cannot open): one line, no trace
            LOG.debug("start failed", e);
            workspaces.close();
            close(alerts);
            err.println("steward: cannot start: " + startFailure(e));
            return 2;
        }
        HostServer server;
        try {
            server = HostServer.start(engine, metrics, clock, bind != null ? bind : host.bind(), port != null ? port : host.port());
        } catch (RuntimeException e) {
            engine.close();
            workspaces.close();
            close(alerts);
            err.println("steward: cannot listen on port " + (port != null ? port : host.port()) + ": " + rootMessage(e));
            return 2;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            LOG.info("stopping");
            server.close();
            engine.close();
            workspaces.close();
            close(alerts);
            stopped.countDown();
        }, "steward-shutdown"));
        out.printf("Steward serving %s on http://127.0.0.1:%d (%d flows active, %d with errors; store %s) in %d ms%n",
                workspace.home(), server.port(), workspace.flows().size(), workspace.brokenFlows().size(),
                host.store().isPostgres() ? "PostgreSQL" : "embedded H2", (System.nanoTime() - started) / 1_000_000);
        stopped.await();
        return 0;
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
