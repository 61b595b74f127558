package dev.steward.host.vendors;

import static dev.steward.testing.vendors.netsuite.FakeNetSuite.fields;
import static org.assertj.core.api.Assertions.assertThat;

import dev.steward.testing.vendors.netsuite.FakeNetSuite;
import dev.steward.testing.vendors.salesforce.FakeSalesforce;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The example workspace examples/netsuite-salesforce on a real host between the two fakes:
 * NetSuite's credit limits and inventory reach Salesforce, Salesforce's account data reaches
 * NetSuite, and neither side's notification about Steward's own write loops back.
 */
class NetSuiteSalesforceIT {

    static final Path EXAMPLE = Path.of("../examples/netsuite-salesforce");
    static final String SECRET = "whsec_" + Base64.getEncoder().encodeToString("example-it-secret-of-32-bytes!!!".getBytes());
    static final String ORG = "00D5g00000Exmp1EAA";

    @TempDir
    Path temp;
    FakeNetSuite ns;
    FakeSalesforce sf;
    NetSuiteIT.Host host;

    @BeforeEach
    void start() throws Exception {
        Path home = copy(EXAMPLE, temp.resolve("workspace"));
        KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
        rsa.initialize(2048);
        KeyPair key = rsa.generateKeyPair();
        Files.createDirectories(home.resolve("data"));
        Files.writeString(home.resolve("data/netsuite-key.pem"), "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder().encodeToString(key.getPrivate().getEncoded()) + "\n-----END PRIVATE KEY-----\n");
        ns = new FakeNetSuite("1234567_SB1").allowM2m("client", "cert", key.getPublic()).start();
        ns.seed("customer", "C-1001", fields("companyName", "Acme Corp", "phone", "+1 415 555 0100", "creditLimit", 5000));
        ns.seed("inventoryItem", "SKU-1", fields("itemId", "SKU-1", "displayName", "Widget", "totalQuantityOnHand", 40));
        sf = FakeSalesforce.start(0, ORG, "sf-client", "sf-secret")
                .externalId("Account", "Customer_Number__c").field("Account", "Credit_Limit__c")
                .externalId("Product2", "SKU__c").field("Product2", "Quantity_On_Hand__c");
        host = new NetSuiteIT.Host(home, Map.of(
                "NETSUITE_ACCOUNT_ID", "1234567_SB1", "NETSUITE_BASE_URL", ns.baseUrl(), "NETSUITE_CLIENT_ID", "client",
                "NETSUITE_CERTIFICATE_ID", "cert", "NETSUITE_WEBHOOK_SECRET", SECRET,
                "SF_MY_DOMAIN", sf.url(), "SF_CLIENT_ID", "sf-client", "SF_CLIENT_SECRET", "sf-secret", "SF_ORG_ID", ORG));
        ns.sendWebhooksTo(host.url("/hooks/netsuite/{type}"), SECRET);
        sf.outbound("Account", URI.create(host.url("/hooks/salesforce/account")));
    }

    @AfterEach
    void stop() {
        if (host != null) {
            host.close();
        }
        ns.close();
        sf.close();
    }

    @Test
    void eachSystemsFieldsReachTheOtherAndNothingLoops() throws Exception {
        // a Salesforce user creates the Account: name and phone reach NetSuite
        sf.create("Account", Map.of("Name", "Acme Corporation", "Phone", "+1 415 555 0123", "Customer_Number__c", "C-1001"));
        NetSuiteIT.Host.poll(() -> "+1 415 555 0123".equals(ns.record("customer", "eid:C-1001").orElseThrow().get("phone"))
                ? true : null, "the phone in NetSuite");
        assertThat(ns.record("customer", "eid:C-1001").orElseThrow()).containsEntry("companyName", "Acme Corporation");

        // NetSuite's delivery about that write fetches the customer: its credit limit reaches Salesforce
        NetSuiteIT.Host.poll(() -> creditLimitInSalesforce() == 5000 ? true : null, "the credit limit in Salesforce");

        // a NetSuite user raises it
        ns.change("customer", "eid:C-1001", fields("creditLimit", 25000));
        NetSuiteIT.Host.poll(() -> creditLimitInSalesforce() == 25000 ? true : null, "the new credit limit in Salesforce");

        // inventory counted in NetSuite reaches the Salesforce Product
        ns.change("inventoryItem", "eid:SKU-1", fields("totalQuantityOnHand", 33));
        NetSuiteIT.Host.poll(() -> sf.find("Product2", "SKU__c", "SKU-1").isEmpty() ? null
                : sf.record("Product2", sf.find("Product2", "SKU__c", "SKU-1").getFirst()).orElseThrow(), "the product")
                .forEach((k, v) -> { });
        Map<String, Object> product = sf.record("Product2", sf.find("Product2", "SKU__c", "SKU-1").getFirst()).orElseThrow();
        assertThat(((Number) product.get("Quantity_On_Hand__c")).intValue()).isEqualTo(33);
        assertThat(product).containsEntry("Name", "Widget");

        // settle: every notification processed, then nothing more is written anywhere
        assertThat(ns.awaitDeliveries(Duration.ofSeconds(20))).isTrue();
        awaitQuiet();
        int nsWrites = ns.apiWrites();
        long sfWrites = sf.writes();
        Thread.sleep(1500); // a loop would keep writing; give it the time a few round trips take
        awaitQuiet();
        assertThat(ns.apiWrites()).as("NetSuite writes after settling").isEqualTo(nsWrites);
        assertThat(sf.writes()).as("Salesforce writes after settling").isEqualTo(sfWrites);
        assertThat(nsWrites).as("NetSuite written once, by the Account's creation").isEqualTo(1);
        assertThat(host.getJson("/api/events?status=failed&limit=1").path("events")).isEmpty();
        assertThat(ns.violations()).isEmpty();
        assertThat(sf.violations()).isEmpty();
    }

    private int creditLimitInSalesforce() {
        return sf.find("Account", "Customer_Number__c", "C-1001").stream().findFirst()
                .flatMap(id -> sf.record("Account", id)).map(r -> r.get("Credit_Limit__c"))
                .filter(Objects::nonNull).map(v -> ((Number) v).intValue()).orElse(-1);
    }

    private void awaitQuiet() {
        NetSuiteIT.Host.poll(() -> host.getJson("/api/events?status=pending&limit=1").path("events").isEmpty()
                && host.getJson("/api/events?status=running&limit=1").path("events").isEmpty() ? true : null,
                "no event pending or running");
    }

    private static Path copy(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                Path rel = from.relativize(file);
                if (rel.startsWith("data") || rel.startsWith("suitescript")) {
                    continue;
                }
                Path target = to.resolve(rel.toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(file, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        return to;
    }
}
