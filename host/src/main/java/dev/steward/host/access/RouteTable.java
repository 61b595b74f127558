package dev.steward.host.access;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The one place where every route says who may call it, keyed by method and the path as the
 * route registers it. A route missing here is refused to everyone ({@link Gate}) and fails
 * {@code RouteAccessIT}, so a new route cannot ship open by mistake.
 *
 * <p>Reading a record through a connector ({@code GET /api/systems/{system}/{entity}/{key}}) needs
 * {@code operator}: it uses the connector's own credentials to show any record of the target,
 * which an operator needs before replaying or releasing, and a viewer does not.
 */
public final class RouteTable {

    /** Who may call a route: anyone, or a role and every role above it. */
    public sealed interface Need permits Open, Signed {
    }

    /** Anyone: webhooks (their signatures protect them), the sign-in page, health's status. */
    public record Open() implements Need {
    }

    /** A signed-in user or a token with at least this role. */
    public record Signed(Role role) implements Need {
    }

    private static final Need OPEN = new Open();
    private static final Map<String, Need> ROUTES = new LinkedHashMap<>();

    static {
        open("POST /hooks/<path>");
        open("GET /health");         // status for anyone; details only when signed in
        open("GET /");
        open("GET /login");
        open("GET /_static/<path>");  // the editor's libraries (CodeMirror): public code, no data
        open("GET /editor/");         // the editor's page: the gate sends whoever is not signed in to /login first
        open("GET /editor/index.html");
        open("POST /login");
        open("POST /logout");
        open("POST /api/session");   // sign in with JSON; answers the CSRF token
        role("GET /metrics", Role.VIEWER); // metrics.public: true opens it
        role("GET /api/session", Role.VIEWER);
        role("DELETE /api/session", Role.VIEWER);

        role("GET /api/flows", Role.VIEWER);
        role("GET /api/flows/{id}", Role.VIEWER);
        role("GET /api/diagnostics", Role.VIEWER);
        role("GET /api/systems", Role.VIEWER);
        role("GET /api/events", Role.VIEWER);
        role("GET /api/events/{id}", Role.VIEWER);
        role("GET /api/dead-letters", Role.VIEWER);
        role("GET /api/dead-letters/{id}", Role.VIEWER);
        role("GET /api/errors", Role.VIEWER);
        role("GET /api/holds", Role.VIEWER);
        role("GET /api/files/<path>", Role.VIEWER);       // steward.yaml: admin (FileRoutes)
        role("GET /api/rules/versions", Role.VIEWER);
        role("GET /api/stats", Role.VIEWER);
        role("GET /api/grid/<path>", Role.VIEWER);         // a mastership or decision table as rows
        role("GET /api/workspace", Role.VIEWER);           // the files the editor opens
        role("GET /api/schema/flow", Role.VIEWER);         // the flow files' JSON Schema, for completion

        role("POST /api/flows/{id}/dry-run", Role.OPERATOR);
        role("GET /api/systems/{system}/{entity}/{key}", Role.OPERATOR);
        role("POST /api/dead-letters/replay", Role.OPERATOR);
        role("POST /api/dead-letters/{id}/replay", Role.OPERATOR);
        role("POST /api/holds/{entity}/{key}/{field}/release", Role.OPERATOR);
        role("POST /api/audits", Role.OPERATOR);          // reports show record values, as reading a record does
        role("GET /api/audits", Role.OPERATOR);
        role("GET /api/audits/{id}", Role.OPERATOR);

        role("PUT /api/files/<path>", Role.AUTHOR);       // and by path: DRL, transforms, systems need developer; steward.yaml admin
        role("POST /api/validate", Role.AUTHOR);
        role("POST /api/preview", Role.AUTHOR);
        role("POST /api/tests/run", Role.AUTHOR);
        role("POST /api/grid/<path>", Role.AUTHOR);        // rows to text, checked; saves nothing

        role("GET /api/tokens", Role.ADMIN);
        role("POST /api/tokens", Role.ADMIN);
        role("DELETE /api/tokens/{token}", Role.ADMIN);
        role("GET /api/users", Role.ADMIN);
        role("POST /api/users", Role.ADMIN);
        role("DELETE /api/users/{name}", Role.ADMIN);
        role("GET /api/audit-log", Role.ADMIN);
    }

    private RouteTable() {
    }

    /** What a route needs; empty when it declares nothing (and is then refused). */
    public static Optional<Need> need(String method, String path) {
        return Optional.ofNullable(ROUTES.get(method + " " + path));
    }

    /** Every declared route, for tests and documentation. */
    public static Map<String, Need> all() {
        return java.util.Collections.unmodifiableMap(ROUTES);
    }

    private static void open(String route) {
        ROUTES.put(route, OPEN);
    }

    private static void role(String route, Role role) {
        ROUTES.put(route, new Signed(role));
    }
}
