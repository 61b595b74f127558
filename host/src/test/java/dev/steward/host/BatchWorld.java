package dev.steward.host;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.steward.run.Values;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;

/**
 * Test support for {@code steward batch}: the example workspace, generated customer files, SQL
 * over a workspace's H2 databases, and an HTTP system on 127.0.0.1 that applies
 * {@code PATCH /customers/{key}} and answers {@code GET} with what it holds, counting each
 * record's writes and the requests in flight.
 */
final class BatchWorld {

    private BatchWorld() {
    }

    /**
     * A CSV of {@code n} customers {@code K-00001...}, in the CRM's columns: each email valid but
     * the ones at {@code invalidEvery} (0 for none), which the validation table refuses.
     */
    static Path customers(Path file, int n, int invalidEvery) throws IOException {
        StringBuilder csv = new StringBuilder("id,name,email,phone,credit_limit\n");
        for (int i = 1; i <= n; i++) {
            String email = invalidEvery > 0 && i % invalidEvery == 0 ? "no-email-" + i : "c" + i + "@example.com";
            csv.append(key(i)).append(",Customer ").append(i).append(',').append(email).append(",+1 555 ")
                    .append(i).append(',').append(1000 + i).append('\n');
        }
        Files.createDirectories(file.getParent());
        return Files.writeString(file, csv);
    }

    static String key(int i) {
        return "K-%05d".formatted(i);
    }

    /** Rows of a query on one of the workspace's H2 databases ({@code data/erp}, {@code data/steward}). */
    static long count(Path home, String database, String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:h2:" + home.resolve("data").resolve(database)
                .toAbsolutePath(), user(database), "");
             Statement statement = c.createStatement();
             ResultSet rows = statement.executeQuery(sql)) {
            rows.next();
            return rows.getLong(1);
        }
    }

    /** The store's user is sa; the example systems' databases have no user named. */
    private static String user(String database) {
        return database.equals("steward") ? "sa" : "";
    }

    static void execute(Path home, String database, String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:h2:" + home.resolve("data").resolve(database)
                .toAbsolutePath(), user(database), "");
             Statement statement = c.createStatement()) {
            statement.execute(sql);
        }
    }

    /** An HTTP system holding customers in memory. Thread-safe. */
    static final class HttpSystem implements AutoCloseable {
        final HttpServer server;
        final Map<String, ObjectNode> records = new ConcurrentHashMap<>();
        final Map<String, Integer> patches = new ConcurrentHashMap<>();
        final AtomicInteger inFlight = new AtomicInteger();
        final AtomicInteger mostInFlight = new AtomicInteger();
        final AtomicInteger applied = new AtomicInteger();
        /** Told the number of each applied write, before it is answered. */
        volatile IntConsumer afterApply = n -> { };

        HttpSystem() throws IOException {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.setExecutor(Executors.newFixedThreadPool(16));
            server.createContext("/customers/", this::handle);
            server.start();
        }

        int port() {
            return server.getAddress().getPort();
        }

        private void handle(HttpExchange exchange) throws IOException {
            int now = inFlight.incrementAndGet();
            mostInFlight.accumulateAndGet(now, Math::max);
            boolean counted = true;
            try {
                String key = java.net.URLDecoder.decode(exchange.getRequestURI().getPath().substring("/customers/".length()),
                        StandardCharsets.UTF_8);
                switch (exchange.getRequestMethod()) {
                    case "PATCH" -> {
                        JsonNode body = Values.JSON.readTree(exchange.getRequestBody());
                        records.compute(key, (k, held) -> {
                            ObjectNode record = held == null ? Values.JSON.createObjectNode() : held;
                            record.setAll((ObjectNode) body);
                            return record;
                        });
                        patches.merge(key, 1, Integer::sum);
                        afterApply.accept(applied.incrementAndGet());
                        // Out of flight once answered: the client may send its next request before this thread returns.
                        inFlight.decrementAndGet();
                        counted = false;
                        answer(exchange, 200, "{}");
                    }
                    case "GET" -> {
                        ObjectNode record = records.get(key);
                        answer(exchange, record == null ? 404 : 200, record == null ? "{}" : record.toString());
                    }
                    default -> answer(exchange, 405, "{}");
                }
            } finally {
                if (counted) {
                    inFlight.decrementAndGet();
                }
            }
        }

        private static void answer(HttpExchange exchange, int status, String body) throws IOException {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(status, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }

        Map<String, Integer> patchesByKey() {
            return new LinkedHashMap<>(patches);
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }

    /** The example workspace with its ERP over http at {@code port}, rate-limited to {@code perSecond}. */
    static Path httpErp(Path home, int port, int perSecond) throws IOException {
        RunningHost.copyExample(home);
        String yaml = Files.readString(home.resolve("steward.yaml"));
        int erp = yaml.indexOf("  erp:");
        Files.writeString(home.resolve("steward.yaml"), yaml.substring(0, erp) + """
                  erp:
                    connector: http
                    baseUrl: http://127.0.0.1:%d
                    rateLimit: { perSecond: %d, burst: 10 }
                    entities:
                      customer: { path: "/customers/{key}", fields: { email: email, phone: phone, creditLimit: credit_limit } }
                """.formatted(port, perSecond));
        return home;
    }
}
