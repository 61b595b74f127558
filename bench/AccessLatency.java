import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What access costs per request, against a running host: GET /health and GET /login without
 * credentials (open; /health computes the health status, /login writes a fixed page) against GET /api/diagnostics (a handler about as cheap) with the environment's admin token, a
 * stored token (one store lookup by hash) and a session cookie (session and user lookups). One
 * HTTP/1.1 connection, requests of the kinds interleaved so that noise hits them alike.
 * Usage: java bench/AccessLatency.java PORT ADMIN_TOKEN [WARMUP] [COUNT]
 */
public class AccessLatency {

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        String admin = args[1];
        int warmup = args.length > 2 ? Integer.parseInt(args[2]) : 3000;
        int count = args.length > 3 ? Integer.parseInt(args[3]) : 10000;
        String base = "http://127.0.0.1:" + port;
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

        String made = send(client, post(base + "/api/tokens", admin, "{\"name\":\"bench-" + System.nanoTime() + "\",\"role\":\"viewer\"}")).body();
        String stored = field(made, "token");
        String password = "bench password " + System.nanoTime();
        String user = "bench" + (System.nanoTime() % 100000);
        send(client, post(base + "/api/users", admin, "{\"name\":\"" + user + "\",\"role\":\"viewer\",\"password\":\"" + password + "\"}"));
        HttpResponse<String> login = send(client, HttpRequest.newBuilder(URI.create(base + "/api/session"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"user\":\"" + user + "\",\"password\":\"" + password + "\"}")).build());
        String cookie = login.headers().firstValue("Set-Cookie").orElseThrow().split(";", 2)[0];

        Map<String, HttpRequest> kinds = new LinkedHashMap<>();
        kinds.put("open: GET /health, no credentials", HttpRequest.newBuilder(URI.create(base + "/health")).GET().build());
        kinds.put("open: GET /login, no credentials", HttpRequest.newBuilder(URI.create(base + "/login")).GET().build());
        kinds.put("GET /api/diagnostics, STEWARD_ADMIN_TOKEN", get(base + "/api/diagnostics", "Authorization", "Bearer " + admin));
        kinds.put("GET /api/diagnostics, stored token", get(base + "/api/diagnostics", "Authorization", "Bearer " + stored));
        kinds.put("GET /api/diagnostics, session cookie", get(base + "/api/diagnostics", "Cookie", cookie));

        Map<String, long[]> times = new LinkedHashMap<>();
        kinds.keySet().forEach(k -> times.put(k, new long[count]));
        for (int i = 0; i < warmup + count; i++) {
            for (Map.Entry<String, HttpRequest> kind : kinds.entrySet()) {
                long t0 = System.nanoTime();
                HttpResponse<String> answer = client.send(kind.getValue(), HttpResponse.BodyHandlers.ofString());
                long t = System.nanoTime() - t0;
                if (answer.statusCode() != 200) {
                    throw new IllegalStateException(kind.getKey() + " answered " + answer.statusCode() + ": " + answer.body());
                }
                if (i >= warmup) {
                    times.get(kind.getKey())[i - warmup] = t;
                }
            }
        }
        System.out.printf("%d requests of each kind after %d of warm-up, one connection, interleaved%n", count, warmup);
        System.out.printf("%-45s %9s %9s %9s%n", "request", "p50 us", "p99 us", "mean us");
        for (Map.Entry<String, long[]> e : times.entrySet()) {
            long[] t = e.getValue();
            Arrays.sort(t);
            System.out.printf("%-45s %9.0f %9.0f %9.0f%n", e.getKey(), t[t.length / 2] / 1e3, t[(int) (t.length * 0.99)] / 1e3,
                    Arrays.stream(t).average().orElse(0) / 1e3);
        }
    }

    private static HttpRequest get(String url, String header, String value) {
        return HttpRequest.newBuilder(URI.create(url)).header(header, value).GET().build();
    }

    private static HttpRequest post(String url, String admin, String json) {
        return HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + admin)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)).build();
    }

    private static HttpResponse<String> send(HttpClient client, HttpRequest request) throws Exception {
        HttpResponse<String> answer = client.send(request, HttpResponse.BodyHandlers.ofString());
        if (answer.statusCode() >= 300) {
            throw new IllegalStateException(request.uri() + " answered " + answer.statusCode() + ": " + answer.body());
        }
        return answer;
    }

    private static String field(String json, String name) {
        Matcher m = Pattern.compile("\"" + name + "\":\"([^\"]+)\"").matcher(json);
        if (!m.find()) {
            throw new IllegalStateException("no " + name + " in " + json);
        }
        return m.group(1);
    }
}
