package dev.steward.host.editor;

import com.fasterxml.jackson.databind.JsonNode;
import dev.steward.Engine;
import dev.steward.api.Validation;
import dev.steward.api.WorkspaceFile;
import dev.steward.api.WorkspacePath;
import dev.steward.host.Json;
import dev.steward.host.access.Gate;
import dev.steward.model.Diagnostic;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The grid's side of the API: a mastership table or a decision table as rows of cells
 * ({@code GET /api/grid/<path>}), and rows turned back into the file's text with the
 * workspace's check of it ({@code POST /api/grid/<path>}, which saves nothing: the editor saves
 * the text through {@code PUT /api/files/<path>}, so a grid save is validated, audited and
 * swapped in like any other). Also the list of the files the editor opens ({@code GET /api/workspace}).
 */
public final class GridRoutes {

    private final Engine engine;

    public GridRoutes(Engine engine) {
        this.engine = engine;
    }

    public void install(RoutesConfig routes) {
        routes.get("/api/grid/<path>", this::read);
        routes.post("/api/grid/<path>", this::render);
        routes.get("/api/workspace", this::files);
        routes.get("/api/schema/flow", ctx -> Json.send(ctx, 200, FlowSchema.of(engine.workspace(), engine.webhookFormats())));
    }

    private void read(Context ctx) {
        WorkspacePath path = WorkspacePath.of(ctx.pathParam("path"));
        GridDocument.Kind kind = kind(path);
        WorkspaceFile file = engine.file(path.path());
        GridDocument document = parse(kind, file.text());
        Json.send(ctx, 200, Json.object("path", file.path(), "kind", kind.name().toLowerCase(Locale.ROOT),
                "sha256", file.sha256(), "text", file.text(), "top", document.top(),
                "rows", document.rows().stream().map(r -> Json.object("id", r.id(), "line", r.line(), "cells", r.cells())).toList()));
    }

    /**
     * {@code {"base": text?, "rows": [{"id": n?, "cells": {...}}], "top": {...}?}}: the file's text
     * with these rows (base: the text the grid was read from; default the file as it is now),
     * and the workspace's check of it, each diagnostic inside a row naming the row and column.
     */
    private void render(Context ctx) {
        WorkspacePath path = WorkspacePath.of(ctx.pathParam("path"));
        GridDocument.Kind kind = kind(path);
        JsonNode body = Json.requestObject(ctx);
        String base = body.hasNonNull("base") ? text(body.get("base"), "base") : engine.file(path.path()).text();
        GridDocument document = parse(kind, base);
        List<GridDocument.Row> rows = new ArrayList<>();
        JsonNode list = body.get("rows");
        if (list == null || !list.isArray()) {
            throw new HttpResponseException(400, "'rows' is missing: a list of {\"id\": n, \"cells\": {column: value}}");
        }
        for (JsonNode row : list) {
            rows.add(new GridDocument.Row(row.path("id").asInt(-1), 0, cells(row.get("cells"))));
        }
        Map<String, Object> top = body.has("top") ? cells(body.get("top")) : Map.of();
        GridDocument.Rendered rendered;
        try {
            rendered = document.render(rows, top);
        } catch (IllegalArgumentException e) {
            throw new HttpResponseException(400, e.getMessage());
        }
        Validation check = engine.apply(Map.of(path.path(), rendered.text()), false);
        Gate.audited(ctx); // a check changes nothing: not an entry for the audit log
        List<Object> diagnostics = new ArrayList<>();
        for (Diagnostic d : check.diagnostics()) {
            Map<String, Object> out = Json.object("file", d.file(), "line", d.line(), "column", d.column(),
                    "severity", d.severity().name().toLowerCase(Locale.ROOT), "message", d.message());
            if (path.path().equals(d.file())) {
                placeInRow(out, d.line(), rendered);
            }
            diagnostics.add(out);
        }
        Json.send(ctx, 200, Json.object("path", path.path(), "text", rendered.text(), "valid", check.valid(),
                "diagnostics", diagnostics, "rowLines", rendered.rowLines()));
    }

    /** Adds "row" (0-based, in the order sent) and "cell" (the column) to a diagnostic at a row's line. */
    private static void placeInRow(Map<String, Object> diagnostic, int line, GridDocument.Rendered rendered) {
        for (int r = 0; r < rendered.rowLines().size(); r++) {
            int[] span = rendered.rowLines().get(r);
            if (line >= span[0] && line <= span[1]) {
                diagnostic.put("row", r);
                String cell = null;
                for (Map.Entry<String, Integer> entry : rendered.cellLines().get(r).entrySet()) {
                    if (entry.getValue() <= line) {
                        cell = entry.getKey();
                    }
                }
                if (cell != null) {
                    diagnostic.put("cell", cell);
                }
                return;
            }
        }
    }

    /** The files the editor opens, by folder: flows, rules (grids and DRL), scenarios. */
    private void files(Context ctx) {
        Path home = engine.workspace().home();
        List<Object> out = new ArrayList<>();
        for (String folder : List.of("flows", "rules", "rules/tests", "transforms")) {
            Path dir = home.resolve(folder);
            if (!Files.isDirectory(dir)) {
                continue;
            }
            try (Stream<Path> files = Files.list(dir)) {
                for (Path file : files.filter(Files::isRegularFile).sorted().toList()) {
                    String relative = folder + "/" + file.getFileName();
                    try {
                        WorkspacePath path = WorkspacePath.of(relative);
                        out.add(Json.object("path", path.path(), "kind", path.kind().name().toLowerCase(Locale.ROOT),
                                "grid", GridDocument.kindOf(path.path()).map(k -> k.name().toLowerCase(Locale.ROOT)).orElse(null)));
                    } catch (RuntimeException notEditable) {
                        // a file the API does not edit (README, a backup): not listed
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        Json.send(ctx, 200, Json.object("files", out));
    }

    private static GridDocument.Kind kind(WorkspacePath path) {
        return GridDocument.kindOf(path.path()).orElseThrow(() -> new HttpResponseException(404,
                path.path() + " is not a mastership table (rules/mastership.yaml) or a decision table (rules/*.table.yaml)"));
    }

    private static GridDocument parse(GridDocument.Kind kind, String text) {
        try {
            return GridDocument.parse(kind, text);
        } catch (GridDocument.NotAGridException e) {
            throw new HttpResponseException(422, e.getMessage() + "; open it in the file editor");
        }
    }

    private static Map<String, Object> cells(JsonNode node) {
        if (node == null || !node.isObject()) {
            throw new HttpResponseException(400, "a row's 'cells' must be an object of column to value");
        }
        Map<String, Object> cells = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> entry : node.properties()) {
            JsonNode value = entry.getValue();
            if (value.isArray()) {
                List<String> items = new ArrayList<>();
                value.forEach(v -> items.add(text(v, entry.getKey())));
                cells.put(entry.getKey(), items);
            } else if (value.isNull()) {
                cells.put(entry.getKey(), "");
            } else {
                cells.put(entry.getKey(), value.isTextual() ? value.asText() : value.toString());
            }
        }
        return cells;
    }

    private static String text(JsonNode node, String what) {
        if (node == null || !node.isTextual()) {
            throw new HttpResponseException(400, "'" + what + "' must be text");
        }
        return node.asText();
    }
}
