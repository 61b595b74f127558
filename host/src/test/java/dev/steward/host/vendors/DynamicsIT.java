package dev.steward.host.vendors;

import com.fasterxml.jackson.databind.JsonNode;
import dev.steward.host.RunningHost;
import dev.steward.run.RetryPolicy;
import dev.steward.testing.vendors.dynamics.DataverseFake;
import dev.steward.testing.vendors.dynamics.DataverseWebhooks;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;

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

    @TempDir
    Path temp;
    DataverseFake dynamics;
    DataverseWebhooks webhooks;
    RunningHost host;

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
        host = new RunningHost(home, new RetryPolicy(10, Duration.ofMillis(50), Duration.ofMillis(500)), Map.of());
        assertThat(host.engine().workspace().diagnostics()).filteredOn(d -> d.isError()).isEmpty();
        // the step's post image holds the key column only: an Update's Target has just what changed
        webhooks = dynamics.webhook(URI.create(host.url("/hooks/dynamics/account")), DataverseWebhooks.Auth.HTTP_HEADER,
                "x-steward-key", KEY, Set.of("accountnumber"));
    }

    @AfterEach
    void stop() {
        if (host != null) {
            host.close();
        }
        assertThat(dynamics.violations()).as("requests that broke the Web API's contract").isEmpty();
        dynamics.close();
    }

    @Test
    void anAccountReachesTheErpAndTheErpsCreditLimitComesBackWithoutALoop() {
        dynamics.change("accounts", "A-1", Map.of("name", "Contoso", "emailaddress1", "ap@contoso.example"));
        JsonNode erp = Polling.await("the account in the ERP", Duration.ofSeconds(30), 50, () -> {
            JsonNode record = host.getJson("/api/systems/erp/customer/A-1");
            return record.path("exists").asBoolean() ? record : null;
        });
        assertThat(erp.at("/fields/name").asText()).isEqualTo("Contoso");
        assertThat(erp.at("/fields/email").asText()).isEqualTo("ap@contoso.example");

        // a user renames the account: the webhook carries the name only, the flow reads the row
        dynamics.change("accounts", "A-1", Map.of("name", "Contoso Ltd"));
        awaitQuiet();
        assertThat(host.getJson("/api/systems/erp/customer/A-1").at("/fields/name").asText()).isEqualTo("Contoso Ltd");
        assertThat(Polling.events(host, "dynamics-account", null)).allSatisfy(event ->
                assertThat(host.getJson("/api/events/" + event.path("eventId").asText()).path("trace").toString())
                        .contains("fetch"));

        HttpResponse<String> fromErp = host.postAsIs("/hooks/erp/customer",
                "{\"account_no\":\"A-1\",\"credit_limit\":25000.00}", Map.of());
        assertThat(fromErp.statusCode()).as(fromErp.body()).isEqualTo(202);
        awaitQuiet();
        assertThat(new BigDecimal(dynamics.row("accounts", "A-1").orElseThrow().get("creditlimit").toString()))
                .isEqualByComparingTo("25000");
        assertThat(dynamics.writes("accounts")).as("Steward's one write; its webhook came back as an echo").isEqualTo(1);
        assertThat(Polling.events(host, "dynamics-account", null)).hasSize(3);
        assertThat(Polling.events(host, null, "failed")).isEmpty();
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
            assertThat(host.postAsIs("/hooks/erp/customer", "{\"account_no\":\"B-" + i + "\",\"credit_limit\":" + (1000 + i)
                    + "}", Map.of()).statusCode()).isEqualTo(202);
        }
        awaitQuiet();
        for (int i = 0; i < accounts; i++) {
            assertThat(new BigDecimal(dynamics.row("accounts", "B-" + i).orElseThrow().get("creditlimit").toString()))
                    .isEqualByComparingTo(String.valueOf(1000 + i));
        }
        assertThat(dynamics.throttled()).as("the burst met the limit").isPositive();
        assertThat(Polling.events(host, null, "failed")).isEmpty();
        assertThat(host.getJson("/api/dead-letters").toString()).doesNotContain("erp-customer");
    }

    @Test
    void anAccountEditedBetweenStewardsReadAndWriteIsDecidedAgain() {
        dynamics.change("accounts", "C-1", Map.of("name", "Fabrikam", "creditlimit", 100));
        awaitQuiet();
        dynamics.changeAfterNextRead("accounts", "C-1", Map.of("name", "Fabrikam Inc", "creditlimit", 1));
        assertThat(host.postAsIs("/hooks/erp/customer", "{\"account_no\":\"C-1\",\"credit_limit\":7500}", Map.of())
                .statusCode()).isEqualTo(202);
        awaitQuiet();

        // the ERP masters the credit limit, so its value wins over the edit made in between
        Map<String, Object> row = dynamics.row("accounts", "C-1").orElseThrow();
        assertThat(new BigDecimal(row.get("creditlimit").toString())).isEqualByComparingTo("7500");
        assertThat(row.get("name")).isEqualTo("Fabrikam Inc");
        JsonNode event = Polling.events(host, "erp-customer", "succeeded").getFirst();
        assertThat(host.getJson("/api/events/" + event.path("eventId").asText()).toString())
                .contains("changed while Steward wrote it");
        assertThat(host.getJson("/api/systems/erp/customer/C-1").at("/fields/name").asText()).isEqualTo("Fabrikam Inc");
        assertThat(Polling.events(host, null, "failed")).isEmpty();
    }

    @Test
    void aWrongKeyIsRefusedAndARedeliveryIsStoredOnce() {
        dynamics.change("accounts", "D-1", Map.of("name", "Northwind"));
        awaitQuiet();
        assertThat(Polling.events(host, "dynamics-account", null)).hasSize(1);
        String context = webhooks.attempts().getFirst().body();

        HttpResponse<String> wrong = host.postAsIs("/hooks/dynamics/account", context, Map.of("x-steward-key", "guess"));
        assertThat(wrong.statusCode()).isEqualTo(401);
        HttpResponse<String> none = host.postAsIs("/hooks/dynamics/account", context, Map.of());
        assertThat(none.statusCode()).isEqualTo(401);
        HttpResponse<String> wrongCode = host.postAsIs("/hooks/dynamics/account?code=guess", context, Map.of());
        assertThat(wrongCode.statusCode()).isEqualTo(401);

        // Dataverse sends no timestamp to bound a replay: the same context again is a duplicate
        webhooks.redeliver(webhooks.attempts().getFirst());
        HttpResponse<String> replay = host.postAsIs("/hooks/dynamics/account", context, Map.of("x-steward-key", KEY));
        assertThat(replay.statusCode()).as(replay.body()).isEqualTo(202);
        assertThat(RunningHost.json(replay).path("duplicates").asInt()).isEqualTo(1);
        HttpResponse<String> byCode = host.postAsIs("/hooks/dynamics/account?code=" + KEY, context, Map.of());
        assertThat(byCode.statusCode()).as("the WebhookKey form: ?code=").isEqualTo(202);
        assertThat(RunningHost.json(byCode).path("duplicates").asInt()).isEqualTo(1);
        awaitQuiet();
        assertThat(Polling.events(host, "dynamics-account", null)).hasSize(1);
        assertThat(webhooks.attempts()).hasSize(2);
    }

    // ---- helpers ----

    /** Waits until the fake has no webhook to send and Steward no event to run, three times in a row. */
    private void awaitQuiet() {
        int quiet = 0;
        long deadline = System.nanoTime() + Duration.ofSeconds(40).toNanos();
        while (quiet < 3) {
            boolean idle = dynamics.webhooksIdle() && Polling.events(host, null, "pending").isEmpty()
                    && Polling.events(host, null, "running").isEmpty();
            quiet = idle ? quiet + 1 : 0;
            if (System.nanoTime() > deadline) {
                throw new AssertionError("still busy after 40 s: pending " + Polling.events(host, null, "pending"));
            }
            Polling.sleep(150);
        }
    }
}
