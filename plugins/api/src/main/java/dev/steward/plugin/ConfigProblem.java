package dev.steward.plugin;

/**
 * One problem in a system's configuration, found by {@link ConnectorFactory#validate}.
 *
 * @param path    where in the system's block, dotted ({@code baseUrl},
 *                {@code entities.customer.path}); empty for the block itself
 * @param message what is wrong, in words a user can act on
 */
public record ConfigProblem(String path, String message) {
}
