package dev.steward;

import dev.steward.api.FileTooLargeException;
import dev.steward.api.NoSuchWorkspaceFileException;
import dev.steward.api.PathNotEditableException;
import dev.steward.api.WorkspaceFile;
import dev.steward.api.WorkspacePath;
import dev.steward.load.HomeLoader;
import dev.steward.model.Diagnostic;
import dev.steward.model.Workspace;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The editable files of one workspace: reads them, checks drafts of them against the rest of
 * the workspace, writes them so that a reader sees the old text or the new one and never half,
 * and names the rules version a set of files makes. Stateless apart from the folder.
 */
final class WorkspaceFiles {

    /** The largest text a draft may be, in characters (the loader's limit for a file). */
    static final int MAX_CHARS = 1024 * 1024;
    private static final int SHORT_HASH = 12;

    private final HomeLoader loader;
    private final Path home;

    WorkspaceFiles(HomeLoader loader) {
        this.loader = loader;
        this.home = loader.home();
    }

    /** What a check of drafts found: the workspace they make, and whether they may be saved. */
    record Check(Workspace workspace, boolean valid, List<Diagnostic> diagnostics) {
    }

    WorkspaceFile read(String path) {
        WorkspacePath checked = WorkspacePath.of(path);
        Path file = resolve(checked);
        if (!Files.isRegularFile(file)) {
            throw new NoSuchWorkspaceFileException("no file " + checked.path() + " in the workspace");
        }
        try {
            String text = Files.readString(file, StandardCharsets.UTF_8);
            return new WorkspaceFile(checked.path(), text, sha256(text));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + checked.path(), e);
        }
    }

    /** The SHA-256 of a file's text now, or null when there is no such file. */
    String hashNow(WorkspacePath path) {
        Path file = resolve(path);
        try {
            return Files.isRegularFile(file) ? sha256(Files.readString(file, StandardCharsets.UTF_8)) : null;
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * Loads the workspace with the drafts in place of their files. The drafts are valid when none
     * has an error and every flow that runs in {@code now} still loads; the diagnostics are those
     * of the drafts, then those of the flows they would break.
     */
    Check check(Map<String, String> drafts, Workspace now) {
        Map<String, String> workspaceDrafts = new LinkedHashMap<>();
        List<Diagnostic> diagnostics = new ArrayList<>();
        for (Map.Entry<String, String> draft : drafts.entrySet()) {
            WorkspacePath path = WorkspacePath.of(draft.getKey());
            if (draft.getValue().length() > MAX_CHARS) {
                throw new FileTooLargeException(path.path() + " is " + draft.getValue().length()
                        + " characters; a workspace file may have at most " + MAX_CHARS);
            }
            if (path.isScenario()) {
                diagnostics.addAll(loader.checkYaml(path.path(), draft.getValue()));
            } else {
                workspaceDrafts.put(path.path(), draft.getValue());
            }
        }
        Workspace next = loader.load(workspaceDrafts);
        next.diagnostics().stream().filter(d -> workspaceDrafts.containsKey(d.file())).forEach(diagnostics::add);
        for (String flowId : now.flows().keySet()) {
            if (!next.flows().containsKey(flowId)) {
                String file = now.flows().get(flowId).file();
                List<Diagnostic> own = next.brokenFlows().getOrDefault(file, List.of());
                diagnostics.addAll(own);
                if (own.stream().noneMatch(Diagnostic::isError)) {
                    diagnostics.add(Diagnostic.error(file, 0, 0, "flow '" + flowId + "' runs now and would stop running"));
                }
            }
        }
        if (workspaceDrafts.containsKey(dev.steward.load.WorkspaceLoader.CONFIG_FILE) && next.systems().isEmpty()) {
            diagnostics.add(Diagnostic.error(dev.steward.load.WorkspaceLoader.CONFIG_FILE, 0, 0, "declares no usable system"));
        }
        List<Diagnostic> distinct = List.copyOf(new LinkedHashSet<>(diagnostics));
        return new Check(next, distinct.stream().noneMatch(Diagnostic::isError), distinct);
    }

    /**
     * Writes each draft to a temporary file beside its target and moves it over the target in
     * one step, so that a reader (or a crash) sees the old text or the new one, never half.
     */
    void write(Map<String, String> drafts) {
        for (Map.Entry<String, String> draft : drafts.entrySet()) {
            Path file = resolve(WorkspacePath.of(draft.getKey()));
            try {
                Files.createDirectories(file.getParent());
                Path temp = Files.createTempFile(file.getParent(), "." + file.getFileName(), ".saving");
                try {
                    Files.writeString(temp, draft.getValue(), StandardCharsets.UTF_8);
                    try {
                        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                    } catch (AtomicMoveNotSupportedException e) {
                        Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
                    }
                } finally {
                    Files.deleteIfExists(temp);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot save " + draft.getKey(), e);
            }
        }
    }

    /** The files the rules version covers, with their texts: {@code rules/*} (not its tests), drafts in place. */
    Map<String, String> rulesFiles(Map<String, String> drafts) {
        Map<String, String> files = new TreeMap<>();
        Path rules = home.resolve("rules");
        if (Files.isDirectory(rules)) {
            try (Stream<Path> list = Files.list(rules)) {
                for (Path file : list.filter(Files::isRegularFile).toList()) {
                    String name = file.getFileName().toString();
                    if (isRulesFile(name)) {
                        files.put("rules/" + name, Files.readString(file, StandardCharsets.UTF_8));
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read rules/", e);
            }
        }
        drafts.forEach((path, text) -> {
            if (path.startsWith("rules/") && path.indexOf('/', 6) < 0 && isRulesFile(path.substring(6))) {
                files.put(path, text);
            }
        });
        return files;
    }

    /** The short hex SHA-256 over the files' names and texts, in name order. */
    static String rulesHash(Map<String, String> files) {
        MessageDigest digest = digest();
        files.forEach((path, text) -> {
            digest.update(path.getBytes(StandardCharsets.UTF_8));
            digest.update((byte) 0);
            digest.update(text.getBytes(StandardCharsets.UTF_8));
            digest.update((byte) 0);
        });
        return HexFormat.of().formatHex(digest.digest()).substring(0, SHORT_HASH);
    }

    static String sha256(String text) {
        return HexFormat.of().formatHex(digest().digest(text.getBytes(StandardCharsets.UTF_8)));
    }

    private static boolean isRulesFile(String name) {
        return name.endsWith(".yaml") || name.endsWith(".yml") || name.endsWith(".drl");
    }

    private Path resolve(WorkspacePath path) {
        Path file = home.resolve(path.path()).normalize();
        if (!file.startsWith(home)) {
            throw new PathNotEditableException("'" + path.path() + "' is outside the workspace");
        }
        try {
            // a symbolic link inside may still point out: refuse to follow it
            Path real = Files.exists(file) ? file.toRealPath() : null;
            if (real != null && !real.startsWith(home.toRealPath())) {
                throw new PathNotEditableException("'" + path.path() + "' leads outside the workspace");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    private static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

}
