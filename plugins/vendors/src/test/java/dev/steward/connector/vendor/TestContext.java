package dev.steward.connector.vendor;

import dev.steward.plugin.ConnectorContext;
import dev.steward.plugin.SecretStore;

import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.ResourceBundle;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A real context for the vendor connectors' tests: a given clock, workspace and secret store, no
 * secrets from the environment, and every log line kept as {@code "LEVEL message"} for a test to
 * look at. A null {@code secrets} means the interface's default.
 */
public record TestContext(Clock clock, Path workspace, SecretStore secrets, List<String> logged)
        implements ConnectorContext {

    /** The given clock, the current folder, the default secret store. */
    public static TestContext of(Clock clock) {
        return new TestContext(clock, Path.of("."), null, new CopyOnWriteArrayList<>());
    }

    /** The given clock and secret store, the current folder. */
    public static TestContext of(Clock clock, SecretStore secrets) {
        return new TestContext(clock, Path.of("."), secrets, new CopyOnWriteArrayList<>());
    }

    /** The given clock and workspace, the default secret store. */
    public static TestContext of(Clock clock, Path workspace) {
        return new TestContext(clock, workspace, null, new CopyOnWriteArrayList<>());
    }

    /** The messages logged at WARNING. */
    public List<String> warnings() {
        return logged.stream().filter(line -> line.startsWith("WARNING ")).map(line -> line.substring(8)).toList();
    }

    @Override
    public SecretStore secrets() {
        return secrets == null ? ConnectorContext.super.secrets() : secrets;
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
                logged.add(level + " " + msg);
            }

            @Override
            public void log(Level level, ResourceBundle bundle, String format, Object... params) {
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
}
