package dev.steward.connector.quickbooks;

import dev.steward.plugin.ConfigProblem;
import dev.steward.plugin.ConnectorFactory;
import dev.steward.plugin.EntityConfig;
import dev.steward.plugin.SystemConfig;
import dev.steward.plugin.WebhookFormat;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code connector: quickbooks} settings: each problem names its setting. */
class QuickBooksConnectorFactoryTest {

    private final QuickBooksConnectorFactory factory = new QuickBooksConnectorFactory();

    private static SystemConfig config(Map<String, Object> settings, Map<String, EntityConfig> entities) {
        return new SystemConfig("qbo", "quickbooks", settings, entities);
    }

    private static Map<String, Object> good() {
        return new LinkedHashMap<>(Map.of("realmId", "9130357766251234", "clientId", "id", "clientSecret", "secret",
                "refreshToken", "RT"));
    }

    private static final Map<String, EntityConfig> CUSTOMER = Map.of("customer",
            new EntityConfig("customer", Map.of(), Map.of("email", "PrimaryEmailAddr.Address")));

    private List<String> paths(SystemConfig config) {
        return factory.validate(config).stream().map(ConfigProblem::path).toList();
    }

    @Test
    void aGoodSystemHasNoProblemAndListsItsEntities() {
        assertEquals(List.of(), factory.validate(config(good(), CUSTOMER)));
        assertTrue(factory.lists(config(good(), CUSTOMER), "customer"));
    }

    @Test
    void missingCredentialsAreNamed() {
        assertEquals(List.of("realmId", "clientId", "clientSecret", "refreshToken"), paths(config(Map.of(), CUSTOMER)));
    }

    @Test
    void badValuesAreNamed() {
        Map<String, Object> settings = good();
        settings.putAll(Map.of("realmId", "acme", "environment", "staging", "minorVersion", "latest",
                "throttleWait", "soon", "tokenUrl", "ftp://x"));
        assertEquals(List.of("realmId", "environment", "tokenUrl", "minorVersion", "throttleWait"),
                paths(config(settings, CUSTOMER)));
    }

    @Test
    void entitiesAreChecked() {
        Map<String, EntityConfig> entities = new LinkedHashMap<>();
        entities.put("deal", new EntityConfig("deal", Map.of(), Map.of("amount", "TotalAmt")));
        entities.put("customer", new EntityConfig("customer", Map.of("key", "SyncToken", "defaults", "x"),
                Map.of("version", "SyncToken", "bad", "Primary Email")));
        List<String> paths = paths(config(good(), entities));
        assertTrue(paths.containsAll(List.of("entities.deal.object", "entities.customer.key",
                "entities.customer.fields.version", "entities.customer.fields.bad", "entities.customer.defaults")), paths.toString());
    }

    @Test
    void theConnectorAndTheFormatAreFoundByServiceLoader() {
        assertTrue(ServiceLoader.load(ConnectorFactory.class).stream().anyMatch(p -> p.get().type().equals("quickbooks")));
        assertTrue(ServiceLoader.load(WebhookFormat.class).stream().anyMatch(p -> p.get().name().equals("quickbooks")));
    }
}
