package dev.steward.host;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** The repository's example workspace, for tests that run Steward on a copy of it. */
public final class ExampleFiles {

    private ExampleFiles() {
    }

    /** Copies steward.yaml, flows, rules, systems and transforms of the example workspace into {@code target}. */
    public static Path copyTo(Path target) throws IOException {
        Path repository = Path.of("..").toAbsolutePath().normalize();
        Files.createDirectories(target);
        Files.copy(repository.resolve("steward.yaml"), target.resolve("steward.yaml"));
        for (String folder : List.of("flows", "rules", "systems", "transforms")) {
            try (Stream<Path> files = Files.walk(repository.resolve(folder))) {
                for (Path source : files.toList()) {
                    Path copy = target.resolve(repository.relativize(source).toString());
                    if (Files.isDirectory(source)) {
                        Files.createDirectories(copy);
                    } else {
                        Files.copy(source, copy);
                    }
                }
            }
        }
        return target;
    }
}
