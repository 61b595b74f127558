package dev.steward.host;

import io.javalin.Javalin;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/**
 * {@code steward bare-intake}: a Javalin app with one route, {@code POST /hooks/<path>}, that reads
 * the body and answers {@code 202 {"eventId":"bare"}} without checking or persisting anything.
 * It exists only as the baseline for {@code bench/intake.sh}: the same JVM, Javalin and Jetty as
 * {@code serve}, so the gap between the two is what Steward's own intake (flow lookup, checks,
 * the H2 insert) costs. Hidden from the help; not for production use.
 */
@Command(name = "bare-intake", hidden = true, mixinStandardHelpOptions = true,
        description = "Benchmark baseline: answers 202 to POST /hooks/* without persisting.")
final class BareIntakeCommand implements Callable<Integer> {

    @Option(names = "--port", description = "HTTP port; 0 picks a free one.", defaultValue = "0")
    int port;

    @Option(names = "--bind", description = "Address to listen on.", defaultValue = "127.0.0.1")
    String bind;

    @Override
    public Integer call() throws InterruptedException {
        long started = System.nanoTime();
        Javalin app = Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.startup.showOldJavalinVersionWarning = false;
            config.jetty.host = bind;
            config.jetty.port = port;
            config.routes.post("/hooks/<path>", ctx -> {
                ctx.bodyAsBytes();
                ctx.status(202).contentType("application/json").result("{\"eventId\":\"bare\"}");
            });
        }).start();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            app.stop();
            stopped.countDown();
        }, "bare-intake-shutdown"));
        System.out.printf("Bare intake serving on http://127.0.0.1:%d in %d ms%n", app.port(),
                (System.nanoTime() - started) / 1_000_000);
        System.out.flush();
        stopped.await();
        return 0;
    }
}
