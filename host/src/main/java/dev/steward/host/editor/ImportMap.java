package dev.steward.host.editor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * The editor's import map: the union of the {@code META-INF/importmap.json} files of the
 * {@code org.mvnpm} jars on the class path (CodeMirror and its dependencies), each mapping a
 * bare module name such as {@code @codemirror/view} to its file under {@code /_static/}. Read
 * once when the host starts, so the page names exactly the versions the build resolved.
 */
public record ImportMap(Map<String, String> imports) {

    static final String LOCATION = "META-INF/importmap.json";

    public ImportMap {
        imports = Collections.unmodifiableMap(new TreeMap<>(imports));
    }

    /** Merges every import map the class loader finds; a name mapped twice keeps its first mapping. */
    public static ImportMap fromClassPath(ClassLoader loader) {
        ObjectMapper json = new ObjectMapper();
        Map<String, String> imports = new TreeMap<>();
        try {
            for (URL url : Collections.list(loader.getResources(LOCATION))) {
                try (InputStream in = url.openStream()) {
                    JsonNode map = json.readTree(in).path("imports");
                    map.properties().forEach(e -> imports.putIfAbsent(e.getKey(), e.getValue().asText()));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the editor's import maps (" + LOCATION + ")", e);
        }
        return new ImportMap(imports);
    }

    /** The map as the page's {@code <script type="importmap">} holds it. */
    public String json() {
        try {
            return new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(Map.of("imports", imports))
                    // never let a module path close the script element
                    .replace("</", "<\\/");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
