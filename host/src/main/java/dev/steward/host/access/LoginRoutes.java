package dev.steward.host.access;

import com.fasterxml.jackson.databind.JsonNode;
import dev.steward.host.Json;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.Cookie;
import io.javalin.http.HttpResponseException;
import io.javalin.http.SameSite;

import java.io.IOException;
import java.time.Duration;

/**
 * Signing in and out: the {@code /login} page and form for the editor, and {@code /api/session}
 * for scripts and the editor's own calls (which also hands out the CSRF token). The session
 * cookie is {@code HttpOnly}, {@code SameSite=Strict}, and {@code Secure} behind TLS.
 */
public final class LoginRoutes {

    private final Access access;

    public LoginRoutes(Access access) {
        this.access = access;
    }

    public void install(RoutesConfig routes) {
        routes.get("/login", ctx -> page(ctx, 200, ""));
        routes.post("/login", this::formLogin);
        routes.post("/logout", ctx -> {
            Gate.principal(ctx).ifPresent(access::logout);
            ctx.removeCookie(Gate.COOKIE, "/");
            ctx.redirect("/login", io.javalin.http.HttpStatus.SEE_OTHER);
        });
        routes.post("/api/session", this::jsonLogin);
        routes.get("/api/session", ctx -> {
            Principal p = Gate.principal(ctx).orElseThrow();
            Json.send(ctx, 200, Json.object("name", p.name(), "kind", p.kind().name().toLowerCase(java.util.Locale.ROOT),
                    "role", p.role().label(), "csrfToken", p.session().map(s -> s.csrfToken()).orElse(null)));
        });
        routes.delete("/api/session", ctx -> {
            Gate.principal(ctx).ifPresent(access::logout);
            Gate.audited(ctx);
            ctx.removeCookie(Gate.COOKIE, "/");
            Json.send(ctx, 200, Json.object("signedOut", true));
        });
    }

    private void formLogin(Context ctx) {
        String next = safeNext(ctx.formParam("next"));
        Access.Login login = access.login(ctx.formParam("user"), ctx.formParam("password"), Gate.clientAddress(ctx));
        switch (login) {
            case Access.SignedIn in -> {
                setCookie(ctx, in.sessionId());
                ctx.redirect(next, io.javalin.http.HttpStatus.SEE_OTHER);
            }
            case Access.Refused refused -> page(ctx, 401, "Wrong user name or password.");
            case Access.Locked locked -> {
                ctx.header("Retry-After", String.valueOf(seconds(locked.retryAfter())));
                page(ctx, 429, "Too many wrong passwords: try again in " + minutes(locked.retryAfter()) + ".");
            }
        }
    }

    private void jsonLogin(Context ctx) throws IOException {
        Gate.audited(ctx);
        JsonNode body = Json.requestObject(ctx);
        if (!body.path("user").isTextual() || !body.path("password").isTextual()) {
            throw new HttpResponseException(400, "send {\"user\": ..., \"password\": ...}");
        }
        Access.Login login = access.login(body.get("user").asText(), body.get("password").asText(), Gate.clientAddress(ctx));
        switch (login) {
            case Access.SignedIn in -> {
                setCookie(ctx, in.sessionId());
                Json.send(ctx, 200, Json.object("name", in.session().user(), "kind", "user", "role", in.role().label(),
                        "csrfToken", in.session().csrfToken()));
            }
            case Access.Refused refused -> Json.error(ctx, 401, "wrong user name or password");
            case Access.Locked locked -> {
                ctx.header("Retry-After", String.valueOf(seconds(locked.retryAfter())));
                Json.error(ctx, 429, "too many wrong passwords; try again in " + minutes(locked.retryAfter()));
            }
        }
    }

    private void setCookie(Context ctx, String sessionId) {
        // no Max-Age: the browser forgets it when closed; the host ends it after the idle and absolute timeouts
        ctx.cookie(new Cookie(Gate.COOKIE, sessionId, "/", -1, Gate.secure(ctx, access.settings()), true, null, SameSite.STRICT));
    }

    /** Only a path on this host: never another site, so the form cannot be used to redirect elsewhere. */
    static String safeNext(String next) {
        if (next == null || !next.startsWith("/") || next.startsWith("//") || next.contains("\\") || next.contains("\r") || next.contains("\n")) {
            return "/editor/";
        }
        return next;
    }

    private static long seconds(Duration d) {
        return Math.max(1, (d.toMillis() + 999) / 1000);
    }

    private static String minutes(Duration d) {
        long s = seconds(d);
        return s < 60 ? s + " seconds" : ((s + 59) / 60) + " minutes";
    }

    private static void page(Context ctx, int status, String message) {
        String next = safeNext(ctx.queryParam("next") != null ? ctx.queryParam("next") : ctx.formParam("next"));
        ctx.status(status).contentType("text/html; charset=utf-8").header("Cache-Control", "no-store").result("""
                <!doctype html>
                <html lang="en"><head><meta charset="utf-8"><title>Sign in - Steward</title>
                <meta name="viewport" content="width=device-width, initial-scale=1">
                <style>body{font:16px system-ui,sans-serif;max-width:22rem;margin:5rem auto;padding:0 1rem}
                label{display:block;margin:.8rem 0 .2rem}input{width:100%%;padding:.4rem;box-sizing:border-box}
                button{margin-top:1rem;padding:.5rem 1.2rem}.error{color:#b00020}</style></head>
                <body><h1>Steward</h1>
                <p class="error" role="alert">%s</p>
                <form method="post" action="/login">
                <input type="hidden" name="next" value="%s">
                <label for="user">User</label><input id="user" name="user" autocomplete="username" required autofocus>
                <label for="password">Password</label>
                <input id="password" name="password" type="password" autocomplete="current-password" required>
                <button type="submit">Sign in</button>
                </form></body></html>
                """.formatted(escape(message), escape(next)));
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;").replace("'", "&#39;");
    }
}
