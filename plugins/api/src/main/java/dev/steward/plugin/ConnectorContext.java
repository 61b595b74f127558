package dev.steward.plugin;

import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;

/**
 * A connector's only way out to the rest of the process. Given once to
 * {@link ConnectorFactory#create}; thread-safe, valid until the connector is closed.
 */
public interface ConnectorContext {

    /** A logger named after the system; never log secrets through it. */
    System.Logger logger();

    /** The clock to read time from (tests inject a fixed one). */
    Clock clock();

    /** A shared HTTP client (HTTP/1.1, connect timeout set, redirects not followed). */
    HttpClient httpClient();

    /** A secret by name (from the environment), for connectors that look secrets up late. */
    Optional<String> secret(String name);

    /** The workspace folder: relative file paths in a system's settings are resolved against it. */
    Path workspace();

    /**
     * Secrets this system's connector keeps across restarts and hosts (a rotated refresh
     * token), encrypted in Steward's store. The default keeps them in memory only, for
     * contexts without a store. Call it once, when the connector is made, and keep it.
     */
    default SecretStore secrets() {
        return SecretStore.inMemory();
    }
}
