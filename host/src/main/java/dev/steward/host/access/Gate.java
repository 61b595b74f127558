package dev.steward.host.access;

import dev.steward.model.AccessSettings;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.javalin.http.HttpResponseException;
import io.javalin.router.Endpoint;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Stands before every route: refuses foreign {@code Host} and {@code Origin} names (DNS
 * rebinding, cross-site), finds who is calling (bearer token or session cookie), applies the
 * {@link RouteTable}, requires JSON and (with a cookie) the CSRF header on changes, and records
 * changes no route recorded itself. {@code /hooks} passes untouched: signatures protect it, and
 * it acts on no one's credentials, so a rebound name gains nothing there; the same holds for
 * {@code /health}'s status and a public {@code /metrics}, which scrapers and load balancers reach
 * by any name or address.
 */
public final class Gate {

    public static final String COOKIE = "steward_session";
    public static final String CSRF_HEADER = "X-CSRF-Token";
    private static final Logger LOG = LoggerFactory.getLogger(Gate.class);
    private static final String PRINCIPAL = "steward.principal";
    private static final String AUDITED = "steward.audited";
    private static final Set<HandlerType> CHANGES = Set.of(HandlerType.POST, HandlerType.PUT, HandlerType.PATCH, HandlerType.DELETE);
    private static final Set<String> LOOPBACK = Set.of("localhost", "127.0.0.1", "[::1]", "::1");

    private final Access access;

    public Gate(Access access) {
        this.access = access;
    }

    public void install(RoutesConfig routes) {
        routes.before(this::identify);
        routes.beforeMatched(this::authorize);
        routes.afterMatched(this::auditUnrecorded);
    }

    /** Who made this request, when anyone did. */
    public static Optional<Principal> principal(Context ctx) {
        return Optional.ofNullable(ctx.attribute(PRINCIPAL));
    }

    /** Says that the route recorded its change itself, so the gate does not record it again. */
    public static void audited(Context ctx) {
        ctx.attribute(AUDITED, Boolean.TRUE);
    }

    private void identify(Context ctx) {
        String path = ctx.path();
        if (path.startsWith("/hooks/") || path.equals("/health") || (path.equals("/metrics") && access.settings().metricsPublic())) {
            health(ctx, path);
            return;
        }
        checkNames(ctx);
        resolve(ctx);
        if ((path.equals("/editor") || path.startsWith("/editor/")) && principal(ctx).isEmpty()) {
            if (ctx.method() == HandlerType.GET) {
                ctx.header("Location", "/login?next=" + java.net.URLEncoder.encode(path, java.nio.charset.StandardCharsets.UTF_8));
                throw new HttpResponseException(302, "sign in first: /login");
            }
            unauthorized("sign in first: /login");
        }
    }

    /** /health answers anyone; it shows details only to a caller it can identify. */
    private void health(Context ctx, String path) {
        if (path.equals("/health") && names(ctx)) {
            try {
                resolve(ctx);
            } catch (HttpResponseException wrongToken) {
                // a wrong token on /health gets the status, like no token
            }
        }
    }

    private void resolve(Context ctx) {
        String authorization = ctx.header("Authorization");
        if (authorization != null) {
            if (!authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
                unauthorized("use Authorization: Bearer <token>");
            }
            Principal principal = access.bearer(authorization.substring(7).strip())
                    .orElseThrow(() -> unauthorizedException("the token is wrong or revoked"));
            ctx.attribute(PRINCIPAL, principal);
            return;
        }
        String cookie = ctx.cookie(COOKIE);
        if (cookie != null && !cookie.isBlank()) {
            Optional<Principal> principal = access.session(cookie);
            if (principal.isPresent()) {
                ctx.attribute(PRINCIPAL, principal.get());
            } else {
                ctx.removeCookie(COOKIE, "/");
            }
        }
    }

    private void authorize(Context ctx) {
        Endpoint endpoint = ctx.endpoints().matchedHttpEndpoint();
        if (endpoint == null || endpoint.path.startsWith("/hooks/")) {
            return;
        }
        Optional<RouteTable.Need> need = RouteTable.need(endpoint.method.name(), endpoint.path);
        if (need.isEmpty()) {
            LOG.error("refused {} {}: the route declares no role in RouteTable", endpoint.method, endpoint.path);
            throw new HttpResponseException(403, "this route declares no role, so no one may call it");
        }
        boolean change = CHANGES.contains(ctx.method()) && ctx.path().startsWith("/api/");
        if (change) {
            requireJson(ctx);
        }
        if (need.get() instanceof RouteTable.Signed signed) {
            if (endpoint.path.equals("/metrics") && access.settings().metricsPublic()) {
                return;
            }
            Principal principal = principal(ctx).orElseThrow(() -> unauthorizedException(
                    "sign in, or send Authorization: Bearer <token>"));
            if (!principal.role().includes(signed.role())) {
                throw new HttpResponseException(403, ctx.method() + " " + endpoint.path + " needs the role "
                        + signed.role().label() + " or above; " + principal.actor() + " has " + principal.role().label());
            }
            if (change && principal.viaCookie()) {
                String sent = ctx.header(CSRF_HEADER);
                if (sent == null || !Secrets.same(sent, principal.session().orElseThrow().csrfToken())) {
                    throw new HttpResponseException(403, "a change from a signed-in browser needs the " + CSRF_HEADER
                            + " header of GET /api/session");
                }
            }
        }
    }

    private static void requireJson(Context ctx) {
        String type = ctx.header("Content-Type");
        boolean empty = ctx.contentLength() <= 0 && ctx.header("Transfer-Encoding") == null;
        if (type == null && empty && ctx.method() == HandlerType.DELETE) {
            return;
        }
        String media = type == null ? "" : type.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
        if (!media.equals("application/json")) {
            throw new HttpResponseException(415, "changes must be sent as application/json, not '" + (type == null ? "" : type) + "'");
        }
    }

    private void auditUnrecorded(Context ctx) {
        Endpoint endpoint = ctx.endpoints().matchedHttpEndpoint();
        if (endpoint == null || !CHANGES.contains(ctx.method()) || !ctx.path().startsWith("/api/")
                || ctx.statusCode() >= 400 || Boolean.TRUE.equals(ctx.attribute(AUDITED))) {
            return;
        }
        byte[] body = ctx.bodyAsBytes();
        access.audit().record(principal(ctx).map(Principal::actor).orElse("anonymous"),
                ctx.method() + " " + endpoint.path, ctx.path(), null, body.length == 0 ? null : Secrets.sha256(body),
                "answered " + ctx.statusCode());
    }

    private void checkNames(Context ctx) {
        if (!names(ctx)) {
            throw new HttpResponseException(403, "this host answers to "
                    + access.settings().publicUrl().map(u -> u.getHost() + " and ").orElse("")
                    + "localhost, 127.0.0.1 and [::1] only (set host.publicUrl to reach it under another name)");
        }
    }

    /** True when Host (and Origin, if sent) name this host: a loopback name or host.publicUrl's. */
    private boolean names(Context ctx) {
        String host = ctx.header("Host");
        if (host == null || !allowed(hostName(host))) {
            return false;
        }
        String origin = ctx.header("Origin");
        if (origin == null) {
            return true;
        }
        try {
            URI uri = URI.create(origin);
            return uri.getHost() != null && allowed(uri.getHost());
        } catch (IllegalArgumentException e) {
            return false; // "null" and other opaque origins
        }
    }

    private boolean allowed(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        return LOOPBACK.contains(lower) || access.settings().publicUrl().map(u -> u.getHost().equalsIgnoreCase(lower)).orElse(false);
    }

    static String hostName(String hostHeader) {
        String h = hostHeader.strip();
        if (h.startsWith("[")) {
            int end = h.indexOf(']');
            return end < 0 ? h : h.substring(0, end + 1);
        }
        int colon = h.indexOf(':');
        return colon < 0 ? h : h.substring(0, colon);
    }

    /** The browser's address: the peer's, or X-Forwarded-For's last entry when the peer is a proxy on loopback. */
    public static String clientAddress(Context ctx) {
        String peer = ctx.ip();
        String forwarded = ctx.header("X-Forwarded-For");
        if (forwarded != null && isLoopback(peer)) {
            String[] hops = forwarded.split(",");
            return hops[hops.length - 1].strip();
        }
        return peer;
    }

    /** Behind TLS: the request came over https, or through a loopback proxy that says so, or host.publicUrl is https. */
    public static boolean secure(Context ctx, AccessSettings settings) {
        return settings.publicHttps() || "https".equalsIgnoreCase(ctx.scheme())
                || (isLoopback(ctx.ip()) && "https".equalsIgnoreCase(ctx.header("X-Forwarded-Proto")));
    }

    private static boolean isLoopback(String ip) {
        return ip != null && (ip.startsWith("127.") || ip.equals("0:0:0:0:0:0:0:1") || ip.equals("::1") || ip.equals("[::1]"));
    }

    private static void unauthorized(String message) {
        throw unauthorizedException(message);
    }

    private static HttpResponseException unauthorizedException(String message) {
        return new HttpResponseException(401, message);
    }
}
