package dev.steward.host.editor;

import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.NotFoundResponse;
import io.javalin.http.staticfiles.Location;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The browser editor: its page at {@code /editor/} with the import map filled in, its modules
 * under {@code /editor/} and the libraries' files under {@code /_static/}, both from the class
 * path (the {@code web-editor} jar and the {@code org.mvnpm} jars). The library paths carry their
 * version, so browsers may keep them for a year; the editor's own files are revalidated.
 */
public final class EditorRoutes {

    /** The page's placeholder that the import map replaces. */
    static final String PLACEHOLDER = "<!-- importmap -->";
    static final String STATIC = "META-INF/resources/_static/";
    /** What may be served from the libraries' folders: their code and styles, not their sources' other files. */
    private static final Map<String, String> TYPES = Map.of("js", "text/javascript; charset=utf-8", "mjs",
            "text/javascript; charset=utf-8", "css", "text/css; charset=utf-8", "map", "application/json");
    private final String page;
    private final ClassLoader loader;

    public EditorRoutes(ClassLoader loader) {
        this.loader = loader;
        ImportMap map = ImportMap.fromClassPath(loader);
        String template = read(loader, "steward-editor/index.html");
        if (!template.contains(PLACEHOLDER)) {
            throw new IllegalStateException("steward-editor/index.html has no " + PLACEHOLDER);
        }
        page = template.replace(PLACEHOLDER, "<script type=\"importmap\">\n" + map.json() + "\n</script>");
    }

    /** Static files and the page; call from the listener's configuration. */
    public void install(JavalinConfig config) {
        config.staticFiles.add(files -> {
            files.hostedPath = "/editor";
            files.directory = "/steward-editor";
            files.location = Location.CLASSPATH;
            files.headers = Map.of("Cache-Control", "no-cache");
        });
        // one route, not a static-files folder: the files are spread over many jars, and a
        // folder on the class path resolves in the first jar only
        config.routes.get("/_static/<path>", this::library);
        config.routes.get("/editor/", this::page);
        config.routes.get("/editor/index.html", this::page);
    }

    private void page(Context ctx) {
        ctx.contentType("text/html; charset=utf-8").header("Cache-Control", "no-store").result(page);
    }

    private void library(Context ctx) throws IOException {
        String path = ctx.pathParam("path");
        if (path.contains("..") || path.contains("\\") || path.startsWith("/")) {
            throw new NotFoundResponse("no such file");
        }
        String type = TYPES.get(path.substring(path.lastIndexOf('.') + 1));
        InputStream in = type == null ? null : loader.getResourceAsStream(STATIC + path);
        if (in == null) {
            throw new NotFoundResponse("no such file: /_static/" + path);
        }
        try (in) {
            ctx.contentType(type).header("Cache-Control", "public, max-age=31536000, immutable").result(in.readAllBytes());
        }
    }

    private static String read(ClassLoader loader, String resource) {
        try (InputStream in = loader.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("the editor's " + resource + " is not on the class path (steward-web-editor jar)");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
