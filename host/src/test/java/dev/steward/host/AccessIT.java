package dev.steward.host;

import com.fasterxml.jackson.databind.JsonNode;
import dev.steward.host.AccessClient.Credentials;
import dev.steward.host.access.Gate;
import dev.steward.host.access.Role;
import dev.steward.testing.MutableClock;
import io.javalin.Javalin;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Cross-site and rebinding defences, sessions (cookie flags, CSRF, timeouts, sign-out), tokens and
 * users through the API, the audit log, and what /health, /metrics and /editor show to whom.
 */
class AccessIT {

    private static final String PASSWORD = "correct horse battery staple";

    @TempDir
    static Path temp;
    static MutableClock clock = MutableClock.at("2026-11-28T10:00:00Z");
    static RunningHost host;
    static AccessClient client;
    /** Behind a TLS proxy at https://steward.example.com, with metrics.public. */
    static MutableClock publicClock = MutableClock.at("2026-11-28T10:00:00Z");
    static RunningHost publicHost;
    static AccessClient publicClient;

    @BeforeAll
    static void start() throws Exception {
        host = new RunningHost(RunningHost.crmEmailToErp(temp.resolve("ws"), 1, 1, ""), clock);
        client = new AccessClient(host);
        Path other = RunningHost.crmEmailToErp(temp.resolve("public"), 1, 1, "");
        String yaml = Files.readString(other.resolve("steward.yaml"));
        Files.writeString(other.resolve("steward.yaml"), yaml.replace("host:\n", "host:\n  publicUrl: https://steward.example.com\n")
                + "metrics:\n  public: true\naccess:\n  maxFailures: 5\n  lockout: 15m\n");
        publicHost = new RunningHost(other, publicClock);
        publicClient = new AccessClient(publicHost);
        for (Role role : Role.values()) {
            host.access.addUser(role.label(), role, PASSWORD, "test");
            publicHost.access.addUser(role.label(), role, PASSWORD, "test");
        }
    }

    @AfterAll
    static void stop() {
        host.close();
        publicHost.close();
    }

    private static Credentials admin() {
        return Credentials.token("admin", host.adminToken);
    }

    @Test
    void aCrossSiteTextPlainPostIsRefused() {
        Credentials session = client.login("operator", PASSWORD);
        for (Credentials who : new Credentials[] {session, admin()}) {
            assertThat(client.send("POST", "/api/dead-letters/replay", "text/plain", "{\"all\":true}", who, Map.of()))
                    .satisfies(r -> assertThat(r.statusCode()).as(r.body()).isEqualTo(415));
            assertThat(client.send("POST", "/api/dead-letters/replay", "application/x-www-form-urlencoded", "all=true", who,
                    Map.of()).statusCode()).isEqualTo(415);
            assertThat(client.send("POST", "/api/dead-letters/replay", null, "{\"all\":true}", who, Map.of()).statusCode())
                    .isEqualTo(415);
        }
        assertThat(client.send("POST", "/api/dead-letters/replay", "application/json", "{\"all\":true}", session,
                Map.of()).statusCode()).isEqualTo(200);
    }

    @Test
    void aForeignHostOrOriginIsRefused() {
        int port = host.server.port();
        String auth = "Authorization: Bearer " + host.adminToken + "\n";
        assertThat(AccessClient.raw(port, "GET /api/flows HTTP/1.1\nHost: evil.example\n" + auth + "Connection: close\n\n")).isEqualTo(403);
        assertThat(AccessClient.raw(port, "GET /api/flows HTTP/1.1\nHost: evil.example:" + port + "\n" + auth + "Connection: close\n\n"))
                .isEqualTo(403);
        assertThat(AccessClient.raw(port, "GET /api/flows HTTP/1.1\nHost: steward.example.com\n" + auth + "Connection: close\n\n"))
                .as("publicUrl is not set on this host").isEqualTo(403);
        for (String loopback : new String[] {"localhost", "localhost:1234", "127.0.0.1:" + port, "[::1]:8080"}) {
            assertThat(AccessClient.raw(port, "GET /api/flows HTTP/1.1\nHost: " + loopback + "\n" + auth + "Connection: close\n\n"))
                    .as(loopback).isEqualTo(200);
        }
        int publicPort = publicHost.server.port();
        String publicAuth = "Authorization: Bearer " + publicHost.adminToken + "\n";
        assertThat(AccessClient.raw(publicPort, "GET /api/flows HTTP/1.1\nHost: steward.example.com\n" + publicAuth
                + "Connection: close\n\n")).isEqualTo(200);
        assertThat(AccessClient.raw(publicPort, "GET /api/flows HTTP/1.1\nHost: evil.example\n" + publicAuth
                + "Connection: close\n\n")).isEqualTo(403);
        // webhooks come through proxies under any name; their signatures protect them
        assertThat(AccessClient.raw(port, "POST /hooks/crm/customer HTTP/1.1\nHost: evil.example\nContent-Type: application/json\n"
                + "Content-Length: 2\nConnection: close\n\n{}")).isNotEqualTo(403);

        assertThat(client.send("GET", "/api/flows", null, null, admin(), Map.of("Origin", "https://evil.example")).statusCode())
                .isEqualTo(403);
        assertThat(client.send("POST", "/api/dead-letters/replay", "application/json", "{\"all\":true}", admin(),
                Map.of("Origin", "null")).statusCode()).isEqualTo(403);
        assertThat(client.send("GET", "/api/flows", null, null, admin(), Map.of("Origin", "http://localhost:5173")).statusCode())
                .isEqualTo(200);
        assertThat(client.send("POST", "/login", "application/x-www-form-urlencoded", "user=admin&password=" + PASSWORD.replace(' ', '+'),
                Credentials.NONE, Map.of("Origin", "https://evil.example")).statusCode()).isEqualTo(403);
    }

    @Test
    void aChangeFromASignedInBrowserNeedsTheCsrfHeader() {
        Credentials session = client.login("operator", PASSWORD);
        Credentials without = Credentials.session("no csrf", session.cookie(), null);
        Credentials wrong = Credentials.session("wrong csrf", session.cookie(), "not-the-token");
        for (Credentials who : new Credentials[] {without, wrong}) {
            HttpResponse<String> answer = client.send("POST", "/api/dead-letters/replay", "application/json", "{\"all\":true}", who, Map.of());
            assertThat(answer.statusCode()).isEqualTo(403);
            assertThat(answer.body()).contains("X-CSRF-Token");
        }
        assertThat(client.send("POST", "/api/dead-letters/replay", "application/json", "{\"all\":true}", session, Map.of())
                .statusCode()).isEqualTo(200);
        assertThat(client.send("GET", "/api/flows", null, null, without, Map.of()).statusCode()).as("reading needs none").isEqualTo(200);
        JsonNode me = RunningHost.json(client.send("GET", "/api/session", null, null, without, Map.of()));
        assertThat(me.get("csrfToken").asText()).isEqualTo(session.csrf());
        assertThat(me.get("role").asText()).isEqualTo("operator");
    }

    @Test
    void theSessionCookieIsHttpOnlyStrictAndSecureBehindTls() {
        HttpResponse<String> plain = client.send("POST", "/api/session", "application/json",
                "{\"user\":\"viewer\",\"password\":\"" + PASSWORD + "\"}", Credentials.NONE, Map.of());
        String cookie = plain.headers().firstValue("Set-Cookie").orElseThrow();
        assertThat(cookie).contains("HttpOnly").containsIgnoringCase("SameSite=Strict").contains("Path=/").doesNotContain("Secure");
        assertThat(plain.body()).doesNotContain(AccessClient.cookie(plain));

        HttpResponse<String> proxied = client.send("POST", "/api/session", "application/json",
                "{\"user\":\"viewer\",\"password\":\"" + PASSWORD + "\"}", Credentials.NONE, Map.of("X-Forwarded-Proto", "https"));
        assertThat(proxied.headers().firstValue("Set-Cookie").orElseThrow()).contains("Secure").contains("HttpOnly");

        HttpResponse<String> behindTls = publicClient.send("POST", "/api/session", "application/json",
                "{\"user\":\"viewer\",\"password\":\"" + PASSWORD + "\"}", Credentials.NONE, Map.of());
        assertThat(behindTls.headers().firstValue("Set-Cookie").orElseThrow()).contains("Secure").contains("HttpOnly")
                .containsIgnoringCase("SameSite=Strict");
    }

    @Test
    void sessionsEndWhenIdleAtTheLatestAfterTwelveHoursAndOnSignOut() {
        Credentials idle = client.login("viewer", PASSWORD);
        clock.advance(Duration.ofMinutes(31));
        assertThat(client.send("GET", "/api/flows", null, null, idle, Map.of()).statusCode()).isEqualTo(401);

        Credentials busy = client.login("viewer", PASSWORD);
        for (int i = 0; i < 24; i++) { // 12 hours of a request every 29 minutes is 24 requests, and then some
            clock.advance(Duration.ofMinutes(29));
            int status = client.send("GET", "/api/flows", null, null, busy, Map.of()).statusCode();
            assertThat(status).as("after %d minutes", (i + 1) * 29).isEqualTo(200);
        }
        clock.advance(Duration.ofMinutes(29));
        assertThat(client.send("GET", "/api/flows", null, null, busy, Map.of()).statusCode()).as("after 725 minutes").isEqualTo(401);

        Credentials leaving = client.login("viewer", PASSWORD);
        assertThat(client.send("DELETE", "/api/session", null, null, leaving, Map.of()).statusCode()).isEqualTo(200);
        assertThat(client.send("GET", "/api/flows", null, null, leaving, Map.of()).statusCode()).isEqualTo(401);

        Credentials form = client.login("viewer", PASSWORD);
        HttpResponse<String> out = client.send("POST", "/logout", "application/x-www-form-urlencoded", "", form, Map.of());
        assertThat(out.statusCode()).isEqualTo(303);
        assertThat(client.send("GET", "/api/flows", null, null, form, Map.of()).statusCode()).isEqualTo(401);
    }

    @Test
    void repeatedWrongPasswordsLockTheUserAndTheAddress() {
        for (int i = 0; i < 5; i++) {
            assertThat(login(publicClient, "author", "wrong password " + i).statusCode()).isEqualTo(401);
        }
        HttpResponse<String> locked = login(publicClient, "author", PASSWORD);
        assertThat(locked.statusCode()).as("even the right password waits").isEqualTo(429);
        assertThat(Long.parseLong(locked.headers().firstValue("Retry-After").orElseThrow())).isBetween(890L, 900L);
        HttpResponse<String> form = publicClient.send("POST", "/login", "application/x-www-form-urlencoded",
                "user=author&password=" + PASSWORD.replace(' ', '+'), Credentials.NONE, Map.of());
        assertThat(form.statusCode()).isEqualTo(429);
        publicClock.advance(Duration.ofMinutes(15));
        assertThat(login(publicClient, "author", PASSWORD).statusCode()).isEqualTo(200);

        for (int i = 0; i < 5; i++) { // five names, one address
            assertThat(login(publicClient, "guess" + i, "wrong password").statusCode()).isEqualTo(401);
        }
        assertThat(login(publicClient, "developer", PASSWORD).statusCode()).as("the address is locked").isEqualTo(429);
        publicClock.advance(Duration.ofMinutes(15));
        assertThat(login(publicClient, "developer", PASSWORD).statusCode()).isEqualTo(200);
        JsonNode log = RunningHost.json(publicClient.send("GET", "/api/audit-log", null, null,
                Credentials.token("admin", publicHost.adminToken), Map.of()));
        assertThat(log.toString()).contains("login-failed").contains("login-locked").doesNotContain("wrong password");
    }

    @Test
    void tokensAreShownOnceListedWithoutTheirSecretAndRevocable() {
        HttpResponse<String> made = client.send("POST", "/api/tokens", "application/json", "{\"name\":\"ci\",\"role\":\"operator\"}",
                admin(), Map.of());
        assertThat(made.statusCode()).as(made.body()).isEqualTo(201);
        String secret = RunningHost.json(made).get("token").asText();
        assertThat(secret).startsWith("stw_").hasSizeGreaterThan(40);
        assertThat(client.send("POST", "/api/tokens", "application/json", "{\"name\":\"ci\",\"role\":\"viewer\"}", admin(), Map.of())
                .statusCode()).isEqualTo(409);
        Credentials ci = Credentials.token("ci", secret);
        assertThat(client.send("GET", "/api/events", null, null, ci, Map.of()).statusCode()).isEqualTo(200);
        assertThat(client.send("GET", "/api/tokens", null, null, ci, Map.of()).statusCode()).isEqualTo(403);

        String listed = client.send("GET", "/api/tokens", null, null, admin(), Map.of()).body();
        assertThat(listed).contains("\"name\":\"ci\"").contains("\"role\":\"operator\"").contains("\"lastUsedAt\":\"")
                .doesNotContain(secret);
        assertThat(client.send("DELETE", "/api/tokens/ci", null, null, admin(), Map.of()).statusCode()).isEqualTo(200);
        assertThat(client.send("GET", "/api/events", null, null, ci, Map.of()).statusCode()).isEqualTo(401);

        String log = client.send("GET", "/api/audit-log", null, null, admin(), Map.of()).body();
        assertThat(log).contains("\"action\":\"token-create\"").contains("\"action\":\"token-revoke\"")
                .contains("\"actor\":\"token:STEWARD_ADMIN_TOKEN\"").doesNotContain(secret);
        assertThat(client.send("POST", "/api/tokens", "application/json", "{\"name\":\"x\",\"role\":\"root\"}", admin(), Map.of())
                .body()).contains("role must be one of viewer, operator, author, developer, admin");
    }

    @Test
    void usersAreAddedThroughTheApiWithAGoodPasswordOnly() {
        assertThat(client.send("POST", "/api/users", "application/json", "{\"name\":\"ada\",\"role\":\"author\",\"password\":\"short\"}",
                admin(), Map.of()).body()).contains("at least 12 characters");
        assertThat(client.send("POST", "/api/users", "application/json",
                "{\"name\":\"ada\",\"role\":\"author\",\"password\":\"" + PASSWORD + "\"}", admin(), Map.of()).statusCode()).isEqualTo(201);
        Credentials ada = client.login("ada", PASSWORD);
        assertThat(RunningHost.json(client.send("GET", "/api/session", null, null, ada, Map.of())).get("role").asText()).isEqualTo("author");
        assertThat(client.send("GET", "/api/users", null, null, admin(), Map.of()).body()).contains("\"name\":\"ada\"")
                .doesNotContain("$2b$").doesNotContain(PASSWORD);
        assertThat(client.send("DELETE", "/api/users/ada", null, null, admin(), Map.of()).statusCode()).isEqualTo(200);
        assertThat(client.send("GET", "/api/flows", null, null, ada, Map.of()).statusCode()).as("her session ended").isEqualTo(401);
        assertThat(client.send("GET", "/api/audit-log", null, null, admin(), Map.of()).body())
                .contains("\"action\":\"user-add\",\"target\":\"ada\"").contains("\"action\":\"user-remove\",\"target\":\"ada\"")
                .doesNotContain(PASSWORD);
    }

    @Test
    void aReplayIsRecordedWithWhoAndThePayloadHashesBeforeAndAfter() {
        JsonNode failed = host.deliver("crm/customer", "{\"id\":\"C-1\",\"email\":\"a@b.example\"}", "d-audit-1");
        assertThat(failed.get("status").asText()).isEqualTo("failed");
        String id = failed.get("eventId").asText();
        Credentials operator = client.login("operator", PASSWORD);
        HttpResponse<String> replay = client.send("POST", "/api/dead-letters/" + id + "/replay", "application/json",
                "{\"payload\":{\"id\":\"C-1\",\"email\":\"c@d.example\"}}", operator, Map.of());
        assertThat(replay.statusCode()).as(replay.body()).isEqualTo(200);
        JsonNode entry = null;
        for (JsonNode e : RunningHost.json(client.send("GET", "/api/audit-log", null, null, admin(), Map.of())).get("entries")) {
            if (e.get("action").asText().equals("replay") && e.get("target").asText().equals(id)) {
                entry = e;
            }
        }
        assertThat(entry).as("the replay's audit entry").isNotNull();
        assertThat(entry.get("actor").asText()).isEqualTo("user:operator");
        assertThat(entry.get("beforeHash").asText()).hasSize(64).isNotEqualTo(entry.get("afterHash").asText());
        assertThat(entry.get("afterHash").asText()).hasSize(64);
    }

    @Test
    void healthShowsDetailsAndMetricsAnswerOnlyWhenSignedInUnlessPublic() {
        JsonNode open = RunningHost.json(client.send("GET", "/health", null, null, Credentials.NONE, Map.of()));
        assertThat(open.size()).isEqualTo(1);
        assertThat(open.get("status").asText()).isIn("up", "degraded");
        assertThat(RunningHost.json(client.send("GET", "/health", null, null, admin(), Map.of())).has("reasons")).isTrue();
        assertThat(client.send("GET", "/metrics", null, null, Credentials.NONE, Map.of()).statusCode()).isEqualTo(401);
        assertThat(client.send("GET", "/metrics", null, null, Credentials.token("viewer", host.access.createToken("grafana",
                Role.VIEWER, "test").orElseThrow().secret()), Map.of()).statusCode()).isEqualTo(200);
        assertThat(publicClient.send("GET", "/metrics", null, null, Credentials.NONE, Map.of()).statusCode()).isEqualTo(200);
        // a scraper or a load balancer reaches them by address
        assertThat(AccessClient.raw(publicHost.server.port(), "GET /metrics HTTP/1.1\nHost: 10.0.0.5:8080\nConnection: close\n\n"))
                .isEqualTo(200);
        assertThat(AccessClient.raw(host.server.port(), "GET /health HTTP/1.1\nHost: 10.0.0.5:8080\nConnection: close\n\n"))
                .isEqualTo(200);
        assertThat(AccessClient.raw(host.server.port(), "GET /metrics HTTP/1.1\nHost: 10.0.0.5:8080\nAuthorization: Bearer "
                + host.adminToken + "\nConnection: close\n\n")).as("a private /metrics keeps the name check").isEqualTo(403);
    }

    @Test
    void theEditorAsksToSignInFirst() {
        HttpResponse<String> anonymous = client.send("GET", "/editor/", null, null, Credentials.NONE, Map.of());
        assertThat(anonymous.statusCode()).isEqualTo(302);
        assertThat(anonymous.headers().firstValue("Location").orElseThrow()).isEqualTo("/login?next=%2Feditor%2F");
        HttpResponse<String> page = client.send("GET", "/login?next=/editor/", null, null, Credentials.NONE, Map.of());
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("<form method=\"post\" action=\"/login\">").contains("type=\"password\"");
        HttpResponse<String> signIn = client.send("POST", "/login", "application/x-www-form-urlencoded",
                "user=viewer&password=" + PASSWORD.replace(' ', '+') + "&next=%2Feditor%2F", Credentials.NONE, Map.of());
        assertThat(signIn.statusCode()).isEqualTo(303);
        assertThat(signIn.headers().firstValue("Location").orElseThrow()).isEqualTo("/editor/");
        Credentials browser = Credentials.session("browser", AccessClient.cookie(signIn), null);
        assertThat(client.send("GET", "/editor/", null, null, browser, Map.of()).statusCode()).isEqualTo(200);
        HttpResponse<String> elsewhere = client.send("POST", "/login", "application/x-www-form-urlencoded",
                "user=viewer&password=" + PASSWORD.replace(' ', '+') + "&next=%2F%2Fevil.example", Credentials.NONE, Map.of());
        assertThat(elsewhere.headers().firstValue("Location").orElseThrow()).isEqualTo("/editor/");
    }

    @Test
    void aRouteThatDeclaresNoRoleIsRefusedToEveryone() throws Exception {
        Javalin app = Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.jetty.host = "127.0.0.1";
            config.jetty.port = 0;
            ErrorMapping.install(config.routes);
            new Gate(host.access).install(config.routes);
            config.routes.get("/api/undeclared", ctx -> ctx.result("secret"));
        }).start();
        try {
            HttpResponse<String> answer = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + app.port() + "/api/undeclared"))
                    .header("Authorization", "Bearer " + host.adminToken).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(answer.statusCode()).isEqualTo(403);
            assertThat(answer.body()).contains("declares no role").doesNotContain("secret");
        } finally {
            app.stop();
        }
    }

    private static HttpResponse<String> login(AccessClient on, String user, String password) {
        return on.send("POST", "/api/session", "application/json", "{\"user\":\"" + user + "\",\"password\":\"" + password + "\"}",
                Credentials.NONE, Map.of());
    }
}
