package dev.steward.connector.netsuite;

import static org.assertj.core.api.Assertions.assertThat;

import dev.steward.plugin.ConfigProblem;
import dev.steward.plugin.ConnectorFactory;
import dev.steward.plugin.EntityConfig;
import dev.steward.plugin.SystemConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NetSuiteConnectorFactoryTest {

    private static final EntityConfig CUSTOMER = new EntityConfig("customer", Map.of(), Map.of("email", "email"));
    private static final Map<String, Object> TBA = Map.of("tba", Map.of("consumerKey", "ck", "consumerSecret", "cs",
            "tokenId", "ti", "tokenSecret", "ts"));

    private final NetSuiteConnectorFactory factory = new NetSuiteConnectorFactory();

    @Test
    void takesTheMinimalSettingsAndDefaultsToNetSuitesHost() {
        List<ConfigProblem> problems = new java.util.ArrayList<>();
        NetSuiteSettings settings = NetSuiteSettings.read(config(Map.of("accountId", "1234567_SB1", "auth", TBA),
                Map.of("customer", CUSTOMER)), Path.of("."), problems);
        assertThat(problems).isEmpty();
        assertThat(settings.baseUrl()).isEqualTo("https://1234567-sb1.suitetalk.api.netsuite.com");
        assertThat(settings.concurrency()).isEqualTo(5);
        assertThat(settings.records().get("customer")).isEqualTo(new NetSuiteSettings.RecordType("customer", true));
        assertThat(NetSuiteSettings.realm("1234567-sb1")).isEqualTo("1234567_SB1");
        assertThat(factory.lists(config(Map.of(), Map.of("customer", CUSTOMER)), "customer")).isTrue();
    }

    @Test
    void namesEachWrongSetting() {
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("accountId", "12 34");
        settings.put("auth", Map.of("m2m", Map.of("clientId", "c", "privateKey", "not a key", "algorithm", "HS256")));
        settings.put("concurrency", 0);
        settings.put("colour", "blue");
        EntityConfig bad = new EntityConfig("order", Map.of("key", "crmId", "record", "sales order"), Map.of());

        assertThat(factory.validate(config(settings, Map.of("order", bad)), Path.of(".")))
                .extracting(ConfigProblem::path)
                .containsExactlyInAnyOrder("colour", "accountId", "auth.m2m.certificateId", "auth.m2m.algorithm",
                        "auth.m2m.privateKey", "concurrency", "entities.order.record", "entities.order.key",
                        "entities.order.fields");
    }

    @Test
    void readsThePrivateKeyFileFromTheWorkspaceAndExplainsAPkcs1Key(@TempDir Path workspace) throws Exception {
        var pair = ClientAssertionTest.keyPair(ClientAssertion.Algorithm.RS256);
        Files.writeString(workspace.resolve("ns.pem"), "-----BEGIN PRIVATE KEY-----\n"
                + java.util.Base64.getMimeEncoder().encodeToString(pair.getPrivate().getEncoded())
                + "\n-----END PRIVATE KEY-----\n");
        Files.writeString(workspace.resolve("old.pem"), "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n");
        Map<String, Object> good = Map.of("accountId", "1234567", "auth", Map.of("m2m", Map.of("clientId", "c",
                "certificateId", "k", "privateKeyFile", "ns.pem", "algorithm", "RS256")));
        assertThat(factory.validate(config(good, Map.of("customer", CUSTOMER)), workspace)).isEmpty();

        Map<String, Object> old = Map.of("accountId", "1234567", "auth", Map.of("m2m", Map.of("clientId", "c",
                "certificateId", "k", "privateKeyFile", "old.pem")));
        assertThat(factory.validate(config(old, Map.of("customer", CUSTOMER)), workspace))
                .singleElement().satisfies(p -> {
                    assertThat(p.path()).isEqualTo("auth.m2m.privateKeyFile");
                    assertThat(p.message()).contains("openssl pkcs8 -topk8");
                });
    }

    @Test
    void isFoundAsAServiceOfTypeNetsuite() {
        assertThat(ServiceLoader.load(ConnectorFactory.class).stream().map(ServiceLoader.Provider::get)
                .map(ConnectorFactory::type)).contains("netsuite");
    }

    private static SystemConfig config(Map<String, Object> settings, Map<String, EntityConfig> entities) {
        return new SystemConfig("erp", "netsuite", settings, entities);
    }
}
