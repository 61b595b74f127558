package dev.steward.host;

import dev.steward.plugin.ConnectorException;
import dev.steward.run.LogText;
import dev.steward.run.NoSuchRecordTypeException;
import dev.steward.run.PayloadRejectedException;
import dev.steward.UnavailableException;
import dev.steward.api.FileTooLargeException;
import dev.steward.api.NoSuchWorkspaceFileException;
import dev.steward.api.PathNotEditableException;
import io.javalin.config.RoutesConfig;
import io.javalin.http.HttpResponseException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Optional;

/** The one place where exceptions become JSON errors. A user never sees a stack trace. */
final class ErrorMapping {

    private static final Logger LOG = LoggerFactory.getLogger(ErrorMapping.class);

    private ErrorMapping() {
    }

    static void install(RoutesConfig routes) {
        routes.exception(PayloadRejectedException.class, (e, ctx) -> Json.error(ctx, e.malformed() ? 400 : 422, e.getMessage()));
        routes.exception(NoSuchRecordTypeException.class, (e, ctx) -> Json.error(ctx, 404, e.getMessage()));
        routes.exception(PathNotEditableException.class, (e, ctx) -> Json.error(ctx, 403, e.getMessage()));
        routes.exception(NoSuchWorkspaceFileException.class, (e, ctx) -> Json.error(ctx, 404, e.getMessage()));
        routes.exception(FileTooLargeException.class, (e, ctx) -> Json.error(ctx, 413, e.getMessage()));
        routes.exception(UnavailableException.class, (e, ctx) -> {
            LOG.error("store unavailable: {}", LogText.of(e.getMessage()));
            ctx.header("Retry-After", "30");
            Json.error(ctx, 503, "the event store is unavailable; nothing was stored, try again later");
        });
        routes.exception(ConnectorException.class, (e, ctx) -> Json.error(ctx, 502, e.getMessage()));
        routes.exception(HttpResponseException.class, (e, ctx) -> {
            if (e.getStatus() == 401) {
                ctx.header("WWW-Authenticate", "Bearer realm=\"steward\"");
            }
            Json.error(ctx, e.getStatus(), e.getMessage());
        });
        routes.exception(Exception.class, (e, ctx) -> {
            Optional<Integer> refused = badRequest(e);
            if (refused.isPresent()) {
                Json.error(ctx, refused.get(), "the request cannot be read: " + LogText.of(e.getMessage()));
                return;
            }
            LogText.error(LOG, "unexpected error on " + ctx.method() + " " + LogText.of(ctx.path()), e);
            Json.error(ctx, 500, "internal error: " + e.getClass().getSimpleName() + " (see the host's log)");
        });
        routes.error(404, "*", ctx -> {
            if (ctx.result() == null || ctx.result().isEmpty()) {
                Json.error(ctx, 404, "no such resource: " + ctx.method() + " " + ctx.path());
            }
        });
        routes.error(405, "*", ctx -> Json.error(ctx, 405, "method " + ctx.method() + " not allowed on " + ctx.path()));
    }

    /**
     * The 4xx status of a request that Jetty found broken while the handler read its body (a
     * chunk size past any length, a body cut short): the sender's fault, not an internal error.
     */
    private static Optional<Integer> badRequest(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof org.eclipse.jetty.http.HttpException http && http.getCode() >= 400 && http.getCode() < 500) {
                return Optional.of(http.getCode());
            }
        }
        return Optional.empty();
    }
}
