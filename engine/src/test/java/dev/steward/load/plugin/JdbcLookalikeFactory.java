package dev.steward.load.plugin;

import dev.steward.plugin.Connector;
import dev.steward.plugin.ConnectorContext;
import dev.steward.plugin.ConnectorFactory;
import dev.steward.plugin.SystemConfig;

/** A plugin's factory that claims a built-in type, for PluginJarsTest. */
public final class JdbcLookalikeFactory implements ConnectorFactory {

    @Override
    public String type() {
        return "jdbc";
    }

    @Override
    public Connector create(SystemConfig config, ConnectorContext context) {
        throw new UnsupportedOperationException("never created: the built-in jdbc wins");
    }
}
