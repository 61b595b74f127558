package dev.steward.plugin;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Secrets a connector learns while it runs and must keep across restarts and hosts: a rotated
 * OAuth refresh token (QuickBooks, HubSpot). Steward keeps them in its store, encrypted with a
 * key from the environment, per system; never logged, never shown through the API.
 *
 * <p>Thread-safe. Names are the connector's own ({@code refreshToken}).
 */
public interface SecretStore {

    /** The value last put under this name for this system, if any. */
    Optional<String> get(String name);

    /**
     * Keeps a value under this name, replacing the last one, durably (committed when this
     * returns).
     */
    void put(String name, String value);

    /**
     * Replaces {@code expected} with {@code value} only if the stored value is still
     * {@code expected} (empty: none stored); whether it did. Several hosts refreshing one token
     * at once use it so that only one rotation wins.
     */
    boolean replace(String name, Optional<String> expected, String value);

    /** A store in memory only, for tests and tools that run without a store. */
    static SecretStore inMemory() {
        Map<String, String> values = new ConcurrentHashMap<>();
        return new SecretStore() {
            @Override
            public Optional<String> get(String name) {
                return Optional.ofNullable(values.get(name));
            }

            @Override
            public void put(String name, String value) {
                values.put(name, value);
            }

            @Override
            public synchronized boolean replace(String name, Optional<String> expected, String value) {
                if (!java.util.Objects.equals(values.get(name), expected.orElse(null))) {
                    return false;
                }
                values.put(name, value);
                return true;
            }
        };
    }
}
