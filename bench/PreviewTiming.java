import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Rules going live, against a running host on the example workspace:
 * 1. stores EVENTS customer changes from the CRM (new emails) and waits until they have run;
 * 2. save to live: PUT /api/files/rules/mastership.yaml (alternating two versions), then at once
 *    a webhook, timed until that event has run with the saved rules version in its trace; beside
 *    it the same webhook with no save before it;
 * 3. POST /api/preview of a draft (the ERP masters email) on 1,000 and on 100 events: the host's
 *    elapsedMs and the request's round trip.
 * Usage: java bench/PreviewTiming.java PORT ADMIN_TOKEN [EVENTS] [ROUNDS]
 */
public class PreviewTiming {

    static HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    static String base;
    static String token;

    public static void main(String[] args) throws Exception {
        base = "http://127.0.0.1:" + args[0];
        token = args[1];
        int events = args.length > 2 ? Integer.parseInt(args[2]) : 1000;
        int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 10;
        String mastership = field(send("GET", "/api/files/rules/mastership.yaml", null).body(), "text");
        String draft = mastership.replace("  fields: [email, phone, address]\n  master: crm\n  subscribers: [erp]",
                "  fields: [email, phone, address]\n  master: erp\n  subscribers: [crm]");
        if (draft.equals(mastership)) {
            throw new IllegalStateException("the example's mastership.yaml has changed; adjust the draft");
        }
        String alternate = mastership.replace("reason: CRM is the primary entry point for sales.",
                "reason: CRM is the primary entry point for sales (saved again).");

        long started = System.nanoTime();
        String last = null;
        for (int i = 0; i < events; i++) {
            last = hook(i, "u" + i + "@bench.example");
        }
        waitFinished(last, Duration.ofMinutes(5));
        while (send("GET", "/api/events?status=pending&limit=1", null).body().contains("eventId")
                || send("GET", "/api/events?status=running&limit=1", null).body().contains("eventId")) {
            Thread.sleep(20);
        }
        System.out.printf("stored and ran %d events in %d ms%n", events, (System.nanoTime() - started) / 1_000_000);

        List<Long> putMs = new ArrayList<>();
        List<Long> liveMs = new ArrayList<>();
        List<Long> plainMs = new ArrayList<>();
        for (int r = 0; r < rounds; r++) {
            String text = r % 2 == 0 ? alternate : mastership;
            long t0 = System.nanoTime();
            HttpResponse<String> saved = send("PUT", "/api/files/rules/mastership.yaml", json("text", text));
            long t1 = System.nanoTime();
            if (saved.statusCode() != 200) {
                throw new IllegalStateException("save answered " + saved.statusCode() + ": " + saved.body());
            }
            String version = field(saved.body(), "rulesVersion");
            String event = hook(events + 2 * r, "live" + r + "@bench.example");
            String done = waitFinished(event, Duration.ofSeconds(60));
            long t2 = System.nanoTime();
            if (!done.contains("\"rulesVersion\":\"" + version + "\"")) {
                throw new IllegalStateException("the run after the save did not use rules " + version + ": " + done);
            }
            putMs.add((t1 - t0) / 1_000_000);
            liveMs.add((t2 - t0) / 1_000_000);
            long t3 = System.nanoTime();
            waitFinished(hook(events + 2 * r + 1, "plain" + r + "@bench.example"), Duration.ofSeconds(60));
            plainMs.add((System.nanoTime() - t3) / 1_000_000);
        }
        System.out.println("save to live, " + rounds + " saves (ms): PUT answered " + stats(putMs)
                + "; next run done on the new rules " + stats(liveMs) + "; a run with no save before it " + stats(plainMs));

        for (int limit : new int[] {1000, 100}) {
            List<Long> server = new ArrayList<>();
            List<Long> wall = new ArrayList<>();
            String body = null;
            for (int r = 0; r < 5; r++) {
                long t0 = System.nanoTime();
                HttpResponse<String> preview = send("POST", "/api/preview", "{\"files\":{\"rules/mastership.yaml\":"
                        + quote(draft) + "},\"limit\":" + limit + "}");
                wall.add((System.nanoTime() - t0) / 1_000_000);
                if (preview.statusCode() != 200) {
                    throw new IllegalStateException("preview answered " + preview.statusCode() + ": " + preview.body());
                }
                body = preview.body();
                server.add(Long.parseLong(number(body, "elapsedMs")));
            }
            System.out.println("preview of " + number(body, "events") + " events (" + number(body, "changed")
                    + " changed), 5 runs (ms): host elapsedMs " + stats(server) + "; round trip " + stats(wall));
        }
    }

    static String hook(int n, String email) throws Exception {
        HttpResponse<String> answer = client.send(HttpRequest.newBuilder(URI.create(base + "/hooks/crm/customer"))
                .header("Content-Type", "application/json").header("webhook-id", "bench-" + System.nanoTime() + "-" + n)
                .POST(HttpRequest.BodyPublishers.ofString("{\"id\":\"B-" + (n % 400) + "\",\"email\":\"" + email + "\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        if (answer.statusCode() != 202) {
            throw new IllegalStateException("webhook answered " + answer.statusCode() + ": " + answer.body());
        }
        return field(answer.body(), "eventId");
    }

    static String waitFinished(String id, Duration within) throws Exception {
        long deadline = System.nanoTime() + within.toNanos();
        while (System.nanoTime() < deadline) {
            String body = send("GET", "/api/events/" + id, null).body();
            String status = field(body, "status");
            if (!status.equals("pending") && !status.equals("running")) {
                return body;
            }
            Thread.sleep(2);
        }
        throw new IllegalStateException("event " + id + " did not finish");
    }

    static HttpResponse<String> send(String method, String path, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).header("Authorization", "Bearer " + token)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    static String stats(List<Long> values) {
        List<Long> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return "median " + sorted.get(sorted.size() / 2) + ", min " + sorted.getFirst() + ", max " + sorted.getLast();
    }

    static String json(String name, String text) {
        return "{\"" + name + "\":" + quote(text) + "}";
    }

    static String quote(String text) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : text.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                default -> out.append(c);
            }
        }
        return out.append('"').toString();
    }

    static String field(String json, String name) {
        Matcher m = Pattern.compile("\"" + name + "\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.)*)\"").matcher(json);
        if (!m.find()) {
            throw new IllegalStateException("no " + name + " in " + json);
        }
        return m.group(1).replace("\\n", "\n").replace("\\\"", "\"").replace("\\\\", "\\");
    }

    static String number(String json, String name) {
        Matcher m = Pattern.compile("\"" + name + "\"\\s*:\\s*(\\d+)").matcher(json);
        if (!m.find()) {
            throw new IllegalStateException("no " + name + " in " + json);
        }
        return m.group(1);
    }
}
