package dev.steward.connector.salesforce;

import dev.steward.plugin.ConnectorContext;

import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.ResourceBundle;
import java.util.concurrent.CopyOnWriteArrayList;

/** A real context for tests: the system clock, a logger that keeps what it was told. */
final class TestContext implements ConnectorContext {

    final List<String> warnings = new CopyOnWriteArrayList<>();
    private final Path workspace;

    TestContext(Path workspace) {
        this.workspace = workspace;
    }

    @Override
    public System.Logger logger() {
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
            public void log(Level level, ResourceBundle bundle, String msg, Throwable thrown) {
                if (level == Level.WARNING) {
                    warnings.add(msg);
                }
            }

            @Override
            public void log(Level level, ResourceBundle bundle, String format, Object... params) {
                if (level == Level.WARNING) {
                    warnings.add(format);
                }
            }
        };
    }

    @Override
    public Clock clock() {
        return Clock.systemUTC();
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
        return workspace;
    }
}
