package dev.steward.connector.sap;

import dev.steward.connector.http.SystemHttp;
import dev.steward.plugin.ConfigProblem;
import dev.steward.plugin.Connector;
import dev.steward.plugin.ConnectorContext;
import dev.steward.plugin.ConnectorFactory;
import dev.steward.plugin.SystemConfig;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code connector: sap}: SAP S/4HANA Cloud through its OData v2 APIs (Business Partner,
 * Customer, and other entity sets with a single key), with a communication arrangement's
 * basic-auth user or OAuth 2.0 client credentials, the CSRF token dance and ETags. Settings are
 * described in {@link SapSettings}; every entity can be listed. Stateless.
 */
public final class SapConnectorFactory implements ConnectorFactory {

    @Override
    public String type() {
        return "sap";
    }

    @Override
    public List<ConfigProblem> validate(SystemConfig config) {
        return SapSettings.problems(config);
    }

    @Override
    public boolean lists(SystemConfig config, String entity) {
        return config.entity(entity).isPresent();
    }

    @Override
    public Connector create(SystemConfig config, ConnectorContext context) {
        List<ConfigProblem> problems = new ArrayList<>();
        SapSettings settings = SapSettings.read(config, problems);
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("system " + config.name() + " is not valid: "
                    + problems.getFirst().path() + ": " + problems.getFirst().message());
        }
        return new SapConnector(config.name(), settings, SystemHttp.open(config, "baseUrl", settings.baseUrl()), context);
    }
}
