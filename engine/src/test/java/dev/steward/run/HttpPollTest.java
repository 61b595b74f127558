package dev.steward.run;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.steward.Engine;
import dev.steward.load.WorkspaceLoader;
import dev.steward.model.Workspace;
import dev.steward.rules.RuleSetCompiler;
import dev.steward.store.StoredEvent;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static dev.steward.run.PolledWorkspace.await;
import static org.assertj.core.api.Assertions.assertThat;

/** A shop's HTTP API that lists its products a page at a time, polled on its {@code updated} field. */
class HttpPollTest {

    @TempDir
    Path home;

    private final WireMockServer shop = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());

    @AfterEach
    void stop() {
        shop.stop();
    }

    private void products(String page1, String page2) {
        shop.stubFor(get(urlPathEqualTo("/products")).withQueryParam("page", com.github.tomakehurst.wiremock.client.WireMock.equalTo("1"))
                .willReturn(aResponse().withHeader("Content-Type", "application/json").withBody("{\"results\":[" + page1 + "]}")));
        shop.stubFor(get(urlPathEqualTo("/products")).withQueryParam("page", com.github.tomakehurst.wiremock.client.WireMock.equalTo("2"))
                .willReturn(aResponse().withHeader("Content-Type", "application/json").withBody("{\"results\":[" + page2 + "]}")));
    }

    @Test
    void everyChangedProductOnEveryPageIsOneEvent() throws Exception {
        shop.start();
        Files.createDirectories(home.resolve("flows"));
        Files.createDirectories(home.resolve("rules"));
        Files.writeString(home.resolve("steward.yaml"), """
                systems:
                  shop:
                    connector: http
                    baseUrl: http://127.0.0.1:%d
                    entities:
                      product:
                        path: "/products/{key}"
                        list: { path: /products, items: results, key: sku, page: page, size: per_page }
                        fields: { inventoryQty: stock, updated: updated }
                  crm:
                    connector: jdbc
                    url: jdbc:h2:%s
                    user: sa
                    init: crm.sql
                    entities:
                      product: { table: products, key: sku, fields: { inventoryQty: qty } }
                """.formatted(shop.port(), home.resolve("data/crm").toAbsolutePath()));
        Files.writeString(home.resolve("crm.sql"), "CREATE TABLE IF NOT EXISTS products (sku VARCHAR(20) PRIMARY KEY, qty INT);\n");
        Files.writeString(home.resolve("rules/mastership.yaml"),
                "- { entity: product, fields: [inventoryQty], master: shop, subscribers: [crm], reason: The shop counts stock. }\n");
        Files.writeString(home.resolve("flows/shop-product.yaml"), """
                id: shop-product
                trigger: { poll: { every: 1s, since: updated } }
                source: shop
                entity: product
                key: sku
                fields: { inventoryQty: stock }
                steps:
                  - rules: [mastership.yaml]
                  - sync: { to: [crm] }
                """);
        // 200 products a page (the poll's page size): two pages
        StringBuilder first = new StringBuilder();
        for (int i = 0; i < 200; i++) {
            first.append(i == 0 ? "" : ",").append("{\"sku\":\"P%03d\",\"stock\":%d,\"updated\":\"2026-03-01T10:00:00Z\"}".formatted(i, i));
        }
        products(first.toString(), "{\"sku\":\"Z1\",\"stock\":5,\"updated\":\"2026-03-01T10:00:00Z\"}");
        RuleSetCompiler compiler = new RuleSetCompiler();
        var factories = Connectors.discover(getClass().getClassLoader());
        Workspace workspace = new WorkspaceLoader(factories, compiler, name -> null).load(home);
        assertThat(workspace.diagnostics()).filteredOn(d -> d.isError()).isEmpty();
        try (Engine engine = Engine.start(workspace, compiler, factories, new Engine.Options(Clock.systemUTC(),
                new SplittableRandom(1), new SimpleMeterRegistry(), "http-poll", RetryPolicy.DEFAULT, true))) {
            await("201 products", Duration.ofSeconds(30), () -> events(engine).size() == 201);
            products(first.toString(), "{\"sku\":\"Z1\",\"stock\":6,\"updated\":\"2026-03-01T10:05:00Z\"}");
            await("Z1's change", Duration.ofSeconds(20), () -> events(engine).size() == 202);
            await("Z1 synced", Duration.ofSeconds(20), () -> "6".equals(String.valueOf(
                    engine.read("crm", "product", "Z1").nativeFields().get("qty"))));
            int requests = shop.findAll(getRequestedFor(urlPathEqualTo("/products"))).size();
            await("two more polls", Duration.ofSeconds(20),
                    () -> shop.findAll(getRequestedFor(urlPathEqualTo("/products"))).size() >= requests + 4);
            List<StoredEvent> events = events(engine);
            assertThat(events).hasSize(202);
            assertThat(events).extracting(StoredEvent::deliveryId).contains("poll:Z1@2026-03-01T10:00:00Z",
                    "poll:Z1@2026-03-01T10:05:00Z", "poll:P000@2026-03-01T10:00:00Z");
            assertThat(engine.store().triggers().getFirst().position()).contains("2026-03-01T10:05:00Z");
        }
    }

    private static List<StoredEvent> events(Engine engine) {
        return engine.store().recent(10_000, Optional.of("shop-product"), Optional.empty());
    }
}
