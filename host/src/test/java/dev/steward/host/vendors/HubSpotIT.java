package dev.steward.host.vendors;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.steward.host.RunningHost;
import dev.steward.run.RetryPolicy;
import dev.steward.testing.vendors.hubspot.HubSpotFake;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HubSpot preset end to end: a real host, the fake HubSpot sending its signed, batched, thin
 * webhooks, and an H2 ERP. HubSpot's contact data goes to the ERP (read from HubSpot with
 * {@code fetch: true}); the ERP's credit limit goes to HubSpot, whose webhook about that write
 * is an echo that writes nothing; a burst over HubSpot's rate limit ends without dead letters; a
 * contact changed while Steward writes it is decided again; bad signatures and replays are
 * refused and store nothing.
 */
class HubSpotIT {

    private static final String SECRET = "hubspot-client-secret";
    private static final String TOKEN = "pat-it-token";

    @TempDir
    Path temp;
    HubSpotFake hubspot;
    RunningHost host;

    @BeforeEach
    void start() throws IOException {
        hubspot = HubSpotFake.start(62515, "client-id", SECRET).privateAppToken(TOKEN)
                .webhookRetries(5, Duration.ofMillis(100));
        Path home = temp.resolve("workspace");
        Files.createDirectories(home.resolve("flows"));
        Files.createDirectories(home.resolve("rules"));
        Files.writeString(home.resolve("erp.sql"), """
                CREATE TABLE IF NOT EXISTS customers (hubspot_id VARCHAR(32) PRIMARY KEY, account_no VARCHAR(32),
                  email VARCHAR(200), phone VARCHAR(50), lifecycle_stage VARCHAR(50), credit_limit DECIMAL(14, 2));
                """);
        Files.writeString(home.resolve("steward.yaml"), """
                systems:
                  hubspot:
                    connector: hubspot
                    baseUrl: %s
                    auth: { token: %s }
                    optimisticWrites: true
                    rateLimit: { perSecond: 12, burst: 12 }   # a little over the fake's 10 per second below
                    entities:
                      customer:
                        object: contacts
                        types: { credit_limit: number }
                        fields: { email: email, phone: phone, lifecycleStage: lifecyclestage,
                                  creditLimit: credit_limit, accountNumber: erp_account_number }
                  erp:
                    connector: jdbc
                    url: jdbc:h2:./data/erp
                    init: erp.sql
                    entities:
                      customer:
                        table: customers
                        key: hubspot_id
                        fields: { email: email, phone: phone, lifecycleStage: lifecycle_stage,
                                  creditLimit: credit_limit, accountNumber: account_no }
                """.formatted(hubspot.baseUrl(), TOKEN));
        Files.writeString(home.resolve("rules/mastership.yaml"), """
                - entity: customer
                  fields: [email, phone, lifecycleStage]
                  master: hubspot
                  subscribers: [erp]
                  reason: HubSpot keeps contact data.
                - entity: customer
                  fields: [creditLimit, accountNumber]
                  master: erp
                  subscribers: [hubspot]
                  reason: The ERP manages credit.
                """);
        Files.writeString(home.resolve("flows/hubspot-contact.yaml"), """
                id: hubspot-contact
                trigger:
                  webhook:
                    path: hubspot/contact
                    format: hubspot
                    secret: %s
                    options: { portalId: 62515 }
                fetch: true
                source: hubspot
                entity: customer
                key: objectId
                fields: { email: email, phone: phone, lifecycleStage: lifecyclestage,
                          creditLimit: credit_limit, accountNumber: erp_account_number }
                steps:
                  - rules: [mastership.yaml]
                  - sync: { to: [erp], enforce: true }
                """.formatted(SECRET));
        Files.writeString(home.resolve("flows/erp-customer.yaml"), """
                id: erp-customer
                trigger: { webhook: { path: erp/customer } }
                source: erp
                entity: customer
                key: hubspot_id
                fields: { email: email, phone: phone, lifecycleStage: lifecycle_stage,
                          creditLimit: credit_limit, accountNumber: account_no }
                steps:
                  - rules: [mastership.yaml]
                  - sync: { to: [hubspot], enforce: true }
                """);
        host = new RunningHost(home, new RetryPolicy(RetryPolicy.DEFAULT.maxAttempts(), Duration.ofMillis(50),
                Duration.ofMillis(500)), Map.of());
        assertThat(host.engine().workspace().diagnostics()).filteredOn(d -> d.isError()).isEmpty();
        hubspot.webhook("contact", URI.create(host.url("/hooks/hubspot/contact")));
    }

    @AfterEach
    void stop() {
        if (host != null) {
            host.close();
        }
        assertThat(hubspot.violations()).as("requests that broke HubSpot's contract").isEmpty();
        hubspot.close();
    }

    @Test
    void hubSpotContactDataReachesTheErpAndTheErpsCreditLimitComesBackWithoutALoop() {
        String id = hubspot.change("contacts", null, Map.of("email", "ada@example.com", "phone", "+44 1",
                "lifecyclestage", "customer"));
        JsonNode erpRecord = Polling.await("the contact in the ERP", Duration.ofSeconds(30), 50, () -> {
            JsonNode r = host.getJson("/api/systems/erp/customer/" + id);
            return r.path("exists").asBoolean() ? r : null;
        });
        assertThat(erpRecord.at("/fields/email").asText()).isEqualTo("ada@example.com");
        assertThat(erpRecord.at("/fields/lifecycleStage").asText()).isEqualTo("customer");

        HttpResponse<String> erp = host.postAsIs("/hooks/erp/customer", "{\"hubspot_id\":\"" + id
                + "\",\"credit_limit\":25000.00,\"account_no\":\"ACC-1\"}", Map.of());
        assertThat(erp.statusCode()).isEqualTo(202);
        awaitQuiet();
        assertThat(hubspot.record("contacts", id).orElseThrow())
                .containsEntry("credit_limit", "25000").containsEntry("erp_account_number", "ACC-1");
        // HubSpot's webhook about Steward's own write came back and changed nothing
        assertThat(hubspot.apiWrites()).isEqualTo(1);
        assertThat(hubspot.deliveries()).anySatisfy(d -> assertThat(d.status()).isBetween(200, 299));

        // a HubSpot user overwrites the ERP's credit limit: Steward puts the ERP's value back, once
        hubspot.change("contacts", id, Map.of("credit_limit", "1"));
        awaitQuiet();
        assertThat(hubspot.record("contacts", id).orElseThrow()).containsEntry("credit_limit", "25000");
        assertThat(hubspot.apiWrites()).isEqualTo(2);
        assertThat(Polling.events(host, null, "failed")).isEmpty();
    }

    @Test
    void aBurstOverHubSpotsRateLimitFinishesWithoutDeadLetters() {
        String[] ids = new String[12];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = hubspot.change("contacts", null, Map.of("email", "burst" + i + "@example.com"));
        }
        awaitQuiet();
        hubspot.rateLimit(10, Duration.ofSeconds(1), 1_000_000);
        for (int i = 0; i < ids.length; i++) {
            assertThat(host.postAsIs("/hooks/erp/customer", "{\"hubspot_id\":\"" + ids[i] + "\",\"credit_limit\":" + (1000 + i)
                    + "}", Map.of()).statusCode()).isEqualTo(202);
        }
        awaitQuiet();
        assertThat(Polling.events(host, null, "failed")).isEmpty();
        for (int i = 0; i < ids.length; i++) {
            assertThat(hubspot.record("contacts", ids[i]).orElseThrow()).containsEntry("credit_limit", String.valueOf(1000 + i));
        }
        assertThat(Polling.events(host, null, "failed")).isEmpty();
        assertThat(host.getJson("/api/dead-letters").toString()).doesNotContain("erp-customer");
        assertThat(hubspot.windowsUsedUp()).as("the burst used up HubSpot's window").isPositive();
    }

    @Test
    void aContactChangedWhileStewardWritesItIsDecidedAgain() {
        String id = hubspot.change("contacts", null, Map.of("email", "grace@example.com", "phone", "+1 1"));
        awaitQuiet();
        hubspot.changeAfterNextRead("contacts", id, Map.of("phone", "+1 2", "credit_limit", "5"));
        assertThat(host.postAsIs("/hooks/erp/customer", "{\"hubspot_id\":\"" + id + "\",\"credit_limit\":7500}", Map.of())
                .statusCode()).isEqualTo(202);
        awaitQuiet();
        // the ERP masters the credit limit, so its value wins over the change made in between
        assertThat(hubspot.record("contacts", id).orElseThrow()).containsEntry("credit_limit", "7500")
                .containsEntry("phone", "+1 2");
        JsonNode event = Polling.events(host, null, "succeeded").stream().filter(e -> e.path("flow").asText().equals("erp-customer"))
                .findFirst().orElseThrow();
        assertThat(host.getJson("/api/events/" + event.path("eventId").asText()).toString())
                .contains("changed while Steward wrote it");
        assertThat(Polling.events(host, null, "failed")).isEmpty();
    }

    @Test
    void badSignaturesAndReplaysAreRefusedAndStoreNothing() {
        String body = "[{\"eventId\":900,\"subscriptionId\":1,\"portalId\":62515,\"occurredAt\":1,"
                + "\"subscriptionType\":\"contact.creation\",\"attemptNumber\":0,\"objectId\":1001}]";
        String url = host.url("/hooks/hubspot/contact");
        long now = System.currentTimeMillis();
        HttpResponse<String> wrong = host.postAsIs("/hooks/hubspot/contact", body, Map.of("X-HubSpot-Signature-v3",
                v3("another-secret", url, body, now), "X-HubSpot-Request-Timestamp", String.valueOf(now)));
        assertThat(wrong.statusCode()).isEqualTo(401);
        long old = now - Duration.ofMinutes(6).toMillis();
        HttpResponse<String> replay = host.postAsIs("/hooks/hubspot/contact", body, Map.of("X-HubSpot-Signature-v3",
                v3(SECRET, url, body, old), "X-HubSpot-Request-Timestamp", String.valueOf(old)));
        assertThat(replay.statusCode()).isEqualTo(401);
        assertThat(replay.body()).contains("replay");
        HttpResponse<String> otherPortal = host.postAsIs("/hooks/hubspot/contact", body.replace("62515", "777"), Map.of(
                "X-HubSpot-Signature-v3", v3(SECRET, url, body.replace("62515", "777"), now),
                "X-HubSpot-Request-Timestamp", String.valueOf(now)));
        assertThat(otherPortal.statusCode()).isEqualTo(403);
        assertThat(host.getJson("/api/events?flow=hubspot-contact").path("events")).isEmpty();
    }

    // ---- helpers ----

    private static String v3(String secret, String url, String body, long timestamp) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return Base64.getEncoder().encodeToString(mac.doFinal(("POST" + url + body + timestamp)
                    .getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.GeneralSecurityException e) {
            throw new AssertionError(e);
        }
    }

    /** Waits until HubSpot has no webhook to send and Steward no event to run, twice in a row. */
    private void awaitQuiet() {
        int quiet = 0;
        long deadline = System.nanoTime() + Duration.ofSeconds(40).toNanos();
        while (quiet < 3) {
            boolean idle = hubspot.webhooksIdle() && Polling.events(host, null, "pending").isEmpty()
                    && Polling.events(host, null, "running").isEmpty();
            quiet = idle ? quiet + 1 : 0;
            if (System.nanoTime() > deadline) {
                throw new AssertionError("still busy after 40 s: pending " + Polling.events(host, null, "pending") + ", running "
                        + Polling.events(host, null, "running"));
            }
            Polling.sleep(150);
        }
    }
}
