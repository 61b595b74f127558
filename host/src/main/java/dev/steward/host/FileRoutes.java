package dev.steward.host;

import com.fasterxml.jackson.databind.JsonNode;
import dev.steward.Engine;
import dev.steward.api.PathNotEditableException;
import dev.steward.api.Preview;
import dev.steward.api.ScenarioRun;
import dev.steward.api.Validation;
import dev.steward.api.WorkspaceFile;
import dev.steward.api.WorkspacePath;
import dev.steward.host.access.AuditTrail;
import dev.steward.host.access.Gate;
import dev.steward.host.access.Principal;
import dev.steward.host.access.Role;
import dev.steward.host.access.Secrets;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The workspace's files through the API: read one, save one (checked first; a valid save swaps
 * the running configuration without a restart), check drafts without saving, preview what they
 * would decide on recent events, and the rules
 * versions that ran. Who may save a file depends on what it is ({@link #needed}).
 */
final class FileRoutes {

    private final Engine engine;
    private final AuditTrail audit;

    FileRoutes(Engine engine, AuditTrail audit) {
        this.engine = engine;
        this.audit = audit;
    }

    void install(RoutesConfig routes) {
        routes.get("/api/files/<path>", this::read);
        routes.put("/api/files/<path>", this::save);
        routes.post("/api/validate", this::validate);
        routes.post("/api/preview", this::preview);
        routes.post("/api/tests/run", this::runTests);
        routes.get("/api/rules/versions", ctx -> Json.send(ctx, 200, Json.object("current", engine.rulesVersion(),
                "versions", engine.rulesVersions().stream().map(v -> Json.object("version", v.hash(),
                        "liveSince", v.liveSince().toString(), "files", v.files())).toList())));
    }

    /**
     * The role a file needs to be saved: authors save flows, mastership and decision tables and
     * rule scenarios; developers also DRL, transforms and systems; admins {@code steward.yaml}.
     */
    static Role needed(WorkspacePath path) {
        return switch (path.kind()) {
            case AUTHORED -> Role.AUTHOR;
            case CODE -> Role.DEVELOPER;
            case SETTINGS -> Role.ADMIN;
        };
    }

    private void read(Context ctx) {
        WorkspacePath path = WorkspacePath.of(ctx.pathParam("path"));
        if (path.kind() == WorkspacePath.Kind.SETTINGS) {
            // steward.yaml may hold connection settings: admins only, like saving it
            require(ctx, path, Role.ADMIN);
        }
        WorkspaceFile file = engine.file(path.path());
        Json.send(ctx, 200, Json.object("path", file.path(), "text", file.text(), "sha256", file.sha256()));
    }

    private void save(Context ctx) {
        WorkspacePath path = WorkspacePath.of(ctx.pathParam("path"));
        require(ctx, path, needed(path));
        String text = text(Json.requestObject(ctx), "text");
        Validation result = engine.apply(Map.of(path.path(), text), true);
        Gate.audited(ctx);
        if (!result.saved()) {
            audit.record(actor(ctx), "file-save-refused", path.path(), result.before().get(path.path()), null,
                    errors(result) + " error(s)");
            Json.send(ctx, 422, answer(result, "not saved: fix the errors first; the running configuration is unchanged"));
            return;
        }
        audit.record(actor(ctx), "file-save", path.path(), result.before().get(path.path()), Secrets.sha256(text),
                "rules version " + result.rulesVersion().orElse("-"));
        Json.send(ctx, 200, answer(result, null));
    }

    /** {@code {"files": {"flows/a.yaml": "text", ...}}}: checks drafts together; saves nothing. */
    /**
     * {@code POST /api/tests/run}: runs the rule scenarios on disk ({@code {"files": [...]}} names
     * some under {@code rules/tests/}; none: all of them), as {@code steward test} does, against
     * the workspace with {@code "drafts"} (path to text) laid over it when given. 200 with
     * the results whether they pass or not; 403 for a path outside {@code rules/tests/}.
     */
    private void runTests(Context ctx) throws java.io.IOException {
        List<Path> files = new java.util.ArrayList<>();
        byte[] raw = ctx.bodyAsBytes();
        if (raw.length > 0) {
            JsonNode list = Json.requestObject(ctx).get("files");
            if (list != null && !list.isArray()) {
                throw new HttpResponseException(400, "'files' must be a list of paths under rules/tests/");
            }
            for (JsonNode file : list == null ? List.<JsonNode>of() : list) {
                WorkspacePath path = WorkspacePath.of(file.asText());
                if (!path.path().startsWith("rules/tests/")) {
                    throw new PathNotEditableException("'" + file.asText() + "' is not a scenario file under rules/tests/");
                }
                files.add(Path.of(path.path()));
            }
        }
        ScenarioRun run = Engine.testScenarios(engine.workspace().home(), files, drafts(ctx, raw.length > 0 ? Json.requestObject(ctx) : null));
        Json.send(ctx, 200, Json.object("passed", run.passed(), "scenarios", run.scenarios(), "failed", run.failed(),
                "problems", run.problems(), "lines", run.lines(), "junit", run.junitXml()));
    }

    /** {@code "drafts": {path: text}}: unsaved rule or flow files the scenarios run against (the editor's "try before saving"). */
    private static Map<String, String> drafts(Context ctx, JsonNode body) {
        JsonNode drafts = body == null ? null : body.get("drafts");
        if (drafts == null || drafts.isNull()) {
            return Map.of();
        }
        if (!drafts.isObject()) {
            throw new HttpResponseException(400, "'drafts' must be an object of path to text");
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> entry : drafts.properties()) {
            WorkspacePath path = WorkspacePath.of(entry.getKey());
            if (path.isScenario() || !entry.getValue().isTextual()) {
                throw new HttpResponseException(400, "drafts." + entry.getKey() + ": a draft is the text of a flow or rule file");
            }
            require(ctx, path, needed(path)); // a DRL draft is code: developers only, as when saving it
            out.put(path.path(), entry.getValue().asText());
        }
        return out;
    }

    private void validate(Context ctx) {
        Validation result = engine.apply(drafts(Json.requestObject(ctx)), false);
        // a check changes nothing, and editors check as you type: not an entry for the audit log
        Gate.audited(ctx);
        Json.send(ctx, 200, answer(result, null));
    }

    /**
     * {@code {"files": {...}, "limit": 1000}}: the drafts' decisions against the running ones on
     * the newest stored events of the flows they affect; writes nothing. 422 (as a refused save)
     * when a draft has errors.
     */
    private void preview(Context ctx) {
        JsonNode body = Json.requestObject(ctx);
        Map<String, String> drafts = drafts(body);
        JsonNode limit = body.get("limit");
        if (limit != null && !(limit.isIntegralNumber() && limit.asLong() >= 1 && limit.asLong() <= Preview.MAX_EVENTS)) {
            throw new HttpResponseException(400, "'limit' must be a whole number from 1 to " + Preview.MAX_EVENTS);
        }
        Preview preview = engine.previewDrafts(drafts, limit == null ? Preview.DEFAULT_EVENTS : limit.asInt());
        Gate.audited(ctx);
        if (!preview.validation().valid()) {
            Json.send(ctx, 422, answer(preview.validation(), "not previewed: fix the errors first"));
            return;
        }
        Json.send(ctx, 200, Json.object("current", preview.current(), "draft", preview.draft(), "events", preview.events(),
                "changed", preview.changed(), "elapsedMs", preview.elapsedMs(), "flows", preview.flows(),
                "differences", preview.differences(), "notes", preview.notes()));
    }

    private static Map<String, String> drafts(JsonNode body) {
        JsonNode files = body.get("files");
        if (files == null || !files.isObject() || files.isEmpty()) {
            throw new HttpResponseException(400, "'files' is missing: an object of path to text, like"
                    + " {\"files\": {\"flows/a.yaml\": \"...\"}}");
        }
        Map<String, String> drafts = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> entry : files.properties()) {
            if (!entry.getValue().isTextual()) {
                throw new HttpResponseException(400, "files." + entry.getKey() + " must be the file's text (a string)");
            }
            drafts.put(WorkspacePath.of(entry.getKey()).path(), entry.getValue().asText());
        }
        return drafts;
    }

    private static Map<String, Object> answer(Validation result, String error) {
        Map<String, Object> body = Json.object("error", error, "valid", result.valid(), "saved", result.saved(),
                "rulesVersion", result.rulesVersion().orElse(null),
                "diagnostics", result.diagnostics().stream().map(ApiRoutes::diagnostic).toList());
        if (error != null) {
            body.put("status", 422);
        }
        return body;
    }

    private static long errors(Validation result) {
        return result.diagnostics().stream().filter(dev.steward.model.Diagnostic::isError).count();
    }

    private static void require(Context ctx, WorkspacePath path, Role role) {
        Role has = Gate.principal(ctx).map(Principal::role).orElse(null);
        if (has == null || !has.includes(role)) {
            throw new HttpResponseException(403, path.path() + " is saved by the role " + role.label()
                    + (has == null ? "" : "; you are " + has.label()));
        }
    }

    private static String actor(Context ctx) {
        return Gate.principal(ctx).map(Principal::actor).orElse("anonymous");
    }

    private static String text(JsonNode body, String field) {
        JsonNode value = body.get(field);
        if (value == null || !value.isTextual()) {
            throw new HttpResponseException(400, "'" + field + "' is missing: the file's whole text, as a string");
        }
        return value.asText();
    }
}
