package dev.steward.connector.netsuite;

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
 * Makes {@code netsuite} connectors: an Oracle NetSuite account through its REST record service.
 *
 * <p>System settings: {@code accountId} (required), {@code auth} ({@code {m2m: {clientId,
 * certificateId, privateKey | privateKeyFile, algorithm: PS256 | RS256 | ES256, tokenUrl, scope}}}
 * or {@code {tba: {consumerKey, consumerSecret, tokenId, tokenSecret}}}), {@code concurrency}
 * (requests in flight, default 5), {@code baseUrl} (default
 * {@code https://<account>.suitetalk.api.netsuite.com}, for sandboxes and fakes), and the http
 * transport's {@code connectTimeout}, {@code readTimeout}, {@code maxResponse},
 * {@code allowLinkLocal}, {@code allowedNetworks}. Entity settings: {@code record} (the REST
 * record type, default the entity's name) and {@code key} ({@code externalId}, the default, or
 * {@code internalId}). Every entity lists.
 *
 * <p>Stateless and thread-safe; found through {@link java.util.ServiceLoader}.
 */
public final class NetSuiteConnectorFactory implements ConnectorFactory {

    @Override
    public String type() {
        return "netsuite";
    }

    @Override
    public List<ConfigProblem> validate(SystemConfig config) {
        return validate(config, Path.of(""));
    }

    @Override
    public List<ConfigProblem> validate(SystemConfig config, Path workspace) {
        return List.copyOf(NetSuiteSettings.problems(config, workspace));
    }

    @Override
    public boolean lists(SystemConfig config, String entity) {
        return config.entity(entity).isPresent();
    }

    @Override
    public Connector create(SystemConfig config, ConnectorContext context) {
        List<ConfigProblem> problems = new ArrayList<>();
        NetSuiteSettings settings = NetSuiteSettings.read(config, context.workspace(), problems);
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("system " + config.name() + " is not valid: "
                    + problems.getFirst().path() + ": " + problems.getFirst().message());
        }
        return new NetSuiteConnector(config.name(), settings, context,
                SystemHttp.open(config, "baseUrl", settings.baseUrl()));
    }
}
