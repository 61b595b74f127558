package dev.steward.host;

import dev.steward.host.access.Access;
import dev.steward.host.access.Role;
import dev.steward.host.access.RouteTable;
import dev.steward.host.AccessClient.Credentials;
import dev.steward.testing.MutableClock;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every route the host registers (read from Javalin's own route list, not from a list here) ×
 * every role × every way of presenting oneself: no credentials, a wrong token, a revoked token,
 * an expired session, and each role's token and session. A route that declares no role in
 * {@link RouteTable} fails this test, and is refused by the host.
 */
class RouteAccessIT {

    private static final String PASSWORD = "correct horse battery staple";

    @TempDir
    static Path temp;
    static MutableClock clock = MutableClock.at("2026-11-28T10:00:00Z");
    static RunningHost host;
    static AccessClient client;
    static final Map<Role, Credentials> tokens = new EnumMap<>(Role.class);
    static final Map<Role, Credentials> sessions = new EnumMap<>(Role.class);
    static final List<Credentials> refused = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        host = new RunningHost(RunningHost.copyExample(temp.resolve("ws")), clock);
        client = new AccessClient(host);
        Access access = host.access;
        for (Role role : Role.values()) {
            access.addUser("expired-" + role.label(), role, PASSWORD, "test");
        }
        List<Credentials> expired = new ArrayList<>();
        for (Role role : Role.values()) {
            expired.add(client.login("expired-" + role.label(), PASSWORD));
        }
        clock.advance(Duration.ofMinutes(31)); // past the 30 minutes' idle timeout
        for (Role role : Role.values()) {
            access.addUser(role.label() + "-user", role, PASSWORD, "test");
            sessions.put(role, client.login(role.label() + "-user", PASSWORD));
            tokens.put(role, Credentials.token(role.label() + " token", access.createToken(role.label() + "-token", role, "test")
                    .orElseThrow().secret()));
        }
        String revoked = access.createToken("revoked", Role.ADMIN, "test").orElseThrow().secret();
        access.revokeToken("revoked", "test");
        refused.add(Credentials.NONE);
        refused.add(Credentials.token("a wrong token", "stw_" + "x".repeat(43)));
        refused.add(Credentials.token("a revoked admin token", revoked));
        expired.forEach(e -> refused.add(new Credentials("an expired " + e.label(), null, e.cookie(), e.csrf())));
    }

    @AfterAll
    static void stop() {
        host.close();
    }

    @Test
    void everyRegisteredRouteDeclaresWhoMayCallIt() {
        List<String> undeclared = host.server.routes().stream()
                .filter(route -> RouteTable.need(route.split(" ", 2)[0], route.split(" ", 2)[1]).isEmpty()).toList();
        assertThat(undeclared).as("routes without a role in RouteTable (add them there)").isEmpty();
        assertThat(host.server.routes()).hasSizeGreaterThan(25);
    }

    @Test
    void everyRouteAnswersEachCallerAsItsRoleAllows() {
        List<String> wrong = new ArrayList<>();
        List<String> routes = new ArrayList<>(host.server.routes());
        // signing out ends the session the later routes use
        routes.sort(Comparator.comparing(r -> r.equals("DELETE /api/session")));
        int checked = 0;
        for (String route : routes) {
            String method = route.split(" ", 2)[0];
            String pattern = route.split(" ", 2)[1];
            Optional<RouteTable.Need> need = RouteTable.need(method, pattern);
            if (need.isEmpty()) {
                wrong.add(route + ": declares no role");
                continue;
            }
            // a file route gets a file it may name (any other path is refused with 403 whatever the role)
            String path = pattern.replaceAll("\\{[^}]+}", "x").replaceAll("/api/files/<[^>]+>", "/api/files/flows/x.yaml")
                    .replaceAll("/api/grid/<[^>]+>", "/api/grid/rules/mastership.yaml")
                    .replaceAll("<[^>]+>", "x");
            if (need.get() instanceof RouteTable.Open) {
                int status = call(method, path, Credentials.NONE).statusCode();
                if (status == 403 || (status == 401 && !path.equals("/login") && !path.equals("/api/session"))) {
                    wrong.add(route + " is open but answered " + status + " to no credentials");
                }
                checked++;
                continue;
            }
            Role needed = ((RouteTable.Signed) need.get()).role();
            for (Credentials who : refused) {
                int status = call(method, path, who).statusCode();
                if (status != 401) {
                    wrong.add(route + " answered " + status + " to " + who.label() + ", not 401");
                }
                checked++;
            }
            for (Role role : Role.values()) {
                for (Credentials who : List.of(tokens.get(role), sessions.get(role))) {
                    HttpResponse<String> answer = call(method, path, who);
                    boolean allowed = role.includes(needed);
                    if (allowed && (answer.statusCode() == 401 || answer.statusCode() == 403)) {
                        wrong.add(route + " refused " + who.label() + " (" + answer.statusCode() + "): " + answer.body());
                    } else if (!allowed && answer.statusCode() != 403) {
                        wrong.add(route + " answered " + answer.statusCode() + " to " + who.label() + ", which lacks " + needed.label());
                    }
                    checked++;
                }
            }
        }
        assertThat(wrong).isEmpty();
        assertThat(checked).isGreaterThan(300);
    }

    private static HttpResponse<String> call(String method, String path, Credentials who) {
        boolean change = !method.equals("GET") && !method.equals("HEAD");
        return client.send(method, path, change ? "application/json" : null, change ? "{}" : null, who, Map.of());
    }
}
