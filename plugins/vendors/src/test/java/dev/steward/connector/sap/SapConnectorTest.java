package dev.steward.connector.sap;

import dev.steward.connector.vendor.TestContext;
import dev.steward.plugin.ConfigProblem;
import dev.steward.plugin.Connector;
import dev.steward.plugin.EntityConfig;
import dev.steward.plugin.Page;
import dev.steward.plugin.RecordWrite;
import dev.steward.plugin.SystemConfig;
import dev.steward.plugin.SystemRateLimitedException;
import dev.steward.plugin.SystemRecord;
import dev.steward.plugin.SystemUnavailableException;
import dev.steward.plugin.VersionConflictException;
import dev.steward.plugin.WriteOptions;
import dev.steward.plugin.WriteRefusedException;
import dev.steward.testing.vendors.sap.SapFake;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The sap connector against {@link SapFake} over real HTTP. */
class SapConnectorTest {

    private static final WriteOptions OPTIONS = new WriteOptions("idem-1", "event-1");

    private SapFake fake;
    private final List<Connector> connectors = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        fake = new SapFake();
    }

    @AfterEach
    void stop() {
        connectors.forEach(Connector::close);
        fake.close();
    }

    static EntityConfig partner() {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("name", "OrganizationBPName1");
        fields.put("category", "BusinessPartnerCategory");
        fields.put("search", "SearchTerm1");
        return new EntityConfig("partner", Map.of(), fields);
    }

    static SystemConfig config(String baseUrl, Map<String, Object> auth) {
        return new SystemConfig("s4", "sap", Map.of("baseUrl", baseUrl, "auth", auth, "sapClient", "100"),
                Map.of("partner", partner()));
    }

    private Connector connector(Map<String, Object> auth) {
        SapConnectorFactory factory = new SapConnectorFactory();
        SystemConfig config = config(fake.baseUrl(), auth);
        assertThat(factory.validate(config)).isEmpty();
        Connector connector = factory.create(config, TestContext.of(Clock.systemUTC()));
        connectors.add(connector);
        return connector;
    }

    private Connector basic() {
        return connector(Map.of("type", "basic", "user", "STEWARD_COMM", "password", "comm-secret"));
    }

    @Test
    void createsReadsAndUpdatesWithEtagsAndTheCsrfToken() {
        Connector sap = basic();
        sap.upsert(partner(), "1000123", Map.of("OrganizationBPName1", "ACME", "BusinessPartnerCategory", "2"), OPTIONS);
        SystemRecord created = sap.readRecord(partner(), "1000123").orElseThrow();
        assertThat(created.fields()).containsEntry("OrganizationBPName1", "ACME").containsEntry("SearchTerm1", "");
        assertThat(created.version()).get().asString().startsWith("W/\"datetime'");

        sap.upsert(partner(), "1000123", Map.of("OrganizationBPName1", "ACME Corp"), OPTIONS);
        SystemRecord updated = sap.readRecord(partner(), "1000123").orElseThrow();
        assertThat(updated.fields()).containsEntry("OrganizationBPName1", "ACME Corp")
                .containsEntry("BusinessPartnerCategory", "2");
        assertThat(updated.version()).isNotEqualTo(created.version());
        assertThat(fake.count("POST A_BusinessPartner")).isEqualTo(1);
        assertThat(fake.count("PATCH A_BusinessPartner")).isEqualTo(1);
        assertThat(fake.count("csrf-fetch")).isEqualTo(1);
        assertThat(sap.read(partner(), "9999999")).isEmpty();
        assertThat(fake.violations()).isEmpty();
    }

    @Test
    void anExpiredCsrfTokenIsFetchedAgainAndTheWriteSucceeds() {
        Connector sap = basic();
        sap.upsert(partner(), "1000001", Map.of("OrganizationBPName1", "One"), OPTIONS);
        fake.expireCsrfTokens();
        sap.upsert(partner(), "1000001", Map.of("OrganizationBPName1", "One again"), OPTIONS);
        assertThat(fake.record("A_BusinessPartner", "1000001")).get()
                .extracting(r -> r.get("OrganizationBPName1")).isEqualTo("One again");
        assertThat(fake.count("csrf-required")).isEqualTo(1);
        assertThat(fake.count("csrf-fetch")).isEqualTo(2);
        assertThat(fake.violations()).isEmpty();
    }

    @Test
    void manyThreadsShareOneCsrfToken() throws Exception {
        Connector sap = basic();
        ExecutorService pool = Executors.newFixedThreadPool(6);
        try {
            List<Future<?>> writes = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                String key = Integer.toString(2_000_000 + i);
                writes.add(pool.submit(() -> sap.upsert(partner(), key, Map.of("OrganizationBPName1", "P" + key), OPTIONS)));
                if (i == 6) {
                    fake.expireCsrfTokens();
                }
            }
            for (Future<?> write : writes) {
                write.get();
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(fake.count("POST A_BusinessPartner")).isEqualTo(12);
        // one fetch at the start, one after the expiry, however many threads found it stale
        assertThat(fake.count("csrf-fetch")).isLessThanOrEqualTo(2);
        assertThat(fake.violations()).isEmpty();
    }

    @Test
    void oauthTokensAreCachedAndRenewedAfterA401() {
        Connector sap = connector(Map.of("type", "oauth2", "tokenUrl", fake.tokenUrl(), "clientId", "sb-steward",
                "clientSecret", "client-secret"));
        sap.upsert(partner(), "1000002", Map.of("OrganizationBPName1", "Two"), OPTIONS);
        sap.read(partner(), "1000002");
        assertThat(fake.count("token")).isEqualTo(1);
        fake.revokeAccessTokens();
        assertThat(sap.read(partner(), "1000002")).get().extracting(r -> r.get("OrganizationBPName1")).isEqualTo("Two");
        assertThat(fake.count("token")).isEqualTo(2);
        assertThat(fake.violations()).isEmpty();
    }

    @Test
    void wrongCredentialsAreARefusalThatSaysWhatToCheck() {
        Connector sap = connector(Map.of("type", "basic", "user", "STEWARD_COMM", "password", "wrong"));
        assertThatThrownBy(() -> sap.read(partner(), "1"))
                .hasMessageContaining("401").hasMessageContaining("communication user");
    }

    @Test
    void aStaleEtagIsAVersionConflict() {
        Connector sap = basic();
        sap.upsert(partner(), "1000003", Map.of("OrganizationBPName1", "Three"), OPTIONS);
        SystemRecord read = sap.readRecord(partner(), "1000003").orElseThrow();
        fake.change("A_BusinessPartner", "1000003", Map.of("SearchTerm1", "CHANGED"));
        RecordWrite write = RecordWrite.ifVersion("1000003", Map.of("OrganizationBPName1", "Mine"), OPTIONS,
                read.version().orElseThrow());
        assertThatThrownBy(() -> sap.upsert(partner(), write))
                .isInstanceOfSatisfying(VersionConflictException.class, e -> assertThat(e.key()).isEqualTo("1000003"))
                .hasMessageContaining("412");
        assertThat(fake.record("A_BusinessPartner", "1000003")).get()
                .extracting(r -> r.get("OrganizationBPName1")).isEqualTo("Three");
        SystemRecord again = sap.readRecord(partner(), "1000003").orElseThrow();
        sap.upsert(partner(), RecordWrite.ifVersion("1000003", Map.of("OrganizationBPName1", "Mine"), OPTIONS,
                again.version().orElseThrow()));
        assertThat(fake.record("A_BusinessPartner", "1000003")).get()
                .extracting(r -> r.get("OrganizationBPName1")).isEqualTo("Mine");
        assertThat(fake.violations()).isEmpty();
    }

    @Test
    void anUpsertThatMeetsARaceReadsAgainAndWritesOnce() {
        Connector sap = basic();
        // someone creates the partner between Steward's read (404) and its create: 409, read, update
        fake.changeBeforeNextWrite("A_BusinessPartner", "1000005", Map.of("OrganizationBPName1", "Theirs"));
        sap.upsert(partner(), "1000005", Map.of("SearchTerm1", "MINE"), OPTIONS);
        // someone changes it between Steward's read and its update: 412, read, update
        fake.changeBeforeNextWrite("A_BusinessPartner", "1000005", Map.of("LastName", "Also theirs"));
        sap.upsert(partner(), "1000005", Map.of("SearchTerm1", "MINE2"), OPTIONS);
        assertThat(fake.record("A_BusinessPartner", "1000005")).get().satisfies(r -> assertThat(r)
                .containsEntry("OrganizationBPName1", "Theirs").containsEntry("LastName", "Also theirs")
                .containsEntry("SearchTerm1", "MINE2"));
        assertThat(fake.count("POST A_BusinessPartner")).isZero();
        assertThat(fake.count("412")).isEqualTo(1);
        assertThat(fake.count("PATCH A_BusinessPartner")).isEqualTo(2);
        assertThat(fake.violations()).isEmpty();
    }

    @Test
    void aValueSapRefusesNamesThePropertyAndSapsMessage() {
        Connector sap = basic();
        assertThatThrownBy(() -> sap.upsert(partner(), "1000004", Map.of("OrganizationBPName1", "x".repeat(41)), OPTIONS))
                .isInstanceOfSatisfying(WriteRefusedException.class, e -> assertThat(e.status()).isEqualTo(400))
                .hasMessageContaining("property OrganizationBPName1")
                .hasMessageContaining("longer than 40 characters");
        assertThatThrownBy(() -> sap.upsert(partner(), "1000004", Map.of("BusinessPartnerCategory", "7"), OPTIONS))
                .isInstanceOf(WriteRefusedException.class)
                .hasMessageContaining("property BusinessPartnerCategory: Business partner category 7 is not defined");
        assertThat(fake.violations()).isEmpty();
    }

    @Test
    void listsPageByPageWithTopAndSkip() {
        Connector sap = basic();
        for (int i = 1; i <= 5; i++) {
            fake.change("A_BusinessPartner", "100000" + i, Map.of("OrganizationBPName1", "Org " + i));
        }
        List<String> keys = new ArrayList<>();
        Optional<String> cursor = Optional.empty();
        int pages = 0;
        do {
            Page page = sap.list(partner(), cursor, 2);
            page.records().forEach(r -> {
                keys.add(r.key());
                assertThat(r.version()).isPresent();
            });
            cursor = page.next();
            pages++;
        } while (cursor.isPresent());
        assertThat(keys).containsExactly("1000001", "1000002", "1000003", "1000004", "1000005");
        assertThat(pages).isEqualTo(3);
        assertThat(fake.violations()).isEmpty();
    }

    @Test
    void aFilterNarrowsTheList() {
        fake.change("A_BusinessPartner", "1000001", Map.of("OrganizationBPName1", "A", "BusinessPartnerCategory", "2"));
        fake.change("A_BusinessPartner", "1000002", Map.of("LastName", "B", "BusinessPartnerCategory", "1"));
        EntityConfig organizations = new EntityConfig("partner", Map.of("filter", "BusinessPartnerCategory eq '2'"),
                partner().fields());
        SystemConfig config = new SystemConfig("s4", "sap", Map.of("baseUrl", fake.baseUrl(), "auth",
                Map.of("type", "basic", "user", "STEWARD_COMM", "password", "comm-secret")), Map.of("partner", organizations));
        Connector sap = new SapConnectorFactory().create(config, TestContext.of(Clock.systemUTC()));
        connectors.add(sap);
        assertThat(sap.list(organizations, Optional.empty(), 10).records()).extracting(SystemRecord::key)
                .containsExactly("1000001");
        assertThat(fake.violations()).isEmpty();
    }

    @Test
    void salesOrdersLiveInTheirOwnService() {
        EntityConfig order = new EntityConfig("order", Map.of("service", "API_SALES_ORDER_SRV", "entitySet", "A_SalesOrder"),
                Map.of("customer", "SoldToParty", "reference", "PurchaseOrderByCustomer", "status", "OverallDeliveryStatus"));
        SystemConfig config = new SystemConfig("s4", "sap", Map.of("baseUrl", fake.baseUrl(), "auth",
                Map.of("type", "basic", "user", "STEWARD_COMM", "password", "comm-secret")), Map.of("order", order));
        assertThat(new SapConnectorFactory().validate(config)).isEmpty();
        Connector sap = new SapConnectorFactory().create(config, TestContext.of(Clock.systemUTC()));
        connectors.add(sap);
        sap.upsert(order, "5000001", Map.of("SoldToParty", "1000001", "PurchaseOrderByCustomer", "PO-1"), OPTIONS);
        sap.upsert(order, "5000001", Map.of("PurchaseOrderByCustomer", "PO-1b"), OPTIONS);
        assertThat(sap.read(order, "5000001")).get().satisfies(r -> assertThat(r)
                .containsEntry("SoldToParty", "1000001").containsEntry("PurchaseOrderByCustomer", "PO-1b")
                .containsEntry("OverallDeliveryStatus", "A"));
        assertThat(sap.list(order, Optional.empty(), 10).records()).extracting(SystemRecord::key).containsExactly("5000001");
        assertThatThrownBy(() -> sap.upsert(order, "5000001", Map.of("OverallDeliveryStatus", "C"), OPTIONS))
                .isInstanceOf(WriteRefusedException.class).hasMessageContaining("property OverallDeliveryStatus");
        assertThat(fake.violations()).containsExactly("Property 'OverallDeliveryStatus' is read-only (A_SalesOrder/OverallDeliveryStatus)");
    }

    @Test
    void aRateLimitCarriesRetryAfter() {
        Connector sap = basic();
        fake.rateLimit(1, Duration.ofSeconds(3));
        sap.read(partner(), "1");
        assertThatThrownBy(() -> sap.read(partner(), "1"))
                .isInstanceOfSatisfying(SystemRateLimitedException.class,
                        e -> assertThat(e.retryAfter()).contains(Duration.ofSeconds(3)))
                .hasMessageContaining("429");
    }

    @Test
    void anUnreachableSystemIsUnavailable() throws Exception {
        String base = fake.baseUrl();
        fake.close();
        SystemConfig config = config(base, Map.of("type", "basic", "user", "U", "password", "P"));
        Connector sap = new SapConnectorFactory().create(config, TestContext.of(Clock.systemUTC()));
        connectors.add(sap);
        assertThatThrownBy(() -> sap.read(partner(), "1")).isInstanceOf(SystemUnavailableException.class);
        fake = new SapFake();
    }

    @Test
    void settingsAreCheckedWithTheirPaths() {
        SapConnectorFactory factory = new SapConnectorFactory();
        List<ConfigProblem> problems = factory.validate(new SystemConfig("s4", "sap",
                Map.of("auth", Map.of("type", "saml"), "sapClient", "1", "colour", "red"),
                Map.of("partner", new EntityConfig("partner", Map.of("entitySet", "A_Thing"),
                        Map.of("name", "to_Address/Street")))));
        assertThat(problems).extracting(ConfigProblem::path).containsExactlyInAnyOrder(
                "colour", "baseUrl", "auth.type", "sapClient", "entities.partner.keyProperty",
                "entities.partner.fields.name");
        assertThat(factory.validate(new SystemConfig("s4", "sap", Map.of("baseUrl", "https://my1-api.s4hana.cloud.sap",
                        "auth", Map.of("type", "oauth2", "tokenUrl", "not a url", "clientId", "c")),
                Map.of("partner", partner()))))
                .extracting(ConfigProblem::path).containsExactlyInAnyOrder("auth.tokenUrl", "auth.clientSecret");
        assertThat(factory.lists(config("https://my1-api.s4hana.cloud.sap", Map.of()), "partner")).isTrue();
    }
}
