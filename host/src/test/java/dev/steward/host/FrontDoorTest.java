package dev.steward.host;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The host depends on the engine through its front door only: {@code Engine} and the other types
 * of {@code dev.steward}, the records of {@code dev.steward.api} and {@code dev.steward.model},
 * the plugin SPI, and a few published values of {@code dev.steward.run}. Never the store, the
 * loaders, the rules compiler or the run path's insides. Reads the sources, so that a fully
 * qualified name in the code counts as much as an import.
 */
class FrontDoorTest {

    private static final Path SOURCES = Path.of("src/main/java");
    private static final Pattern REFERENCE = Pattern.compile("\\bdev\\.steward\\.(store|load|rules|run)\\.([A-Z]\\w*)");
    /** What the run package publishes: values and exceptions that the engine's answers carry. */
    static final Set<String> PUBLISHED_RUN = Set.of("Values", "LogText", "Health", "Alert", "AlertSink",
            "RetryPolicy", "RunTrace", "RecordView", "PayloadRejectedException", "NoSuchRecordTypeException");

    @Test
    void theHostReachesTheEngineThroughItsFrontDoorOnly() throws IOException {
        List<String> wrong = new ArrayList<>();
        List<Path> files;
        try (Stream<Path> walk = Files.walk(SOURCES)) {
            files = walk.filter(f -> f.toString().endsWith(".java")).toList();
        }
        for (Path file : files) {
            List<String> lines = Files.readAllLines(file);
            for (int i = 0; i < lines.size(); i++) {
                Matcher m = REFERENCE.matcher(lines.get(i));
                while (m.find()) {
                    if (!(m.group(1).equals("run") && PUBLISHED_RUN.contains(m.group(2)))) {
                        wrong.add(SOURCES.relativize(file) + ":" + (i + 1) + ": " + m.group());
                    }
                }
            }
        }
        assertThat(files).hasSizeGreaterThan(30);
        assertThat(wrong).as("host code that goes around the engine (ask Engine instead)").isEmpty();
    }

    @Test
    void theCheckFindsAStoreImport() {
        Matcher m = REFERENCE.matcher("import dev.steward.store.Store;");
        assertThat(m.find()).isTrue();
        assertThat(m.group(1)).isEqualTo("store");
        assertThat(REFERENCE.matcher("import dev.steward.run.Connectors;").find()).isTrue();
        assertThat(PUBLISHED_RUN).doesNotContain("Connectors");
    }
}
