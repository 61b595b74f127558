package dev.steward.connector.salesforce;

import dev.steward.connector.http.SystemHttp;
import dev.steward.plugin.ConfigProblem;
import dev.steward.plugin.Connector;
import dev.steward.plugin.ConnectorContext;
import dev.steward.plugin.ConnectorFactory;
import dev.steward.plugin.SystemConfig;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Makes {@code connector: salesforce} connectors: a Salesforce org through its REST API, with
 * OAuth 2.0 client credentials or the JWT bearer flow. The settings are described in
 * {@link SalesforceSettings} and in {@code docs/vendors/salesforce.md}.
 *
 * <p>Stateless and thread-safe; found through {@link java.util.ServiceLoader}.
 */
public final class SalesforceConnectorFactory implements ConnectorFactory {

    @Override
    public String type() {
        return "salesforce";
    }

    @Override
    public List<ConfigProblem> validate(SystemConfig config) {
        return SalesforceSettings.problems(config, null);
    }

    @Override
    public List<ConfigProblem> validate(SystemConfig config, Path workspace) {
        return SalesforceSettings.problems(config, workspace);
    }

    /** Every entity lists, by SOQL. */
    @Override
    public boolean lists(SystemConfig config, String entity) {
        return config.entity(entity).isPresent();
    }

    @Override
    public Connector create(SystemConfig config, ConnectorContext context) {
        List<ConfigProblem> problems = new ArrayList<>();
        SalesforceSettings settings = SalesforceSettings.read(config, context.workspace(), problems);
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("system " + config.name() + " is not valid: "
                    + problems.getFirst().path() + ": " + problems.getFirst().message());
        }
        SystemHttp http = SystemHttp.open(config, "myDomain", settings.myDomain());
        return new SalesforceConnector(config.name(), settings, http, context);
    }
}
