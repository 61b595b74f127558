package dev.steward.connector.sap;

import dev.steward.plugin.ConnectorContext;

import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;

/** A real context for tests: the system clock, a real HTTP client, no secrets. */
record SapTestContext(Clock clock) implements ConnectorContext {

    @Override
    public System.Logger logger() {
        return System.getLogger("sap-test");
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
