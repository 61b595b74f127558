package dev.steward.connector.hubspot;

import dev.steward.connector.http.SystemHttp;
import dev.steward.plugin.ConfigProblem;
import dev.steward.plugin.Connector;
import dev.steward.plugin.ConnectorContext;
import dev.steward.plugin.ConnectorFactory;
import dev.steward.plugin.SystemConfig;
import java.util.ArrayList;
import java.util.List;

/**
 * Makes {@code connector: hubspot} systems: HubSpot's CRM v3 objects with a private app token
 * or OAuth.
 * <pre>
 * hubspot:
 *   connector: hubspot
 *   auth:
 *     token: ${env:HUBSPOT_TOKEN}                # or oauth: { clientId, clientSecret, refreshToken }
 *   timeZone: Europe/Berlin                     # the account's, for the daily limit; default UTC
 *   entities:
 *     customer:
 *       object: contacts                        # default: the entity's name
 *       idProperty: email                       # optional; the key is the record id without it
 *       types: { credit_limit: number }         # optional; how text reads back
 *       fields: { email: email, creditLimit: credit_limit }
 * </pre>
 * {@code baseUrl} (default {@code https://api.hubapi.com}) and {@code tokenUrl} point it at a
 * sandbox or a fake; {@code connectTimeout}, {@code readTimeout}, {@code maxResponse},
 * {@code allowLinkLocal} and {@code allowedNetworks} are the http connector's. Every entity
 * lists. Stateless and thread-safe; found through {@link java.util.ServiceLoader}.
 */
public final class HubSpotConnectorFactory implements ConnectorFactory {

    @Override
    public String type() {
        return "hubspot";
    }

    @Override
    public List<ConfigProblem> validate(SystemConfig config) {
        List<ConfigProblem> problems = new ArrayList<>();
        HubSpotSettings.read(config, problems);
        return List.copyOf(problems);
    }

    @Override
    public boolean lists(SystemConfig config, String entity) {
        return config.entity(entity).isPresent();
    }

    @Override
    public Connector create(SystemConfig config, ConnectorContext context) {
        List<ConfigProblem> problems = new ArrayList<>();
        HubSpotSettings settings = HubSpotSettings.read(config, problems);
        if (settings == null) {
            throw new IllegalArgumentException("system " + config.name() + " is not valid: "
                    + problems.getFirst().path() + ": " + problems.getFirst().message());
        }
        SystemHttp http = SystemHttp.open(config, "baseUrl", settings.baseUrl().toString());
        HubSpotTokens tokens = new HubSpotTokens(config.name(), settings.auth(), settings.tokenUrl(), http,
                context.secrets(), context.clock());
        HubSpotRateLimit limit = new HubSpotRateLimit(config.name(), settings.timeZone(), context.clock());
        return new HubSpotConnector(config.name(), settings, http, tokens, limit);
    }
}
