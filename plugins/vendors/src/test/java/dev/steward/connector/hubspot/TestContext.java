package dev.steward.connector.hubspot;

import dev.steward.plugin.ConnectorContext;
import dev.steward.plugin.SecretStore;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;

/** A real context for tests: a given clock and secret store, no environment secrets. */
record TestContext(Clock clock, SecretStore secrets) implements ConnectorContext {

    @Override
    public System.Logger logger() {
        return System.getLogger("test");
    }

    @Override
    public HttpClient httpClient() {
        return HttpClient.newHttpClient();
    }

    @Override
    public Optional<String> secret(String name) {
        return Optional.empty();
    }

    @Override
    public Path workspace() {
        return Path.of(".");
    }
}
