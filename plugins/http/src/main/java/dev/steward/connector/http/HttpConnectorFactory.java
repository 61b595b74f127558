package dev.steward.connector.http;

import dev.steward.plugin.ConfigProblem;
import dev.steward.plugin.Connector;
import dev.steward.plugin.ConnectorContext;
import dev.steward.plugin.ConnectorFactory;
import dev.steward.plugin.SystemConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Makes {@code http} connectors: a system reached over a JSON HTTP API, one URL per record.
 *
 * <p>System settings: {@code baseUrl} (required), {@code auth} ({@code {bearer: TOKEN}},
 * {@code {basic: {user: U, password: P}}}, {@code {header: {name: N, value: V}}} or
 * {@code {oauth2: {tokenUrl: URL, clientId: ID, clientSecret: S, scope: S}}}),
 * {@code connectTimeout} (default 5s), {@code readTimeout} (default 30s), {@code headers},
 * {@code allowLinkLocal} (default false), {@code allowedNetworks} (a list of CIDR networks),
 * {@code maxResponse} (the most an answer's body may hold, default {@code 4MiB}).
 * The environment variable {@code STEWARD_ALLOWED_NETWORKS} (comma-separated networks)
 * restricts every http system of the deployment. Entity settings: {@code path}, containing
 * {@code {key}}; {@code list} (see {@link ListSettings}); {@code versionField}.
 *
 * <p>Stateless (its resolver and environment are fixed) and thread-safe; found through
 * {@link java.util.ServiceLoader}.
 */
public final class HttpConnectorFactory implements ConnectorFactory {

    private final HostResolver resolver;
    private final Function<String, String> environment;

    /** The factory {@link java.util.ServiceLoader} makes: DNS, and the process's environment. */
    public HttpConnectorFactory() {
        this(HostResolver.system(), System::getenv);
    }

    /** For tests: a resolver that answers without DNS, and an environment of their own. */
    HttpConnectorFactory(HostResolver resolver, Function<String, String> environment) {
        this.resolver = resolver;
        this.environment = environment;
    }

    @Override
    public String type() {
        return "http";
    }

    @Override
    public List<ConfigProblem> validate(SystemConfig config) {
        List<ConfigProblem> problems = new ArrayList<>();
        HttpSettings.read(config, environment.apply(NetworkPolicy.ENV), problems);
        return List.copyOf(problems);
    }

    /** An entity lists when it has a {@code list} block ({@link ListSettings}). */
    @Override
    public boolean lists(SystemConfig config, String entity) {
        return config.entity(entity).map(e -> e.settings().get("list") instanceof java.util.Map<?, ?>).orElse(false);
    }

    @Override
    public Connector create(SystemConfig config, ConnectorContext context) {
        List<ConfigProblem> problems = new ArrayList<>();
        HttpSettings settings = HttpSettings.read(config, environment.apply(NetworkPolicy.ENV), problems);
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("system " + config.name() + " is not valid: "
                    + problems.getFirst().path() + ": " + problems.getFirst().message());
        }
        return new HttpConnector(config.name(), settings, context, resolver);
    }
}
