package dev.steward.connector.dynamics;

import dev.steward.plugin.ConnectorContext;
import dev.steward.plugin.EntityConfig;
import dev.steward.plugin.SystemConfig;
import dev.steward.testing.vendors.dynamics.DataverseFake;

import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** A dynamics system's configuration against a fake, and a real context for the connector. */
final class Dynamics {

    static final EntityConfig CUSTOMER = new EntityConfig("customer",
            Map.of("entitySet", "accounts", "key", "accountnumber"),
            linked("id", "accountnumber", "name", "name", "creditLimit", "creditlimit", "email", "emailaddress1"));

    private Dynamics() {
    }

    static SystemConfig system(DataverseFake fake, Map<String, Object> extra, EntityConfig... entities) {
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("environmentUrl", fake.environmentUrl());
        settings.put("authority", fake.authority());
        settings.put("tenantId", DataverseFake.TENANT);
        settings.put("clientId", DataverseFake.CLIENT_ID);
        settings.put("clientSecret", DataverseFake.CLIENT_SECRET);
        settings.putAll(extra);
        Map<String, EntityConfig> byName = new LinkedHashMap<>();
        for (EntityConfig entity : entities.length == 0 ? new EntityConfig[] {CUSTOMER} : entities) {
            byName.put(entity.name(), entity);
        }
        return new SystemConfig("crm", "dynamics", settings, byName);
    }

    static Map<String, String> linked(String... pairs) {
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            map.put(pairs[i], pairs[i + 1]);
        }
        return map;
    }

    /** A real context: a real HTTP client, the system clock, no secrets. */
    record Context(Clock clock) implements ConnectorContext {

        @Override
        public System.Logger logger() {
            return System.getLogger("test");
        }

        @Override
        public HttpClient httpClient() {
            return HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
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
}
