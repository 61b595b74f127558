package dev.steward.host.vendors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.steward.Engine;
import dev.steward.host.HostServer;
import dev.steward.host.access.Access;
import dev.steward.run.AlertSink;
import dev.steward.run.RetryPolicy;
import dev.steward.testing.vendors.dynamics.DataverseFake;
import dev.steward.testing.vendors.dynamics.DataverseWebhooks;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Dynamics 365 preset end to end: a real host, the Dataverse fake (Entra ID tokens, the Web
 * API, webhooks with the key header after every change, Steward's writes included) and an H2
 * ERP. An account changed in Dynamics reaches the ERP (the webhook is thin: the row is read with
 * {@code fetch: true}); the ERP's credit limit reaches Dynamics, and Dataverse's webhook about
 * that write writes nothing (no loop); a burst over the service protection limit ends with no
 * dead letter; an account edited between Steward's read and write is decided again; a wrong key
 * is refused and a redelivered context is stored once.
 */
class DynamicsIT {

    private static final String KEY = "dataverse-webhook-key";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path temp;
    DataverseFake dynamics;
    DataverseWebhooks webhooks;
    Engine engine;
    HostServer server;
    final String adminToken = "it-admin-" + java.util.UUID.randomUUID();
    final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeEach
    void start() throws IOException {
        dynamics = DataverseFake.start();
        Path home = temp.resolve("workspace");
        Files.createDirectories(home.resolve("flows"));
        Files.createDirectories(home.resolve("rules"));
        Files.writeString(home.resolve("erp.sql"), """
                CREATE TABLE IF NOT EXISTS customers (account_no VARCHAR(32) PRIMARY KEY, name VARCHAR(160),
                  email VARCHAR(100), credit_limit DECIMAL(14, 2));
                """);
        Files.writeString(home.resolve("steward.yaml"), """
                store:
                  url: jdbc:h2:./data/steward
                systems:
                  crm:
                    connector: dynamics
                    environmentUrl: %s
                    authority: %s
                    tenantId: %s
                    clientId: %s
                    clientSecret: %s
                    optimisticWrites: true
                    entities:
                      customer:
                        entitySet: accounts
                        key: accountnumber
                        fields: { name: name, email: emailaddress1, creditLimit: creditlimit }
                  erp:
                    connector: jdbc
                    url: jdbc:h2:./data/erp
                    init: erp.sql
                    entities:
                      customer:
                        table: customers
                        key: account_no
                        fields: { name: name, email: email, creditLimit: credit_limit }
                """.formatted(dynamics.environmentUrl(), dynamics.authority(), DataverseFake.TENANT,
                DataverseFake.CLIENT_ID, DataverseFake.CLIENT_SECRET));
        Files.writeString(home.resolve("rules/mastership.yaml"), """
                - entity: customer
                  fields: [name, email]
                  master: crm
                  subscribers: [erp]
                  reason: Sales keeps accounts in Dynamics 365.
                - entity: customer
                  fields: [creditLimit]
                  master: erp
                  subscribers: [crm]
                  reason: Finance sets credit limits in the ERP.
                """);
        Files.writeString(home.resolve("flows/dynamics-account.yaml"), """
                id: dynamics-account
                trigger:
                  webhook:
                    path: dynamics/account
                    format: dynamics
                    secret: %s
                    options: { header: x-steward-key, organizationId: %s }
                fetch: true
                source: crm
                entity: customer
                key: accountnumber
                fields: { name: name, email: emailaddress1, creditLimit: creditlimit }
                steps:
                  - rules: [mastership.yaml]
                  - sync: { to: [erp] }
                """.formatted(KEY, DataverseFake.ORGANIZATION_ID));
        Files.writeString(home.resolve("flows/erp-customer.yaml"), """
                id: erp-customer
                trigger: { webhook: { path: erp/customer } }
                source: erp
                entity: customer
                key: account_no
                fields: { name: name, email: email, creditLimit: credit_limit }
                steps:
                  - rules: [mastership.yaml]
                  - sync: { to: [crm] }
                """);
        PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        engine = Engine.open(home, new Engine.Options(Clock.systemUTC(), new SplittableRandom(7), metrics, "dynamics-it",
                new RetryPolicy(10, Duration.ofMillis(50), Duration.ofMillis(500)), true, AlertSink.NONE));
        assertThat(engine.workspace().diagnostics()).filteredOn(d -> d.isError()).isEmpty();
        Access access = new Access(engine.access(), engine.workspace().host().access(), Optional.of(adminToken),
                Clock.systemUTC(), new java.security.SecureRandom(), 4);
        server = HostServer.start(engine, metrics, Clock.systemUTC(), "127.0.0.1", 0, access);
        // the step's post image holds the key column only: an Update's Target has just what changed
        webhooks = dynamics.webhook(URI.create(url("/hooks/dynamics/account")), DataverseWebhooks.Auth.HTTP_HEADER,
                "x-steward-key", KEY, Set.of("accountnumber"));
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
        if (engine != null) {
            engine.close();
        }
        assertThat(dynamics.violations()).as("requests that broke the Web API's contract").isEmpty();
        dynamics.close();
    }

    @Test
    void anAccountReachesTheErpAndTheErpsCreditLimitComesBackWithoutALoop() {
        dynamics.change("accounts", "A-1", Map.of("name", "Contoso", "emailaddress1", "ap@contoso.example"));
        JsonNode erp = await("the account in the ERP", () -> {
            JsonNode record = getJson("/api/systems/erp/customer/A-1");
            return record.path("exists").asBoolean() ? record : null;
        });
        assertThat(erp.at("/fields/name").asText()).isEqualTo("Contoso");
        assertThat(erp.at("/fields/email").asText()).isEqualTo("ap@contoso.example");

        // a user renames the account: the webhook carries the name only, the flow reads the row
        dynamics.change("accounts", "A-1", Map.of("name", "Contoso Ltd"));
        awaitQuiet();
        assertThat(getJson("/api/systems/erp/customer/A-1").at("/fields/name").asText()).isEqualTo("Contoso Ltd");
        assertThat(events("dynamics-account", null)).allSatisfy(event ->
                assertThat(getJson("/api/events/" + event.path("eventId").asText()).path("trace").toString())
                        .contains("fetch"));

        HttpResponse<String> fromErp = post("/hooks/erp/customer",
                "{\"account_no\":\"A-1\",\"credit_limit\":25000.00}", Map.of());
        assertThat(fromErp.statusCode()).as(fromErp.body()).isEqualTo(202);
        awaitQuiet();
        assertThat(new BigDecimal(dynamics.row("accounts", "A-1").orElseThrow().get("creditlimit").toString()))
                .isEqualByComparingTo("25000");
        assertThat(dynamics.writes("accounts")).as("Steward's one write; its webhook came back as an echo").isEqualTo(1);
        assertThat(events("dynamics-account", null)).hasSize(3);
        assertThat(events(null, "failed")).isEmpty();
        assertThat(webhooks.attempts()).hasSize(3).allSatisfy(a -> assertThat(a.status()).isBetween(200, 299));
    }

    @Test
    void aBurstOverTheServiceProtectionLimitEndsWithNoDeadLetter() {
        int accounts = 8;
        for (int i = 0; i < accounts; i++) {
            dynamics.change("accounts", "B-" + i, Map.of("name", "Burst " + i));
        }
        awaitQuiet();
        dynamics.rateLimit(6, Duration.ofSeconds(1), 1);
        for (int i = 0; i < accounts; i++) {
            assertThat(post("/hooks/erp/customer", "{\"account_no\":\"B-" + i + "\",\"credit_limit\":" + (1000 + i)
                    + "}", Map.of()).statusCode()).isEqualTo(202);
        }
        awaitQuiet();
        for (int i = 0; i < accounts; i++) {
            assertThat(new BigDecimal(dynamics.row("accounts", "B-" + i).orElseThrow().get("creditlimit").toString()))
                    .isEqualByComparingTo(String.valueOf(1000 + i));
        }
        assertThat(dynamics.throttled()).as("the burst met the limit").isPositive();
        assertThat(events(null, "failed")).isEmpty();
        assertThat(getJson("/api/dead-letters").toString()).doesNotContain("erp-customer");
    }

    @Test
    void anAccountEditedBetweenStewardsReadAndWriteIsDecidedAgain() {
        dynamics.change("accounts", "C-1", Map.of("name", "Fabrikam", "creditlimit", 100));
        awaitQuiet();
        dynamics.changeAfterNextRead("accounts", "C-1", Map.of("name", "Fabrikam Inc", "creditlimit", 1));
        assertThat(post("/hooks/erp/customer", "{\"account_no\":\"C-1\",\"credit_limit\":7500}", Map.of())
                .statusCode()).isEqualTo(202);
        awaitQuiet();

        // the ERP masters the credit limit, so its value wins over the edit made in between
        Map<String, Object> row = dynamics.row("accounts", "C-1").orElseThrow();
        assertThat(new BigDecimal(row.get("creditlimit").toString())).isEqualByComparingTo("7500");
        assertThat(row.get("name")).isEqualTo("Fabrikam Inc");
        JsonNode event = events("erp-customer", "succeeded").getFirst();
        assertThat(getJson("/api/events/" + event.path("eventId").asText()).toString())
                .contains("changed while Steward wrote it");
        assertThat(getJson("/api/systems/erp/customer/C-1").at("/fields/name").asText()).isEqualTo("Fabrikam Inc");
        assertThat(events(null, "failed")).isEmpty();
    }

    @Test
    void aWrongKeyIsRefusedAndARedeliveryIsStoredOnce() {
        dynamics.change("accounts", "D-1", Map.of("name", "Northwind"));
        awaitQuiet();
        assertThat(events("dynamics-account", null)).hasSize(1);
        String context = webhooks.attempts().getFirst().body();

        HttpResponse<String> wrong = post("/hooks/dynamics/account", context, Map.of("x-steward-key", "guess"));
        assertThat(wrong.statusCode()).isEqualTo(401);
        HttpResponse<String> none = post("/hooks/dynamics/account", context, Map.of());
        assertThat(none.statusCode()).isEqualTo(401);
        HttpResponse<String> wrongCode = post("/hooks/dynamics/account?code=guess", context, Map.of());
        assertThat(wrongCode.statusCode()).isEqualTo(401);

        // Dataverse sends no timestamp to bound a replay: the same context again is a duplicate
        webhooks.redeliver(webhooks.attempts().getFirst());
        HttpResponse<String> replay = post("/hooks/dynamics/account", context, Map.of("x-steward-key", KEY));
        assertThat(replay.statusCode()).as(replay.body()).isEqualTo(202);
        assertThat(json(replay.body()).path("duplicates").asInt()).isEqualTo(1);
        HttpResponse<String> byCode = post("/hooks/dynamics/account?code=" + KEY, context, Map.of());
        assertThat(byCode.statusCode()).as("the WebhookKey form: ?code=").isEqualTo(202);
        assertThat(json(byCode.body()).path("duplicates").asInt()).isEqualTo(1);
        awaitQuiet();
        assertThat(events("dynamics-account", null)).hasSize(1);
        assertThat(webhooks.attempts()).hasSize(2);
    }

    // ---- helpers ----

    private String url(String path) {
        return "http://127.0.0.1:" + server.port() + path;
    }

    private List<JsonNode> events(String flow, String status) {
        List<JsonNode> out = new ArrayList<>();
        getJson("/api/events?limit=1000" + (flow == null ? "" : "&flow=" + flow)
                + (status == null ? "" : "&status=" + status)).path("events").forEach(out::add);
        return out;
    }

    /** Waits until the fake has no webhook to send and Steward no event to run, three times in a row. */
    private void awaitQuiet() {
        int quiet = 0;
        long deadline = System.nanoTime() + Duration.ofSeconds(40).toNanos();
        while (quiet < 3) {
            boolean idle = dynamics.webhooksIdle() && events(null, "pending").isEmpty()
                    && events(null, "running").isEmpty();
            quiet = idle ? quiet + 1 : 0;
            if (System.nanoTime() > deadline) {
                throw new AssertionError("still busy after 40 s: pending " + events(null, "pending"));
            }
            sleep(150);
        }
    }

    private static <T> T await(String what, Supplier<T> probe) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            T value = probe.get();
            if (value != null) {
                return value;
            }
            sleep(50);
        }
        throw new AssertionError(what + " did not come within 30 s");
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + text, e);
        }
    }

    private JsonNode getJson(String path) {
        HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create(url(path)))
                .header("Authorization", "Bearer " + adminToken).GET().build());
        return json(response.body());
    }

    private HttpResponse<String> post(String path, String body, Map<String, String> headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url(path)))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(request::header);
        return send(request.build());
    }

    private HttpResponse<String> send(HttpRequest request) {
        try {
            return client.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new AssertionError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
