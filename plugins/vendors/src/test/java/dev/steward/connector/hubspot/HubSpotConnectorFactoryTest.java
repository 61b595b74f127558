package dev.steward.connector.hubspot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.steward.plugin.ConfigProblem;
import dev.steward.plugin.EntityConfig;
import dev.steward.plugin.SystemConfig;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HubSpotConnectorFactoryTest {

    private static List<String> paths(Map<String, Object> settings, Map<String, Object> entitySettings) {
        SystemConfig config = new SystemConfig("hubspot", "hubspot", settings, Map.of("customer",
                new EntityConfig("customer", entitySettings, Map.of("email", "email", "limit", "credit limit"))));
        return new HubSpotConnectorFactory().validate(config).stream().map(ConfigProblem::path).sorted().toList();
    }

    @Test
    void aTokenAndTheMappingAreAllAUserWrites() {
        assertEquals(List.of(), paths(Map.of("auth", Map.of("token", "t")), Map.of())
                .stream().filter(p -> !p.startsWith("entities.customer.fields")).toList());
        assertTrue(new HubSpotConnectorFactory().lists(new SystemConfig("h", "hubspot", Map.of(),
                Map.of("customer", new EntityConfig("customer", Map.of(), Map.of()))), "customer"));
    }

    @Test
    void everyWrongSettingIsNamed() {
        assertEquals(List.of("auth", "colour", "entities.customer.fields.limit", "entities.customer.idProperty",
                        "entities.customer.object", "entities.customer.types.email", "entities.customer.unknown", "timeZone"),
                paths(Map.of("colour", "red", "timeZone", "Mars/Olympus"),
                        Map.of("object", "con tacts", "idProperty", "e-mail", "types", Map.of("email", "date"), "unknown", 1)));
        assertEquals(List.of("auth.oauth", "entities.customer.fields.limit"),
                paths(Map.of("auth", Map.of("oauth", Map.of("clientId", "c"))), Map.of()));
        assertEquals(List.of("baseUrl", "entities.customer.fields.limit"),
                paths(Map.of("auth", Map.of("token", "t"), "baseUrl", "ftp://x"), Map.of()));
    }
}
