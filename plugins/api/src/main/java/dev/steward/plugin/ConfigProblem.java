package dev.steward.plugin;

/**
 * One problem in a system's configuration, found by {@link ConnectorFactory#validate}.
 *
 * @param path    where in the system's block, dotted ({@code baseUrl},
 *                {@code entities.customer.path}); empty for the block itself
 * @param message what is wrong, in words a user can act on
 * @param file    a workspace file the problem is in (an {@code init:} script), or null when the
 *                problem is at {@code path} in {@code steward.yaml}
 * @param line    the 1-based line in {@code file}, 0 if unknown or when file is null
 * @param column  the 1-based column in {@code file}, 0 if unknown or when file is null
 */
public record ConfigProblem(String path, String message, String file, int line, int column) {

    /** A problem at a setting of {@code steward.yaml}. */
    public ConfigProblem(String path, String message) {
        this(path, message, null, 0, 0);
    }

    /** A problem inside a workspace file that the setting at {@code path} names. */
    public static ConfigProblem inFile(String path, String file, int line, int column, String message) {
        return new ConfigProblem(path, message, file, line, column);
    }
}
