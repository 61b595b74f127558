package dev.steward.connector.netsuite;

import dev.steward.plugin.ConnectorContext;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;

/** A real context for tests: a given clock and workspace, no secrets from the environment. */
record TestContext(Clock clock, Path workspace) implements ConnectorContext {

    @Override
    public System.Logger logger() {
        return System.getLogger("test.netsuite");
    }

    @Override
    public HttpClient httpClient() {
        return HttpClient.newHttpClient();
    }

    @Override
    public Optional<String> secret(String name) {
        return Optional.empty();
    }
}
