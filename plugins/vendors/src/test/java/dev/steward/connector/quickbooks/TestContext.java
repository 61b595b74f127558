package dev.steward.connector.quickbooks;

import dev.steward.plugin.ConnectorContext;
import dev.steward.plugin.SecretStore;

import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/** A real context for tests: a given clock and secret store, and the log lines kept to look at. */
record TestContext(Clock clock, SecretStore secrets, List<String> logged) implements ConnectorContext {

    static TestContext with(SecretStore secrets) {
        return new TestContext(Clock.systemUTC(), secrets, new CopyOnWriteArrayList<>());
    }

    @Override
    public System.Logger logger() {
        System.Logger real = System.getLogger("test");
        return new System.Logger() {
            @Override
            public String getName() {
                return "test";
            }

            @Override
            public boolean isLoggable(Level level) {
                return true;
            }

            @Override
            public void log(Level level, java.util.ResourceBundle bundle, String msg, Throwable thrown) {
                logged.add(level + " " + msg);
            }

            @Override
            public void log(Level level, java.util.ResourceBundle bundle, String format, Object... params) {
                logged.add(level + " " + format);
            }
        };
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
