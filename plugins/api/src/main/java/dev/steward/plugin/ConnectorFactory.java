package dev.steward.plugin;

import java.util.List;

/**
 * Makes connectors of one type ({@code http}, {@code jdbc}, or a plugin's own) for the systems
 * declared in {@code steward.yaml}.
 *
 * <p>Lifecycle: found once per process through {@link java.util.ServiceLoader} (a file
 * {@code META-INF/services/dev.steward.plugin.ConnectorFactory} in the plugin's jar). Steward
 * calls {@link #validate} when it loads a workspace, and {@link #create} once per system each
 * time a valid workspace becomes active. Thread safety: factories must be stateless.
 */
public interface ConnectorFactory {

    /** The value of {@code connector:} in {@code steward.yaml} that selects this factory. */
    String type();

    /**
     * Checks a system's configuration without connecting anywhere. Each problem names the path
     * of the offending setting ({@code entities.customer.table}) so that Steward can point at
     * its line in {@code steward.yaml}.
     */
    default List<ConfigProblem> validate(SystemConfig config) {
        return List.of();
    }

    /**
     * Checks a system's configuration and the workspace files it names (a script, a schema),
     * still without connecting anywhere: what {@link #create} would stumble on in the files
     * should be found here, so that {@code steward validate} reports it. Steward calls this one;
     * the default checks the configuration alone.
     */
    default List<ConfigProblem> validate(SystemConfig config, java.nio.file.Path workspace) {
        return validate(config);
    }

    /**
     * Whether the connectors this factory makes for the system can {@link Connector#list list}
     * the entity's records, which a flow's poll trigger needs; asked when a workspace loads, so
     * that {@code steward validate} reports a poll that could never work. The default says no:
     * a factory whose connectors list says so here.
     */
    default boolean lists(SystemConfig config, String entity) {
        return false;
    }

    /** Creates the connector for one system. Called only with a configuration that validated. */
    Connector create(SystemConfig config, ConnectorContext context);
}
