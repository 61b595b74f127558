package dev.steward.host;

import dev.steward.Engine;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Optional;
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
        Optional<String> adminToken = Optional.ofNullable(System.getenv(Access.ADMIN_TOKEN_VARIABLE)).map(String::strip)
                .filter(t -> !t.isEmpty());
        Optional<String> tokenProblem = Access.adminTokenProblem(adminToken);
        if (tokenProblem.isPresent()) {
            err.println("steward: " + tokenProblem.get());
            return 2;
        }
        PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new JvmMemoryMetrics().bindTo(metrics);
        new JvmThreadMetrics().bindTo(metrics);
        Clock clock = Clock.systemUTC();
        String workerId = InetAddress.getLocalHost().getHostName() + "/" + ManagementFactory.getRuntimeMXBean().getPid();
        AlertSink alerts = AlertSender.of(host.delivery().alerts());
        Engine engine = Engine.start(workspace, workspaces.compiler, workspaces.factories(), workspaces.transforms,
                new Engine.Options(clock, new SplittableRandom(), metrics, workerId, RetryPolicy.DEFAULT, true, alerts));
        Access access = new Access(engine.store(), host.access(), adminToken, clock, new SecureRandom(), Passwords.COST);
        HostServer server;
        try {
            server = HostServer.start(engine, metrics, clock, bind != null ? bind : host.bind(), port != null ? port : host.port(),
                    access);
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
        // after the host listens, so that a start that fails does not leave an admin whose password no one saw
        access.firstAdmin().ifPresent(password -> out.printf("First start: Steward made the user 'admin' with the password %s"
                + "%n  Sign in at http://127.0.0.1:%d/login. It is shown only this once; Steward keeps only its hash.%n",
                password, server.port()));
        stopped.await();
        return 0;
    }

    private static void close(AlertSink alerts) {
        if (alerts instanceof AlertSender sender) {
            sender.close();
        }
    }

    static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        return root.getMessage() == null ? root.toString() : root.getMessage();
    }
}
