package dev.steward.bench.camel;

import org.apache.camel.CamelContext;
import org.apache.camel.component.http.HttpComponent;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpServer;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpServerConfiguration;
import org.apache.camel.impl.DefaultCamelContext;

import java.util.concurrent.CountDownLatch;

/**
 * Runs {@link DealRoute} in a plain {@link DefaultCamelContext}, with platform-http served by
 * Camel's Vert.x server on 127.0.0.1. Usage: {@code DealBench <port> <sink port>}.
 *
 * <p>Prints one line once the route listens, {@code Camel serving on http://127.0.0.1:PORT in N ms},
 * the same shape as Steward's ready line, so that bench/e2e.sh times both alike. Stops the context
 * on SIGTERM.
 */
public final class DealBench {

    private DealBench() {
    }

    public static void main(String[] args) throws Exception {
        long started = System.nanoTime();
        if (args.length != 2) {
            System.err.println("usage: DealBench <port> <sink port>");
            System.exit(2);
        }
        int port = Integer.parseInt(args[0]);
        int sinkPort = Integer.parseInt(args[1]);

        CamelContext context = new DefaultCamelContext();
        VertxPlatformHttpServerConfiguration server = new VertxPlatformHttpServerConfiguration();
        server.setBindHost("127.0.0.1");
        server.setBindPort(port);
        context.addService(new VertxPlatformHttpServer(server));
        // camel-http keeps up to this many keep-alive connections to the sink (the default is 20 per host)
        HttpComponent http = context.getComponent("http", HttpComponent.class);
        http.setConnectionsPerRoute(64);
        http.setMaxTotalConnections(64);
        context.addRoutes(new DealRoute(sinkPort));
        context.start();

        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            context.stop();
            stopped.countDown();
        }, "camel-bench-shutdown"));
        System.out.printf("Camel serving on http://127.0.0.1:%d in %d ms%n", port, (System.nanoTime() - started) / 1_000_000);
        System.out.flush();
        stopped.await();
    }
}
