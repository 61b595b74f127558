package dev.steward.rules;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Compiled DRL kept on disk between starts ({@code data/cache/drl/<sha-256>.jar}), so that a
 * host whose rules did not change skips the executable model's compiler. The jar is only a
 * speed-up: what is loaded from it is checked by the DRL policy again, like freshly compiled code.
 * A cache that cannot be read or written costs a compilation, never a start.
 */
final class CompiledModuleCache {

    private static final Pattern KEY = Pattern.compile("[0-9a-f]{64}");

    private final Path directory;

    CompiledModuleCache(Path directory) {
        this.directory = directory;
    }

    Optional<CompiledModule> load(String key) {
        Path file = file(key);
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try {
            return Optional.of(CompiledModule.of(Files.readAllBytes(file)));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    void store(String key, CompiledModule module) {
        Path file = file(key);
        try {
            Files.createDirectories(directory);
            Path temporary = Files.createTempFile(directory, key, ".tmp");
            Files.write(temporary, module.jar());
            Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
            // Only a speed-up: the next start compiles again.
        }
    }

    private Path file(String key) {
        if (!KEY.matcher(key).matches()) {
            throw new IllegalArgumentException("not a SHA-256: " + key);
        }
        return directory.resolve(key + ".jar");
    }
}
