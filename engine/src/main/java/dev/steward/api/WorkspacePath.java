package dev.steward.api;

import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A workspace file that may be read and saved through the engine: {@code steward.yaml}, or a
 * file of {@code flows/}, {@code rules/}, {@code rules/tests/}, {@code transforms/} or
 * {@code systems/} ending in {@code .yaml}, {@code .yml}, {@code .drl} or {@code .js} as its folder
 * allows. Relative, with {@code /} between names; no {@code ..}, no hidden names.
 *
 * @param kind who edits it: see {@link Kind}
 */
public record WorkspacePath(String path, Kind kind) {

    /** What a file is, which decides who may save it. */
    public enum Kind {
        /** Flows, mastership tables ({@code rules/*.yaml}) and rule scenarios ({@code rules/tests/}): authors. */
        AUTHORED,
        /** DRL, transform scripts and system files: developers. */
        CODE,
        /** {@code steward.yaml}: admins. */
        SETTINGS
    }

    /** The longest path accepted. */
    public static final int MAX_LENGTH = 200;
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]*");

    /**
     * The path checked and classified.
     *
     * @throws PathNotEditableException when it is not a file this API edits, with the reason
     */
    public static WorkspacePath of(String path) {
        if (path == null || path.isEmpty()) {
            throw new PathNotEditableException("no file named");
        }
        if (path.length() > MAX_LENGTH) {
            throw new PathNotEditableException("the path is longer than " + MAX_LENGTH + " characters");
        }
        if (path.startsWith("/") || path.contains("\\") || path.contains(":")) {
            throw new PathNotEditableException("'" + path + "' is not a relative path inside the workspace");
        }
        List<String> names = List.of(path.split("/", -1));
        for (String name : names) {
            if (name.equals("..") || name.equals(".")) {
                throw new PathNotEditableException("'" + path + "' leaves its folder ('" + name + "' is not allowed)");
            }
            if (!NAME.matcher(name).matches()) {
                throw new PathNotEditableException("'" + path + "': '" + name
                        + "' is not a file or folder name this API edits (letters, digits, '.', '-', '_'; not hidden)");
            }
        }
        String extension = extension(names.getLast());
        String folder = String.join("/", names.subList(0, names.size() - 1));
        if (names.size() == 1 && path.equals("steward.yaml")) {
            return new WorkspacePath(path, Kind.SETTINGS);
        }
        boolean yaml = extension.equals("yaml") || extension.equals("yml");
        if (folder.equals("flows") && yaml || folder.equals("rules/tests") && yaml || folder.equals("rules") && yaml) {
            return new WorkspacePath(path, Kind.AUTHORED);
        }
        if (folder.equals("rules") && extension.equals("drl")) {
            return new WorkspacePath(path, Kind.CODE);
        }
        if (names.getFirst().equals("transforms") && names.size() > 1 && extension.equals("js")) {
            return new WorkspacePath(path, Kind.CODE);
        }
        if (names.getFirst().equals("systems") && names.size() > 1 && (yaml || extension.equals("js"))) {
            return new WorkspacePath(path, Kind.CODE);
        }
        throw new PathNotEditableException("'" + path + "' is not a file this API edits: steward.yaml, flows/*.yaml,"
                + " rules/*.yaml, rules/*.drl, rules/tests/*.yaml, transforms/**/*.js or systems/**/*.yaml|js");
    }

    /** A scenario file of {@code rules/tests/}: checked as YAML only; {@code steward test} runs it. */
    public boolean isScenario() {
        return path.startsWith("rules/tests/");
    }

    private static String extension(String name) {
        int dot = name.lastIndexOf('.');
        return dot < 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
    }
}
