package dev.steward.connector.http;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.patch;
import static com.github.tomakehurst.wiremock.client.WireMock.patchRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import dev.steward.plugin.ActionNotSupportedException;
import dev.steward.plugin.ConfigProblem;
import dev.steward.plugin.Connector;
import dev.steward.plugin.EntityConfig;
import dev.steward.plugin.Page;
import dev.steward.plugin.RecordWrite;
import dev.steward.plugin.SystemConfig;
import dev.steward.plugin.SystemRecord;
import dev.steward.plugin.VersionConflictException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class ListAndVersionTest {

    @RegisterExtension
    static WireMockExtension server = WireMockExtension.newInstance()
            .options(wireMockConfig().dynamicPort().bindAddress("127.0.0.1"))
            .build();

    private Connector connector;

    @AfterEach
    void close() {
        if (connector != null) {
            connector.close();
        }
    }

    @Test
    void cursorStyleFollowsTheNextCursorUntilThereIsNone() {
        server.stubFor(get("/customers?limit=2").willReturn(okJson("""
                {"results": [{"id": "C-1", "email": "a@x.example"}, {"id": "C-2", "properties": {"credit_limit": 10}}],
                 "paging": {"next": {"after": "c2"}}}""")));
        server.stubFor(get("/customers?after=c2&limit=2").willReturn(okJson("""
                {"results": [{"id": 3, "email": "c@x.example"}]}""")));
        connector = connect(Map.of("path", "/customers", "items", "results", "size", "limit",
                "cursor", Map.of("param", "after", "next", "paging.next.after")));

        Page first = connector.list(entity(), Optional.empty(), 2);
        Page second = connector.list(entity(), first.next(), 2);

        assertThat(first.records()).extracting(SystemRecord::key).containsExactly("C-1", "C-2");
        assertThat(first.records().get(0).fields()).containsEntry("email", "a@x.example");
        assertThat(first.records().get(1).fields()).containsEntry("properties.credit_limit", 10);
        assertThat(first.next()).contains("c2");
        assertThat(second.records()).extracting(SystemRecord::key).containsExactly("3");
        assertThat(second.next()).isEmpty();
    }

    @Test
    void pageStyleCountsPagesUntilAShortOne() {
        server.stubFor(get("/customers?page=1&per_page=2").willReturn(okJson("[{\"id\":\"a\"},{\"id\":\"b\"}]")));
        server.stubFor(get("/customers?page=2&per_page=2").willReturn(okJson("[{\"id\":\"c\"}]")));
        connector = connect(Map.of("path", "/customers", "page", "page", "size", "per_page"));

        List<String> keys = new ArrayList<>();
        Optional<String> cursor = Optional.empty();
        int pages = 0;
        do {
            Page page = connector.list(entity(), cursor, 2);
            page.records().forEach(r -> keys.add(r.key()));
            cursor = page.next();
            pages++;
        } while (cursor.isPresent() && pages < 5);

        assertThat(keys).containsExactly("a", "b", "c");
        assertThat(pages).isEqualTo(2);
    }

    @Test
    void anEntityWithoutAListBlockCannotList() {
        connector = connect(null);

        assertThatThrownBy(() -> connector.list(entity(), Optional.empty(), 10))
                .isInstanceOf(ActionNotSupportedException.class)
                .hasMessage("erp cannot list customer records: give the entity a list block in steward.yaml");
    }

    @Test
    void listSettingsAreChecked() {
        Map<String, Object> entitySettings = new HashMap<>(Map.of("path", "/customers/{key}"));
        entitySettings.put("list", Map.of("path", "customers", "page", "page"));
        SystemConfig config = new SystemConfig("erp", "http", Map.of("baseUrl", "http://127.0.0.1:1"),
                Map.of("customer", new EntityConfig("customer", entitySettings, Map.of("email", "email"))));

        assertThat(new HttpConnectorFactory().validate(config)).extracting(ConfigProblem::path)
                .containsExactly("entities.customer.list.path", "entities.customer.list.size");
    }

    @Test
    void theETagIsTheVersionAndGoesBackAsIfMatch() {
        server.stubFor(get("/customers/C-1").willReturn(okJson("{\"email\":\"a@x.example\"}")
                .withHeader("ETag", "\"v7\"")));
        server.stubFor(patch("/customers/C-1").willReturn(aResponse().withStatus(204)));
        connector = connect(null);

        SystemRecord record = connector.readRecord(entity(), "C-1").orElseThrow();
        connector.upsert(entity(), RecordWrite.ifVersion("C-1", Map.of("email", "b@x.example"),
                HttpConnectorTest.OPTIONS, record.version().orElseThrow()));
        connector.upsert(entity(), "C-1", Map.of("email", "c@x.example"), HttpConnectorTest.OPTIONS);

        assertThat(record.version()).contains("\"v7\"");
        server.verify(1, patchRequestedFor(urlEqualTo("/customers/C-1")).withHeader("If-Match", equalTo("\"v7\"")));
        server.verify(1, patchRequestedFor(urlEqualTo("/customers/C-1")).withHeader("If-Match", absent()));
    }

    @Test
    void preconditionFailedIsAVersionConflict() {
        server.stubFor(patch("/customers/C-1").willReturn(aResponse().withStatus(412)));
        connector = connect(null);

        VersionConflictException e = catchThrowableOfType(VersionConflictException.class, () -> connector.upsert(
                entity(), RecordWrite.ifVersion("C-1", Map.of("email", "b@x.example"), HttpConnectorTest.OPTIONS, "\"v7\"")));

        assertThat(e.retryable()).isFalse();
        assertThat(e.key()).isEqualTo("C-1");
        assertThat(e).hasMessage("erp answered 412 to PATCH /customers/C-1: customer C-1 changed since version"
                + " \"v7\" was read");
    }

    @Test
    void aVersionFieldInTheBodyWinsOverTheETag() {
        server.stubFor(get("/customers/C-1").willReturn(okJson("{\"email\":\"a@x.example\",\"meta\":{\"rev\":12}}")
                .withHeader("ETag", "\"v7\"")));
        Map<String, Object> settings = new HashMap<>(Map.of("path", "/customers/{key}", "versionField", "meta.rev"));
        connector = new HttpConnectorFactory().create(new SystemConfig("erp", "http", Map.of("baseUrl", server.baseUrl()),
                Map.of("customer", new EntityConfig("customer", settings, Map.of("email", "email")))),
                TestContext.at(HttpConnectorTest.clock()));

        assertThat(connector.readRecord(entity(), "C-1").orElseThrow().version()).contains("12");
    }

    private static EntityConfig entity() {
        return HttpConnectorTest.CUSTOMER;
    }

    private Connector connect(Map<String, Object> list) {
        Map<String, Object> settings = new HashMap<>(HttpConnectorTest.CUSTOMER.settings());
        if (list != null) {
            settings.put("list", list);
        }
        EntityConfig customer = new EntityConfig("customer", settings, HttpConnectorTest.CUSTOMER.fields());
        return new HttpConnectorFactory().create(new SystemConfig("erp", "http", Map.of("baseUrl", server.baseUrl()),
                Map.of("customer", customer)), TestContext.at(HttpConnectorTest.clock()));
    }
}
