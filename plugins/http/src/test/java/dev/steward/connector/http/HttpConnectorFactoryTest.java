package dev.steward.connector.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.steward.plugin.ConfigProblem;
import dev.steward.plugin.ConnectorFactory;
import dev.steward.plugin.EntityConfig;
import dev.steward.plugin.SystemConfig;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

class HttpConnectorFactoryTest {

    private final HttpConnectorFactory factory = new HttpConnectorFactory();

    @Test
    void isFoundByServiceLoader() {
        assertThat(ServiceLoader.load(ConnectorFactory.class).stream().map(p -> p.get().type()))
                .contains("http");
    }

    @Test
    void aCompleteSystemIsValid() {
        Map<String, Object> settings = Map.of(
                "baseUrl", "https://crm.example.com/api/",
                "auth", Map.of("bearer", "t0ken"),
                "connectTimeout", "2s",
                "readTimeout", 1500,
                "headers", Map.of("X-Tenant", "acme"));

        assertThat(factory.validate(system(settings, "/customers/{key}"))).isEmpty();
    }

    @Test
    void baseUrlIsRequired() {
        assertThat(factory.validate(system(Map.of(), "/customers/{key}")))
                .extracting(ConfigProblem::path).containsExactly("baseUrl");
    }

    @Test
    void baseUrlMustBeHttp() {
        assertThat(factory.validate(system(Map.of("baseUrl", "ftp://crm.example.com"), "/c/{key}")))
                .containsExactly(new ConfigProblem("baseUrl",
                        "baseUrl must start with http:// or https://, not 'ftp://crm.example.com'"));
    }

    @Test
    void emptyBearerTokenIsNamed() {
        List<ConfigProblem> problems = factory.validate(system(
                Map.of("baseUrl", "http://127.0.0.1:1", "auth", Map.of("bearer", "")), "/c/{key}"));

        assertThat(problems).extracting(ConfigProblem::path).containsExactly("auth.bearer");
        assertThat(problems.getFirst().message()).contains("${env:");
    }

    @Test
    void unknownAuthKindAndIncompleteBasic() {
        assertThat(factory.validate(system(
                Map.of("baseUrl", "http://127.0.0.1:1", "auth", Map.of("oauth", "x")), "/c/{key}")))
                .extracting(ConfigProblem::path).containsExactly("auth.oauth");
        assertThat(factory.validate(system(
                Map.of("baseUrl", "http://127.0.0.1:1", "auth", Map.of("basic", Map.of("user", "u"))), "/c/{key}")))
                .extracting(ConfigProblem::path).containsExactly("auth.basic.password");
    }

    @Test
    void pathMustContainKey() {
        assertThat(factory.validate(system(Map.of("baseUrl", "http://127.0.0.1:1"), "/customers")))
                .containsExactly(new ConfigProblem("entities.customer.path",
                        "path must contain {key} where the record's key goes, like /customers/{key}"));
    }

    @Test
    void pathIsRequired() {
        assertThat(factory.validate(system(Map.of("baseUrl", "http://127.0.0.1:1"), null)))
                .extracting(ConfigProblem::path).containsExactly("entities.customer.path");
    }

    @Test
    void timeoutsMustBeDurations() {
        Map<String, Object> settings = new HashMap<>();
        settings.put("baseUrl", "http://127.0.0.1:1");
        settings.put("connectTimeout", "soon");
        settings.put("readTimeout", 0);

        assertThat(factory.validate(system(settings, "/c/{key}")))
                .extracting(ConfigProblem::path).containsExactly("connectTimeout", "readTimeout");
    }

    @Test
    void headersStewardSetsCannotBeConfigured() {
        assertThat(factory.validate(system(Map.of("baseUrl", "http://127.0.0.1:1",
                "headers", Map.of("Content-Type", "text/plain", "Bad Name", "x")), "/c/{key}")))
                .extracting(ConfigProblem::path)
                .containsExactlyInAnyOrder("headers.Content-Type", "headers.Bad Name");
    }

    @Test
    void aFieldCannotBeBothValueAndParent() {
        EntityConfig entity = new EntityConfig("customer", Map.of("path", "/c/{key}"),
                Map.of("props", "properties", "limit", "properties.limit"));
        SystemConfig config = new SystemConfig("crm", "http", Map.of("baseUrl", "http://127.0.0.1:1"),
                Map.of("customer", entity));

        assertThat(factory.validate(config)).extracting(ConfigProblem::path)
                .containsExactly("entities.customer.fields.props");
    }

    private static SystemConfig system(Map<String, Object> settings, String path) {
        Map<String, Object> entitySettings = path == null ? Map.of() : Map.of("path", path);
        EntityConfig entity = new EntityConfig("customer", entitySettings, Map.of("email", "email"));
        return new SystemConfig("crm", "http", settings, Map.of("customer", entity));
    }
}
