package dev.steward.connector.dynamics;

import dev.steward.connector.http.SystemHttp;
import dev.steward.plugin.ConfigProblem;
import dev.steward.plugin.Connector;
import dev.steward.plugin.ConnectorContext;
import dev.steward.plugin.ConnectorFactory;
import dev.steward.plugin.SystemConfig;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code connector: dynamics}: Microsoft Dynamics 365 / Dataverse through its Web API, with an
 * Entra ID app's client credentials. A user writes the environment's URL, the tenant, the
 * client id and secret, and per entity the entity set, the alternate key and the field mapping:
 * <pre>
 * systems:
 *   crm:
 *     connector: dynamics
 *     environmentUrl: https://contoso.crm.dynamics.com
 *     tenantId: ${env:DYNAMICS_TENANT_ID}
 *     clientId: ${env:DYNAMICS_CLIENT_ID}
 *     clientSecret: ${env:DYNAMICS_CLIENT_SECRET}
 *     entities:
 *       customer:
 *         entitySet: accounts
 *         key: accountnumber
 *         fields: { id: accountnumber, name: name, creditLimit: creditlimit }
 * </pre>
 * Stateless, as the SPI asks.
 */
public final class DynamicsConnectorFactory implements ConnectorFactory {

    @Override
    public String type() {
        return "dynamics";
    }

    @Override
    public List<ConfigProblem> validate(SystemConfig config) {
        List<ConfigProblem> problems = new ArrayList<>();
        DynamicsSettings.read(config, problems);
        return problems;
    }

    @Override
    public boolean lists(SystemConfig config, String entity) {
        return config.entity(entity).isPresent();
    }

    @Override
    public Connector create(SystemConfig config, ConnectorContext context) {
        List<ConfigProblem> problems = new ArrayList<>();
        DynamicsSettings settings = DynamicsSettings.read(config, problems);
        if (settings == null) {
            throw new IllegalArgumentException("system " + config.name() + " is not valid: "
                    + problems.getFirst().path() + ": " + problems.getFirst().message());
        }
        SystemHttp http = SystemHttp.open(config, "environmentUrl", settings.environmentUrl());
        return new DynamicsConnector(config.name(), settings, http, context.clock());
    }
}
