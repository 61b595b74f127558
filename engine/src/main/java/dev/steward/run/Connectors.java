package dev.steward.run;

import dev.steward.plugin.Connector;
import dev.steward.plugin.ConnectorContext;
import dev.steward.plugin.ConnectorFactory;
import dev.steward.plugin.SecretStore;
import dev.steward.plugin.SystemConfig;

import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.TreeMap;

/** The open connectors of an active workspace, one per system. Closing it closes them all. */
public final class Connectors implements AutoCloseable {

    private final Map<String, Connector> bySystem;

    private Connectors(Map<String, Connector> bySystem) {
        this.bySystem = bySystem;
    }

    /** The connector factories on the class path, by type. */
    public static Map<String, ConnectorFactory> discover(ClassLoader loader) {
        Map<String, ConnectorFactory> factories = new TreeMap<>();
        for (ConnectorFactory factory : ServiceLoader.load(ConnectorFactory.class, loader)) {
            factories.putIfAbsent(factory.type(), factory);
        }
        return factories;
    }

    /** Connectors whose secrets ({@link ConnectorContext#secrets()}) are kept in memory only. */
    public static Connectors open(Map<String, SystemConfig> systems, Map<String, ConnectorFactory> factories,
                                  Path home, Clock clock) {
        return open(systems, factories, home, clock, system -> SecretStore.inMemory());
    }

    /** @param secrets each system's secret store, by system name (the store's, encrypted) */
    public static Connectors open(Map<String, SystemConfig> systems, Map<String, ConnectorFactory> factories,
                                  Path home, Clock clock, java.util.function.Function<String, SecretStore> secrets) {
        SharedHttpClient http = new SharedHttpClient();
        Map<String, Connector> open = new LinkedHashMap<>();
        try {
            for (SystemConfig system : systems.values()) {
                ConnectorFactory factory = factories.get(system.type());
                open.put(system.name(), factory.create(system, new Context(system.name(), clock, http, home,
                        secrets.apply(system.name()), System.getLogger("steward.system." + system.name()))));
            }
        } catch (RuntimeException e) {
            open.values().forEach(Connector::close);
            throw e;
        }
        return new Connectors(Map.copyOf(open));
    }

    public Optional<Connector> get(String system) {
        return Optional.ofNullable(bySystem.get(system));
    }

    /** The systems whose connector says they cannot be reached now, with why; asks without connecting. */
    public Map<String, String> unreachable() {
        Map<String, String> out = new TreeMap<>();
        bySystem.forEach((system, connector) -> {
            try {
                connector.unreachable().ifPresent(why -> out.put(system, why));
            } catch (RuntimeException e) {
                out.put(system, "its connector cannot tell: " + e.getMessage());
            }
        });
        return out;
    }

    @Override
    public void close() {
        bySystem.values().forEach(connector -> {
            try {
                connector.close();
            } catch (RuntimeException e) {
                System.getLogger("dev.steward.run.Connectors").log(System.Logger.Level.WARNING,
                        "closing a connector failed", e);
            }
        });
    }

    /**
     * The JDK HTTP client the connectors' contexts share, made when a connector first asks for it:
     * making one sets up TLS (the default {@code SSLContext}, the trust store's certificates), a
     * few hundred milliseconds of a start, and no connector of this repository uses it (bench/startup.md, Round 5).
     */
    private static final class SharedHttpClient {
        private HttpClient client;

        synchronized HttpClient get() {
            if (client == null) {
                client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
                        .followRedirects(HttpClient.Redirect.NEVER).version(HttpClient.Version.HTTP_1_1).build();
            }
            return client;
        }
    }

    /** @param logger made once: a connector asks for it on every call (the http one for each write's DEBUG line) */
    private record Context(String system, Clock clock, SharedHttpClient http, Path workspace, SecretStore secrets,
                           System.Logger logger) implements ConnectorContext {

        @Override
        public HttpClient httpClient() {
            return http.get();
        }

        @Override
        public String toString() {
            return "ConnectorContext[" + system + "]";
        }

        @Override
        public Optional<String> secret(String name) {
            return Optional.ofNullable(System.getenv(name));
        }
    }
}
