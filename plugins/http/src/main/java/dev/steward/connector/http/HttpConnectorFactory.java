package dev.steward.connector.http;

import dev.steward.plugin.ConfigProblem;
import dev.steward.plugin.Connector;
import dev.steward.plugin.ConnectorContext;
import dev.steward.plugin.ConnectorFactory;
import dev.steward.plugin.SystemConfig;
import java.util.ArrayList;
import java.util.List;

/**
 * Makes {@code http} connectors: a system reached over a JSON HTTP API, one URL per record.
 *
 * <p>System settings: {@code baseUrl} (required), {@code auth} ({@code {bearer: TOKEN}},
 * {@code {basic: {user: U, password: P}}} or {@code {header: {name: N, value: V}}}),
 * {@code connectTimeout} (default 5s), {@code readTimeout} (default 30s), {@code headers}.
 * Entity settings: {@code path}, containing {@code {key}}.
 *
 * <p>Stateless and thread-safe; found through {@link java.util.ServiceLoader}.
 */
public final class HttpConnectorFactory implements ConnectorFactory {

    @Override
    public String type() {
        return "http";
    }

    @Override
    public List<ConfigProblem> validate(SystemConfig config) {
        List<ConfigProblem> problems = new ArrayList<>();
        HttpSettings.read(config, problems);
        return List.copyOf(problems);
    }

    @Override
    public Connector create(SystemConfig config, ConnectorContext context) {
        List<ConfigProblem> problems = new ArrayList<>();
        HttpSettings settings = HttpSettings.read(config, problems);
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("system " + config.name() + " is not valid: "
                    + problems.getFirst().path() + ": " + problems.getFirst().message());
        }
        return new HttpConnector(config.name(), settings, context);
    }
}
