package dev.steward.connector.jdbc;

import dev.steward.plugin.ConnectorContext;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;

/** A real context for tests: a workspace folder, the system clock, no secrets. */
record TestContext(Path workspace) implements ConnectorContext {

    @Override
    public System.Logger logger() {
        return System.getLogger("test");
    }

    @Override
    public Clock clock() {
        return Clock.systemUTC();
    }

    @Override
    public HttpClient httpClient() {
        throw new UnsupportedOperationException("the jdbc connector makes no HTTP calls");
    }

    @Override
    public Optional<String> secret(String name) {
        return Optional.empty();
    }
}
