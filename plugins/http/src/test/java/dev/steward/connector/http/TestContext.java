package dev.steward.connector.http;

import dev.steward.plugin.ConnectorContext;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

/** A real context for tests: a real HTTP client, a given clock, no secrets. */
record TestContext(Clock clock, HttpClient httpClient, Path workspace) implements ConnectorContext {

    static TestContext at(Clock clock) {
        HttpClient client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
        return new TestContext(clock, client, Path.of("."));
    }

    @Override
    public System.Logger logger() {
        return System.getLogger("test");
    }

    @Override
    public Optional<String> secret(String name) {
        return Optional.empty();
    }
}
