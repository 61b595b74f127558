package dev.steward.host.access;

import com.fasterxml.jackson.databind.JsonNode;
import dev.steward.host.Json;
import dev.steward.api.AccessRecords.Token;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;

import java.io.IOException;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/** {@code /api/tokens}, {@code /api/users} and {@code /api/audit-log}: the admin's side of access. */
public final class AccessRoutes {

    private final Access access;

    public AccessRoutes(Access access) {
        this.access = access;
    }

    public void install(RoutesConfig routes) {
        routes.get("/api/tokens", ctx -> Json.send(ctx, 200, Json.object("tokens",
                access.tokens().stream().map(AccessRoutes::token).toList())));
        routes.post("/api/tokens", this::createToken);
        routes.delete("/api/tokens/{token}", ctx -> {
            Gate.audited(ctx);
            Token revoked = access.revokeToken(ctx.pathParam("token"), actor(ctx))
                    .orElseThrow(() -> new HttpResponseException(404, "no live token named or with the id '" + ctx.pathParam("token") + "'"));
            Json.send(ctx, 200, token(revoked));
        });
        routes.get("/api/users", ctx -> Json.send(ctx, 200, Json.object("users", access.users().stream()
                .map(u -> Json.object("name", u.name(), "role", u.role(), "createdAt", u.createdAt().toString())).toList())));
        routes.post("/api/users", this::addUser);
        routes.delete("/api/users/{name}", ctx -> {
            Gate.audited(ctx);
            String name = ctx.pathParam("name");
            if (Gate.principal(ctx).filter(p -> p.kind() == Principal.Kind.USER && p.name().equals(name)).isPresent()) {
                throw new HttpResponseException(409, "you cannot remove yourself; another admin can");
            }
            if (!access.removeUser(name, actor(ctx))) {
                throw new HttpResponseException(404, "no user '" + name + "'");
            }
            Json.send(ctx, 200, Json.object("removed", name));
        });
        routes.get("/api/audit-log", ctx -> {
            int limit = limit(ctx.queryParam("limit"));
            Json.send(ctx, 200, Json.object("entries", access.audit().recent(limit).stream().map(e -> Json.object(
                    "seq", e.seq(), "at", e.at().toString(), "actor", e.actor(), "action", e.action(), "target", e.target(),
                    "beforeHash", e.beforeHash(), "afterHash", e.afterHash(), "detail", e.detail())).toList()));
        });
    }

    private void createToken(Context ctx) throws IOException {
        Gate.audited(ctx);
        JsonNode body = Json.requestObject(ctx);
        String name = text(body, "name");
        Role role = role(text(body, "role"));
        Access.NewToken made;
        try {
            made = access.createToken(name, role, actor(ctx)).orElseThrow(() -> new HttpResponseException(409,
                    "a live token is named '" + name + "' already; revoke it first or pick another name"));
        } catch (IllegalArgumentException e) {
            throw new HttpResponseException(400, e.getMessage());
        }
        Map<String, Object> answer = token(made.token());
        answer.put("token", made.secret());
        answer.put("note", "this is the only time the token is shown; Steward keeps only its hash");
        Json.send(ctx, 201, answer);
    }

    private void addUser(Context ctx) throws IOException {
        Gate.audited(ctx);
        JsonNode body = Json.requestObject(ctx);
        String name = text(body, "name");
        Role role = role(text(body, "role"));
        String password = text(body, "password");
        try {
            if (!access.addUser(name, role, password, actor(ctx))) {
                throw new HttpResponseException(409, "there is a user '" + name + "' already");
            }
        } catch (IllegalArgumentException e) {
            throw new HttpResponseException(400, e.getMessage());
        }
        Json.send(ctx, 201, Json.object("name", name, "role", role.label()));
    }

    static Map<String, Object> token(Token t) {
        return Json.object("id", t.id(), "name", t.name(), "role", t.role(), "status", t.isRevoked() ? "revoked" : "live",
                "createdBy", t.createdBy(), "createdAt", t.createdAt().toString(),
                "lastUsedAt", t.lastUsedAt().map(Instant::toString).orElse(null),
                "revokedAt", t.revokedAt().map(Instant::toString).orElse(null));
    }

    private static String actor(Context ctx) {
        return Gate.principal(ctx).map(Principal::actor).orElse("anonymous");
    }

    private static Role role(String text) {
        return Role.parse(text).orElseThrow(() -> new HttpResponseException(400, "role must be one of " + Role.choices()
                + ", not '" + text + "'"));
    }

    private static String text(JsonNode body, String field) {
        return Optional.ofNullable(body.get(field)).filter(JsonNode::isTextual).map(JsonNode::asText)
                .orElseThrow(() -> new HttpResponseException(400, "'" + field + "' is missing (a string)"));
    }

    private static int limit(String text) {
        try {
            int limit = text == null ? 100 : Integer.parseInt(text);
            if (limit >= 1 && limit <= 1000) {
                return limit;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw new HttpResponseException(400, "limit must be from 1 to 1000");
    }
}
