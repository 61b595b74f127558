package dev.steward.host.vendors;

import com.fasterxml.jackson.databind.JsonNode;
import dev.steward.host.RunningHost;
import dev.steward.run.RetryPolicy;
import dev.steward.testing.vendors.salesforce.FakeSalesforce;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.UUID;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 14's proof for Salesforce: a real host between the fake org and an H2 ERP. The org's
 * Outbound Messages come in (format salesforce-outbound, fetch: true), mastership decides, the
 * ERP is written; the ERP's changes go back through the salesforce connector, and the Outbound
 * Message about Steward's own write is an echo. A burst over the org's daily limit finishes
 * without dead letters, a version conflict is decided again, and refused deliveries store nothing.
 */
class SalesforceIT {

    private static final String CDC_SECRET = "whsec_c2FsZXNmb3JjZS1pdC1yZWxheQ==";
    /** Steward's default 25 attempts, with shorter waits. */
    private static final RetryPolicy RETRY = new RetryPolicy(25, Duration.ofMillis(50), Duration.ofSeconds(1));

    @TempDir
    Path temp;
    private FakeSalesforce org;
    private RunningHost host;
    private Path home;

    @BeforeEach
    void start() throws IOException {
        org = FakeSalesforce.start().externalId("Account", "Customer_Number__c").field("Account", "Credit_Limit__c")
                .redelivery(Duration.ofMillis(100), Duration.ofMillis(500));
        home = temp.resolve("workspace");
        Files.createDirectories(home.resolve("flows"));
        Files.createDirectories(home.resolve("rules"));
        Files.createDirectories(home.resolve("systems"));
        Files.writeString(home.resolve("systems/erp.sql"), """
                CREATE TABLE IF NOT EXISTS customers (crm_id VARCHAR(64) PRIMARY KEY, name VARCHAR(200),
                  phone VARCHAR(64), credit_limit DECIMAL(12, 2));
                """);
        // the ERP counts its writes in the writing transaction (a trigger an init script may not make)
        Files.createDirectories(home.resolve("data"));
        try (Connection c = DriverManager.getConnection("jdbc:h2:" + erpPath())) {
            c.createStatement().execute("RUNSCRIPT FROM '" + home.resolve("systems/erp.sql") + "'");
            c.createStatement().execute("CREATE TABLE write_log (k VARCHAR(64)); CREATE TRIGGER count_writes AFTER "
                    + "INSERT, UPDATE ON customers FOR EACH ROW CALL 'dev.steward.host.WriteCounter'");
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        Files.writeString(home.resolve("steward.yaml"), """
                systems:
                  crm:
                    connector: salesforce
                    myDomain: %s
                    auth: { clientId: %s, clientSecret: %s }
                    dailyLimitRetry: 500ms              # the fake's "daily" window below is half a second
                    optimisticWrites: true
                    entities:
                      customer:
                        sobject: Account
                        externalId: Customer_Number__c
                        fields: { name: Name, phone: Phone, creditLimit: Credit_Limit__c }
                  erp:
                    connector: jdbc
                    url: jdbc:h2:./data/erp
                    init: systems/erp.sql
                    entities:
                      customer: { table: customers, key: crm_id, fields: { name: name, phone: phone, creditLimit: credit_limit } }
                """.formatted(org.url(), org.clientId(), org.clientSecret()));
        Files.writeString(home.resolve("rules/mastership.yaml"), """
                - { entity: customer, fields: [name, phone], master: crm, subscribers: [erp], reason: Sales owns contacts. }
                - { entity: customer, fields: [creditLimit], master: erp, subscribers: [crm], reason: Finance owns credit. }
                """);
        Files.writeString(home.resolve("flows/salesforce-account.yaml"), """
                id: salesforce-account
                trigger:
                  webhook:
                    path: salesforce/account
                    format: salesforce-outbound
                    options: { organizationId: %s }
                source: crm
                entity: customer
                key: Customer_Number__c
                fields: { name: Name, phone: Phone, creditLimit: Credit_Limit__c }
                fetch: true
                steps:
                  - rules: [mastership.yaml]
                  - sync: { to: [erp] }
                """.formatted(org.organizationId()));
        Files.writeString(home.resolve("flows/salesforce-cdc.yaml"), """
                id: salesforce-cdc
                trigger:
                  webhook:
                    path: salesforce/account-cdc
                    format: salesforce-cdc
                    secret: %s
                source: crm
                entity: customer
                key: Customer_Number__c
                fields: { name: Name, phone: Phone }
                steps:
                  - rules: [mastership.yaml]
                  - sync: { to: [erp] }
                """.formatted(CDC_SECRET));
        Files.writeString(home.resolve("flows/erp-customer.yaml"), """
                id: erp-customer
                trigger: { webhook: { path: erp/customer } }
                source: erp
                entity: customer
                key: crm_id
                fields: { name: name, phone: phone, creditLimit: credit_limit }
                steps:
                  - rules: [mastership.yaml]
                  - sync: { to: [crm] }
                """);
        host = new RunningHost(home, RETRY, Map.of());
        assertThat(host.engine().workspace().diagnostics()).filteredOn(d -> d.isError()).isEmpty();
        org.outbound("Account", URI.create(host.url("/hooks/salesforce/account")));
    }

    @AfterEach
    void stop() {
        if (host != null) {
            host.close();
        }
        org.close();
    }

    @Test
    void aChangeInSalesforceReachesTheErpAndStewardsWriteBackIsAnEcho() throws SQLException {
        org.create("Account", Map.of("Name", "Acme", "Phone", "555-0100", "Customer_Number__c", "C-1"));

        await("the ERP has C-1", () -> erpName("C-1").equals("Acme"));
        await("Salesforce got its Ack", () -> org.acknowledged() == 1);
        assertThat(erpWrites("C-1")).isEqualTo(1);

        JsonNode event = deliver("erp/customer", "{\"crm_id\":\"C-1\",\"name\":\"Acme\",\"credit_limit\":5000}",
                "erp-" + UUID.randomUUID());
        assertThat(event.path("status").asText()).isEqualTo("succeeded");
        String id = org.find("Account", "Customer_Number__c", "C-1").getFirst();
        assertThat(((Number) org.record("Account", id).orElseThrow().get("Credit_Limit__c")).intValue()).isEqualTo(5000);
        long writes = org.writes();

        // the Outbound Message about Steward's own write comes back: an echo, nothing more is written
        await("the echo was acknowledged", () -> org.acknowledged() == 2);
        awaitIdle();
        assertThat(erpWrites("C-1")).isEqualTo(1);
        assertThat(org.writes()).isEqualTo(writes);
        assertThat(org.violations()).isEmpty();
    }

    @Test
    void aRedeliveredNotificationIsStoredOnce() {
        String message = outboundMessage(org.organizationId(), "04l5g0000000ABCAAA", "C-7");

        HttpResponse<String> first = postXml(message);
        HttpResponse<String> again = postXml(message);

        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(first.body()).contains("<Ack>true</Ack>");
        assertThat(again.statusCode()).isEqualTo(200);
        assertThat(again.body()).contains("<Ack>true</Ack>");
        assertThat(host.getJson("/api/events?flow=salesforce-account").get("events")).hasSize(1);
    }

    @Test
    void refusedDeliveriesStoreNothing() {
        assertThat(postXml(outboundMessage("00D000000000001AAA", "04l5g0000000ABDAAA", "C-8")).statusCode())
                .isEqualTo(403);
        assertThat(postXml("<soapenv:Envelope/>").statusCode()).isEqualTo(400);

        String body = "{\"ChangeEventHeader\":{\"entityName\":\"Account\",\"recordIds\":[\"0015g00000AAAAAAA1\"],"
                + "\"changeType\":\"UPDATE\",\"transactionKey\":\"t-1\",\"sequenceNumber\":1},\"Phone\":\"1\"}";
        Instant now = Instant.now();
        assertThat(postCdc(body, now, "whsec_b3RoZXI=").statusCode()).isEqualTo(401);
        assertThat(postCdc(body, now.minus(Duration.ofMinutes(10)), CDC_SECRET).statusCode()).isEqualTo(401);

        assertThat(host.getJson("/api/events?flow=salesforce-account").get("events")).isEmpty();
        assertThat(host.getJson("/api/events?flow=salesforce-cdc").get("events")).isEmpty();
    }

    @Test
    void aBurstOverTheDailyLimitFinishesWithoutDeadLetters() {
        for (int i = 0; i < 8; i++) {
            org.create("Account", Map.of("Name", "Burst " + i, "Customer_Number__c", "B-" + i));
        }
        await("the ERP has every burst account", () -> !erpName("B-7").isEmpty() && org.pendingNotifications() == 0);
        awaitIdle();
        // six calls in half a second: the eight writes (each a read of the ETag and a PATCH) cannot all go at once
        org.dailyLimit(6, Duration.ofMillis(500));
        for (int i = 0; i < 8; i++) {
            hook("erp/customer", "{\"crm_id\":\"B-" + i + "\",\"credit_limit\":" + (100 + i) + "}",
                    "burst-" + i);
        }

        await("every credit limit is in Salesforce", () -> {
            for (int i = 0; i < 8; i++) {
                String id = org.find("Account", "Customer_Number__c", "B-" + i).getFirst();
                if (!(org.record("Account", id).orElseThrow().get("Credit_Limit__c") instanceof Number n)
                        || n.intValue() != 100 + i) {
                    return false;
                }
            }
            return true;
        });
        awaitIdle();
        assertThat(host.getJson("/api/dead-letters?flow=erp-customer").get("deadLetters")).isEmpty();
        assertThat(host.getJson("/api/events?flow=erp-customer").get("events")).extracting(e -> e.path("status")
                .asText()).containsOnly("succeeded");
        assertThat(org.limitRefusals()).as("the burst hit the org's limit").isPositive();
        assertThat(org.violations()).isEmpty();
    }

    @Test
    void aVersionConflictIsDecidedAgain() {
        org.create("Account", Map.of("Name", "Conflict Co", "Customer_Number__c", "C-9"));
        await("the ERP has C-9", () -> erpName("C-9").equals("Conflict Co"));
        String id = org.find("Account", "Customer_Number__c", "C-9").getFirst();
        // a user changes the record in Salesforce between Steward's read and its write
        org.beforeNextWrite(() -> org.update("Account", id, Map.of("Phone", "555-0199")));

        JsonNode event = deliver("erp/customer", "{\"crm_id\":\"C-9\",\"credit_limit\":700}", "erp-c9");

        assertThat(event.path("status").asText()).isEqualTo("succeeded");
        assertThat(org.record("Account", id).orElseThrow()).containsEntry("Phone", "555-0199");
        assertThat(((Number) org.record("Account", id).orElseThrow().get("Credit_Limit__c")).intValue()).isEqualTo(700);
        assertThat(org.requests()).filteredOn(r -> r.startsWith("PATCH ")).hasSizeGreaterThanOrEqualTo(2);
    }

    private HttpResponse<String> postXml(String xml) {
        return host.postAsIs("/hooks/salesforce/account", xml, Map.of("Content-Type", "text/xml; charset=utf-8"));
    }

    private HttpResponse<String> postCdc(String body, Instant at, String secret) {
        String id = "msg_" + UUID.randomUUID();
        String timestamp = String.valueOf(at.getEpochSecond());
        return host.postAsIs("/hooks/salesforce/account-cdc", body, Map.of("webhook-id", id, "webhook-timestamp", timestamp,
                "webhook-signature", sign(secret, id, timestamp, body)));
    }

    private static String sign(String secret, String id, String timestamp, String body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(Base64.getDecoder().decode(secret.substring("whsec_".length())), "HmacSHA256"));
            return "v1," + Base64.getEncoder().encodeToString(mac.doFinal((id + "." + timestamp + "." + body)
                    .getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String outboundMessage(String orgId, String notificationId, String number) {
        return """
                <?xml version="1.0" encoding="UTF-8"?>
                <soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" \
                xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
                 <soapenv:Body>
                  <notifications xmlns="http://soap.sforce.com/2005/09/outbound">
                   <OrganizationId>%s</OrganizationId>
                   <ActionId>04k5g00000Fake1AAA</ActionId>
                   <Notification>
                    <Id>%s</Id>
                    <sObject xsi:type="sf:Account" xmlns:sf="urn:sobject.enterprise.soap.sforce.com">
                     <sf:Id>0015g00000ZZZZZAAA</sf:Id>
                     <sf:Customer_Number__c>%s</sf:Customer_Number__c>
                     <sf:Name>Outbound Co</sf:Name>
                    </sObject>
                   </Notification>
                  </notifications>
                 </soapenv:Body>
                </soapenv:Envelope>
                """.formatted(orgId, notificationId, number);
    }

    private void awaitIdle() {
        await("no event pending or running", () -> host.getJson("/api/events?status=pending&limit=1").path("events")
                .isEmpty() && host.getJson("/api/events?status=running&limit=1").path("events").isEmpty());
    }

    private String erpPath() {
        return home.resolve("data/erp").toString().replace('\\', '/');
    }

    private String erpName(String key) {
        try (Connection c = DriverManager.getConnection("jdbc:h2:" + erpPath());
             ResultSet rows = c.createStatement().executeQuery("SELECT name FROM customers WHERE crm_id = '" + key + "'")) {
            return rows.next() ? String.valueOf(rows.getString(1)) : "";
        } catch (SQLException e) {
            return "";
        }
    }

    private long erpWrites(String key) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:h2:" + erpPath());
             ResultSet rows = c.createStatement().executeQuery("SELECT COUNT(*) FROM write_log WHERE k = '" + key + "'")) {
            rows.next();
            return rows.getLong(1);
        }
    }

    private static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + Duration.ofSeconds(45).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(what + ": not within 45 s");
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    /** Posts a delivery as the ERP would: no admin token. */
    private HttpResponse<String> hook(String path, String body, String deliveryId) {
        return host.postAsIs("/hooks/" + path, body, Map.of("webhook-id", deliveryId));
    }

    private JsonNode deliver(String path, String body, String deliveryId) {
        HttpResponse<String> response = hook(path, body, deliveryId);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        String eventId = RunningHost.json(response).get("eventId").asText();
        JsonNode[] event = new JsonNode[1];
        await("event " + eventId + " finished", () -> {
            event[0] = host.getJson("/api/events/" + eventId);
            String status = event[0].path("status").asText();
            return !status.equals("pending") && !status.equals("running");
        });
        return event[0];
    }
}
