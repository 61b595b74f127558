import com.sun.net.httpserver.HttpServer;
import dev.steward.model.StoreSettings;
import dev.steward.store.EventStatus;
import dev.steward.store.NewEvent;
import dev.steward.store.RunOutcome;
import dev.steward.store.Store;
import dev.steward.store.StoredEvent;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Figures for several hosts on one PostgreSQL (bench/multihost.sh starts the server):
 * <ul>
 *   <li>{@code claims}: the store's claim transaction alone, one claimer against three claiming the
 *       same backlog at once (three stores, as three hosts): latency of each claim of up to 50
 *       events, p50 and p99, and events claimed and finished per second.
 *   <li>{@code hosts N...}: runs per second end to end (first webhook sent to last write received
 *       by a local sink) with 1, 2, 3 real {@code steward serve} processes, webhooks spread over
 *       them; and the CPU each part used (hosts, PostgreSQL, this JVM's senders and sink).
 *   <li>{@code takeover}: two hosts with {@code store.lease: 5s} and a slow sink; one is SIGKILLed
 *       with runs in flight: the time until the other holds all its events.
 * </ul>
 * Usage: java -cp host/target/steward.jar:host/target/lib/* bench/MultiHost.java PG_URL JAR MODE [ARGS]
 */
public class MultiHost {

    static String admin;
    static String jar;
    static int dbs;
    static final AtomicInteger sinkWrites = new AtomicInteger();
    static volatile int sinkDelayMs;

    public static void main(String[] args) throws Exception {
        admin = args[0];
        jar = args[1];
        String mode = args[2];
        switch (mode) {
            case "claims" -> claims(Integer.parseInt(args[3]));
            case "hosts" -> {
                int events = Integer.parseInt(args[3]);
                for (int i = 4; i < args.length; i++) {
                    hosts(Integer.parseInt(args[i]), events);
                }
            }
            case "takeover" -> takeover(Integer.parseInt(args[3]));
            default -> throw new IllegalArgumentException(mode);
        }
        System.exit(0);
    }

    static String freshDatabase() throws Exception {
        String name = "bench_" + (++dbs) + "_" + ProcessHandle.current().pid();
        try (Connection c = DriverManager.getConnection(admin, "postgres", null); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        }
        return admin.substring(0, admin.lastIndexOf('/') + 1) + name;
    }

    // --- claims --------------------------------------------------------------------------------

    static void claims(int events) throws Exception {
        for (int claimers : new int[] {1, 3}) {
            String url = freshDatabase();
            StoreSettings settings = new StoreSettings(url, "postgres", "", 8);
            List<Store> stores = new ArrayList<>();
            for (int i = 0; i < claimers; i++) {
                stores.add(Store.open(settings, Clock.systemUTC()));
            }
            ExecutorService intake = Executors.newFixedThreadPool(16);
            List<Future<?>> accepted = new ArrayList<>();
            for (int n = 0; n < events; n++) {
                int k = n;
                accepted.add(intake.submit(() -> stores.getFirst().accept(new NewEvent("crm-customer", "d" + k, "customer",
                        "K-" + (k % 500), "{\"id\":\"K-" + (k % 500) + "\"}"))));
            }
            for (Future<?> f : accepted) {
                f.get();
            }
            intake.shutdown();
            List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
            AtomicInteger done = new AtomicInteger();
            ExecutorService hosts = Executors.newFixedThreadPool(claimers);
            long started = System.nanoTime();
            List<Future<?>> running = new ArrayList<>();
            for (int i = 0; i < claimers; i++) {
                Store store = stores.get(i);
                String worker = "bench/" + i;
                running.add(hosts.submit(() -> {
                    int idle = 0;
                    while (done.get() < events && idle < 200) {
                        long t = System.nanoTime();
                        List<StoredEvent> claimed = store.claim(worker, 50, Duration.ofSeconds(30));
                        latencies.add(System.nanoTime() - t);
                        if (claimed.isEmpty()) {
                            idle++;
                            Thread.sleep(2);
                            continue;
                        }
                        idle = 0;
                        store.commit(claimed.stream().map(e -> RunOutcome.finish(e.id(), worker, EventStatus.SUCCEEDED,
                                null, null, null, null).fencedBy(e.claim())).toList());
                        done.addAndGet(claimed.size());
                    }
                    return null;
                }));
            }
            for (Future<?> f : running) {
                f.get();
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            hosts.shutdown();
            long[] sorted = latencies.stream().mapToLong(Long::longValue).sorted().toArray();
            System.out.printf("claims: %d claimer(s), %d events over 500 keys: %.0f events claimed+finished/s; claim"
                            + " latency p50 %.1f ms, p99 %.1f ms over %d claims%n", claimers, done.get(), done.get() / seconds,
                    sorted[sorted.length / 2] / 1e6, sorted[(int) (sorted.length * 0.99)] / 1e6, sorted.length);
            stores.forEach(Store::close);
        }
    }

    // --- hosts ---------------------------------------------------------------------------------

    static HttpServer sink() throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        server.setExecutor(Executors.newFixedThreadPool(32));
        server.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            if (sinkDelayMs > 0) {
                try {
                    Thread.sleep(sinkDelayMs);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            if (!exchange.getRequestMethod().equals("GET")) {
                sinkWrites.incrementAndGet();
            }
            byte[] body = "{}".getBytes();
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        return server;
    }

    record Host(Process process, int port) {}

    static List<Host> startHosts(int count, String url, int sinkPort, String lease) throws Exception {
        List<Host> hosts = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Path home = Files.createTempDirectory("steward-multihost-");
            Files.createDirectories(home.resolve("flows"));
            Files.createDirectories(home.resolve("rules"));
            Files.writeString(home.resolve("steward.yaml"), """
                    host:
                      workers: 16
                    systems:
                      crm:
                        connector: http
                        baseUrl: http://127.0.0.1:1
                        entities:
                          customer: { path: "/customers/{key}", fields: { email: email } }
                      erp:
                        connector: http
                        baseUrl: http://127.0.0.1:%d/api
                        entities:
                          customer: { path: "/customers/{key}", fields: { email: email } }
                    store:
                      url: "%s"
                      user: postgres
                      lease: %s
                    """.formatted(sinkPort, url, lease));
            Files.writeString(home.resolve("rules/mastership.yaml"), """
                    - entity: customer
                      fields: [email]
                      master: crm
                      subscribers: [erp]
                      reason: CRM is the primary entry point for sales.
                    """);
            Files.writeString(home.resolve("flows/crm-customer.yaml"), """
                    id: crm-customer
                    trigger: { webhook: { path: crm/customer } }
                    source: crm
                    entity: customer
                    key: id
                    fields: { email: email }
                    steps:
                      - rules: [mastership.yaml]
                      - sync: { to: [erp] }
                    """);
            int port = freePort();
            Process p = new ProcessBuilder(ProcessHandle.current().info().command().orElseThrow(),
                    "-XX:+UseSerialGC", "-Xms32m", "-Xmx256m", "--sun-misc-unsafe-memory-access=allow",
                    "-jar", jar, "serve", "--home", home.toString(), "--port", String.valueOf(port), "--bind", "127.0.0.1")
                    .redirectErrorStream(true).redirectOutput(home.resolve("serve.log").toFile()).start();
            hosts.add(new Host(p, port));
            if (i == 0) {
                awaitReady(hosts.getFirst()); // the first one migrates the schema alone
            }
        }
        for (Host h : hosts) {
            awaitReady(h);
        }
        return hosts;
    }

    static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    static void awaitReady(Host host) throws Exception {
        for (int i = 0; i < 1800; i++) {
            try {
                if (CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + host.port + "/health")).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // starting
            }
            if (!host.process.isAlive()) {
                throw new IllegalStateException("a host exited while starting");
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("a host did not start within 180 s");
    }

    static void send(List<Host> hosts, String prefix, int events, int threads) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        AtomicInteger next = new AtomicInteger();
        List<Future<?>> all = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            all.add(pool.submit(() -> {
                for (int n = next.getAndIncrement(); n < events; n = next.getAndIncrement()) {
                    Host host = hosts.get(n % hosts.size());
                    String body = "{\"id\":\"K-" + (n % 1000) + "\",\"email\":\"e" + n + "@" + prefix + ".example\"}";
                    HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + host.port + "/hooks/crm/customer"))
                            .header("Content-Type", "application/json").header("webhook-id", prefix + "-" + n)
                            .POST(HttpRequest.BodyPublishers.ofString(body)).build();
                    while (CLIENT.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() != 202) {
                        Thread.sleep(100);
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : all) {
            f.get();
        }
        pool.shutdown();
    }

    static void hosts(int count, int events) throws Exception {
        sinkWrites.set(0);
        sinkDelayMs = 0;
        HttpServer sink = sink();
        String url = freshDatabase();
        List<Host> hosts = startHosts(count, url, sink.getAddress().getPort(), "30s");
        long[] cpuBefore = cpu(hosts);
        long started = System.nanoTime();
        send(hosts, "h" + count, events, 16);
        double sendSeconds = (System.nanoTime() - started) / 1e9;
        while (sinkWrites.get() < events) {
            Thread.sleep(20);
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        long[] cpuAfter = cpu(hosts);
        System.out.printf("hosts: %d host(s), %d events: %.0f runs/s end to end (%.1f s; webhooks all taken in %.1f s);"
                        + " CPU cores used: hosts %.2f, PostgreSQL %.2f, senders+sink %.2f; load average %s%n",
                count, events, events / seconds, seconds, sendSeconds, (cpuAfter[0] - cpuBefore[0]) / 100.0 / seconds,
                (cpuAfter[1] - cpuBefore[1]) / 100.0 / seconds, (cpuAfter[2] - cpuBefore[2]) / 100.0 / seconds,
                Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
        stop(hosts);
        sink.stop(0);
    }

    // --- takeover ------------------------------------------------------------------------------

    static void takeover(int rounds) throws Exception {
        for (int r = 0; r < rounds; r++) {
            sinkWrites.set(0);
            sinkDelayMs = 300;
            HttpServer sink = sink();
            String url = freshDatabase();
            List<Host> hosts = startHosts(2, url, sink.getAddress().getPort(), "5s");
            send(hosts, "t" + r, 600, 8);
            while (sinkWrites.get() < 50) {
                Thread.sleep(20);
            }
            long pid = hosts.getFirst().process.pid();
            long held = held(url, pid);
            long killed = System.nanoTime();
            hosts.getFirst().process.destroyForcibly();
            while (held(url, pid) > 0) {
                Thread.sleep(20);
            }
            System.out.printf("takeover: store.lease 5s; the killed host held %d runs; all claimed by the other host"
                    + " %.2f s after SIGKILL%n", held, (System.nanoTime() - killed) / 1e9);
            stop(hosts);
            sink.stop(0);
        }
    }

    static long held(String url, long pid) throws Exception {
        try (Connection c = DriverManager.getConnection(url, "postgres", null); Statement s = c.createStatement();
                ResultSet rows = s.executeQuery("SELECT COUNT(*) FROM events WHERE status = 'RUNNING' AND claimed_by LIKE '%/"
                        + pid + "'")) {
            rows.next();
            return rows.getLong(1);
        }
    }

    // --- helpers -------------------------------------------------------------------------------

    static void stop(List<Host> hosts) throws Exception {
        for (Host h : hosts) {
            h.process.destroy();
        }
        for (Host h : hosts) {
            if (!h.process.waitFor(30, TimeUnit.SECONDS)) {
                h.process.destroyForcibly();
            }
        }
    }

    /** CPU ticks (1/100 s) of the hosts, of the PostgreSQL server's processes, and of this JVM. */
    static long[] cpu(List<Host> hosts) throws Exception {
        long hostTicks = 0;
        for (Host h : hosts) {
            hostTicks += ticks(h.process.pid());
        }
        long pg = 0;
        long postmaster = Long.parseLong(System.getenv("PG_PID"));
        pg += ticks(postmaster);
        for (ProcessHandle child : ProcessHandle.of(postmaster).orElseThrow().children().toList()) {
            pg += ticks(child.pid());
        }
        return new long[] {hostTicks, pg, ticks(ProcessHandle.current().pid())};
    }

    static long ticks(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            // utime, stime, and the children's (PostgreSQL backends that exited)
            return Long.parseLong(f[11]) + Long.parseLong(f[12]) + Long.parseLong(f[13]) + Long.parseLong(f[14]);
        } catch (IOException | RuntimeException gone) {
            return 0;
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
