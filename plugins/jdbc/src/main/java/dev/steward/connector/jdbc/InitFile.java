package dev.steward.connector.jdbc;

import dev.steward.plugin.ConfigProblem;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A jdbc system's {@code init:} script, read from the workspace and checked before anything runs
 * it: it exists, is a readable UTF-8 file of at most 1 MiB that does not lead out of the
 * workspace through a link, and passes {@link InitScriptCheck}. Stateless.
 */
final class InitFile {

    static final long MAX_BYTES = 1024 * 1024;

    private InitFile() {
    }

    /** The problems of the script named {@code init} (relative to the workspace); empty if none. */
    static List<ConfigProblem> check(Path workspace, String init) {
        List<ConfigProblem> problems = new ArrayList<>();
        read(workspace, init, problems).ifPresent(script -> {
            for (InitScriptCheck.Finding finding : InitScriptCheck.check(script)) {
                problems.add(ConfigProblem.inFile("init", init, finding.line(), finding.column(), finding.message()));
            }
        });
        return problems;
    }

    /** The script's text, or empty with a problem saying why it cannot be read. */
    static java.util.Optional<String> read(Path workspace, String init, List<ConfigProblem> problems) {
        Path file = workspace.resolve(init);
        try {
            if (!Files.exists(file)) {
                problems.add(new ConfigProblem("init", "init script " + init + " does not exist in the workspace"));
                return java.util.Optional.empty();
            }
            if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
                problems.add(new ConfigProblem("init", "init script " + init + " is not a readable file"));
                return java.util.Optional.empty();
            }
            if (!file.toRealPath().startsWith(workspace.toRealPath())) {
                problems.add(new ConfigProblem("init", "init script " + init + " links to a file outside the workspace"));
                return java.util.Optional.empty();
            }
            if (Files.size(file) > MAX_BYTES) {
                problems.add(new ConfigProblem("init", "init script " + init + " is larger than 1 MiB"));
                return java.util.Optional.empty();
            }
            return java.util.Optional.of(StandardCharsets.UTF_8.newDecoder()
                    .decode(java.nio.ByteBuffer.wrap(Files.readAllBytes(file))).toString());
        } catch (CharacterCodingException e) {
            problems.add(new ConfigProblem("init", "init script " + init + " is not UTF-8 text"));
        } catch (IOException | SecurityException e) {
            problems.add(new ConfigProblem("init", "cannot read init script " + init + ": " + e.getMessage()));
        }
        return java.util.Optional.empty();
    }
}
