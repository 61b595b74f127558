package dev.steward.connector.dynamics;

import dev.steward.plugin.ConfigProblem;
import dev.steward.plugin.ConnectorFactory;
import dev.steward.plugin.EntityConfig;
import dev.steward.plugin.SystemConfig;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The settings of {@code connector: dynamics}: each wrong one is named by its path. */
class DynamicsConnectorFactoryTest {

    private final DynamicsConnectorFactory factory = new DynamicsConnectorFactory();

    private static Map<String, Object> valid() {
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("environmentUrl", "https://contoso.crm.dynamics.com/");
        settings.put("tenantId", "0d1a6f42-5b7e-4c2d-9e1f-3a2b4c5d6e7f");
        settings.put("clientId", "51f81489-12ee-4a9e-aaae-a2591f45987d");
        settings.put("clientSecret", "secret");
        return settings;
    }

    private List<String> problems(Map<String, Object> settings, EntityConfig... entities) {
        Map<String, EntityConfig> byName = new LinkedHashMap<>();
        for (EntityConfig entity : entities.length == 0 ? new EntityConfig[] {Dynamics.CUSTOMER} : entities) {
            byName.put(entity.name(), entity);
        }
        return factory.validate(new SystemConfig("crm", "dynamics", settings, byName)).stream()
                .map(ConfigProblem::path).toList();
    }

    @Test
    void aCompleteSystemIsValidAndDefaultsToMicrosoftsEndpoints() {
        assertEquals(List.of(), problems(valid()));
        List<ConfigProblem> problems = new java.util.ArrayList<>();
        DynamicsSettings settings = DynamicsSettings.read(new SystemConfig("crm", "dynamics", valid(),
                Map.of("customer", Dynamics.CUSTOMER)), problems);
        assertEquals("https://contoso.crm.dynamics.com/api/data/v9.2/", settings.apiBase().toString());
        assertEquals("https://login.microsoftonline.com/0d1a6f42-5b7e-4c2d-9e1f-3a2b4c5d6e7f/oauth2/v2.0/token",
                settings.tokenUrl().toString());
        assertEquals("https://contoso.crm.dynamics.com/.default", settings.scope());
        assertEquals("accountid", settings.entities().get("customer").idAttribute());
        assertTrue(!settings.toString().contains("secret"), "the secret is never shown");
    }

    @Test
    void eachMissingCredentialIsNamed() {
        for (String setting : List.of("environmentUrl", "tenantId", "clientId", "clientSecret")) {
            Map<String, Object> settings = valid();
            settings.remove(setting);
            assertEquals(List.of(setting), problems(settings), setting);
        }
    }

    @Test
    void wrongValuesAreNamed() {
        Map<String, Object> settings = valid();
        settings.put("environmentUrl", "contoso.crm.dynamics.com");
        settings.put("pageSize", 6000);
        settings.put("apiVersion", "9.2");
        assertEquals(List.of("environmentUrl", "apiVersion", "pageSize"), problems(settings));
    }

    @Test
    void entitiesAreChecked() {
        EntityConfig noSet = new EntityConfig("customer", Map.of("key", "accountnumber"), Map.of("id", "accountnumber"));
        assertEquals(List.of("entities.customer.entitySet"), problems(valid(), noSet));
        EntityConfig badField = new EntityConfig("customer", Map.of("entitySet", "accounts"),
                Map.of("name", "properties.name"));
        assertEquals(List.of("entities.customer.fields.name"), problems(valid(), badField));
        EntityConfig badWrite = new EntityConfig("customer", Map.of("entitySet", "accounts", "write", "insert",
                "path", "/x"), Map.of());
        assertEquals(List.of("entities.customer.write", "entities.customer.path"), problems(valid(), badWrite));
        EntityConfig createWithoutKey = new EntityConfig("customer", Map.of("entitySet", "accounts",
                "write", "createOnly"), Map.of());
        assertEquals(List.of("entities.customer.write"), problems(valid(), createWithoutKey));
    }

    @Test
    void aTokenUrlOverridesTheAuthorityAndTenant() {
        Map<String, Object> settings = valid();
        settings.remove("tenantId");
        settings.put("tokenUrl", "http://127.0.0.1:9/t/oauth2/v2.0/token");
        assertEquals(List.of(), problems(settings));
    }

    @Test
    void theFactoryAndTheFormatAreFoundByServiceLoader() {
        assertTrue(ServiceLoader.load(ConnectorFactory.class).stream()
                .anyMatch(p -> p.get().type().equals("dynamics")));
        assertTrue(ServiceLoader.load(dev.steward.plugin.WebhookFormat.class).stream()
                .anyMatch(p -> p.get().name().equals("dynamics")));
        assertTrue(factory.lists(new SystemConfig("crm", "dynamics", valid(), Map.of("customer", Dynamics.CUSTOMER)),
                "customer"));
    }
}
