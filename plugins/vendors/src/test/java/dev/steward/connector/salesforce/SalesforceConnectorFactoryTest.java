package dev.steward.connector.salesforce;

import dev.steward.plugin.ConfigProblem;
import dev.steward.plugin.ConnectorFactory;
import dev.steward.plugin.EntityConfig;
import dev.steward.plugin.SystemConfig;
import dev.steward.plugin.WebhookFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;
import java.util.ServiceLoader;

import static org.assertj.core.api.Assertions.assertThat;

/** The settings of connector: salesforce, each problem at its path. */
class SalesforceConnectorFactoryTest {

    private static final EntityConfig CUSTOMER = new EntityConfig("customer",
            Map.of("sobject", "Account", "externalId", "Customer_Number__c"), Map.of("name", "Name"));
    private final SalesforceConnectorFactory factory = new SalesforceConnectorFactory();

    @TempDir
    Path workspace;

    @Test
    void aCompleteSystemHasNoProblemsAndLists() {
        SystemConfig config = config(Map.of("myDomain", "https://acme.my.salesforce.com",
                "auth", Map.of("clientId", "id", "clientSecret", "secret")), CUSTOMER);
        assertThat(factory.validate(config, workspace)).isEmpty();
        assertThat(factory.lists(config, "customer")).isTrue();
        assertThat(factory.lists(config, "order")).isFalse();
    }

    @Test
    void eachProblemNamesItsSetting() {
        SystemConfig config = config(Map.of("apiVersion", "62", "colour", "blue", "limitWarnAt", 3,
                        "auth", Map.of("clientId", "id")),
                new EntityConfig("customer", Map.of("table", "x", "externalId", "Bad-Name"),
                        Map.of("name", "Name", "city", "Billing Address")));

        assertThat(factory.validate(config, workspace)).extracting(ConfigProblem::path).containsExactlyInAnyOrder(
                "myDomain", "apiVersion", "colour", "limitWarnAt", "auth.clientSecret", "entities.customer.table",
                "entities.customer.sobject", "entities.customer.externalId", "entities.customer.fields.city");
    }

    @Test
    void theJwtBearerFlowNeedsAReadableKey() {
        SystemConfig noKey = config(Map.of("myDomain", "https://acme.my.salesforce.com", "auth",
                Map.of("flow", "jwtBearer", "clientId", "id", "username", "u@x")), CUSTOMER);
        SystemConfig badKey = config(Map.of("myDomain", "https://acme.my.salesforce.com", "auth",
                Map.of("flow", "jwtBearer", "clientId", "id", "username", "u@x", "privateKey", "not a key")), CUSTOMER);
        SystemConfig missingFile = config(Map.of("myDomain", "https://acme.my.salesforce.com", "auth",
                Map.of("flow", "jwtBearer", "clientId", "id", "username", "u@x", "privateKeyFile", "k.pem")), CUSTOMER);

        assertThat(factory.validate(noKey, workspace)).extracting(ConfigProblem::path).containsExactly("auth.privateKey");
        assertThat(factory.validate(badKey, workspace)).singleElement()
                .satisfies(p -> assertThat(p.message()).contains("BEGIN PRIVATE KEY"));
        assertThat(factory.validate(missingFile, workspace)).extracting(ConfigProblem::path)
                .containsExactly("auth.privateKeyFile");
    }

    @Test
    void theConnectorAndBothFormatsAreFoundByServiceLoader() {
        assertThat(ServiceLoader.load(ConnectorFactory.class).stream().map(p -> p.get().type()))
                .contains("salesforce");
        assertThat(ServiceLoader.load(WebhookFormat.class).stream().map(p -> p.get().name()))
                .contains("salesforce-outbound", "salesforce-cdc");
    }

    private static SystemConfig config(Map<String, Object> settings, EntityConfig entity) {
        return new SystemConfig("crm", "salesforce", settings, Map.of(entity.name(), entity));
    }

}
