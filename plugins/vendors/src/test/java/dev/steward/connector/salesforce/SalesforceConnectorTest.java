package dev.steward.connector.salesforce;

import dev.steward.connector.vendor.TestContext;
import dev.steward.plugin.Connector;
import dev.steward.plugin.ConnectorException;
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
import dev.steward.testing.vendors.salesforce.FakeSalesforce;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The salesforce connector against the fake org, over real HTTP. */
class SalesforceConnectorTest {

    private static final WriteOptions OPTIONS = new WriteOptions("idem-1", "event-1");
    private static final EntityConfig CUSTOMER = new EntityConfig("customer",
            Map.of("sobject", "Account", "externalId", "Customer_Number__c"),
            linked("name", "Name", "phone", "Phone", "revenue", "AnnualRevenue"));

    @TempDir
    Path workspace;
    private FakeSalesforce fake;
    private TestContext context;
    private final List<Connector> connectors = new ArrayList<>();

    @BeforeEach
    void start() {
        fake = FakeSalesforce.start().externalId("Account", "Customer_Number__c");
        context = TestContext.of(Clock.systemUTC(), workspace);
    }

    @AfterEach
    void stop() {
        connectors.forEach(Connector::close);
        fake.close();
    }

    @Test
    void upsertCreatesThenUpdatesByExternalIdAndReadsItBack() {
        Connector crm = connector(clientCredentials());
        crm.upsert(CUSTOMER, "C-1", Map.of("Name", "Acme", "Phone", "555-0100"), OPTIONS);
        String id = fake.find("Account", "Customer_Number__c", "C-1").getFirst();
        assertThat(id).hasSize(18).startsWith("001");

        crm.upsert(CUSTOMER, "C-1", Map.of("Phone", "555-0199"), OPTIONS);

        assertThat(fake.find("Account", "Customer_Number__c", "C-1")).containsExactly(id);
        assertThat(crm.read(CUSTOMER, "C-1")).contains(linked("Name", "Acme", "Phone", "555-0199",
                "AnnualRevenue", null));
        assertThat(crm.read(CUSTOMER, "C-404")).isEmpty();
        assertThat(fake.tokenRequests()).isEqualTo(1);
        assertThat(fake.requests()).contains("PATCH /services/data/v62.0/sobjects/Account/Customer_Number__c/C-1");
        assertThat(fake.violations()).isEmpty();
    }

    @Test
    void anExpiredSessionIsRenewedOnceAndTheCallRepeated() {
        Connector crm = connector(clientCredentials());
        crm.upsert(CUSTOMER, "C-1", Map.of("Name", "Acme"), OPTIONS);

        fake.expireSessions();
        crm.upsert(CUSTOMER, "C-1", Map.of("Name", "Acme Corp"), OPTIONS);

        assertThat(fake.tokenRequests()).isEqualTo(2);
        assertThat(crm.read(CUSTOMER, "C-1").orElseThrow()).containsEntry("Name", "Acme Corp");
        assertThat(fake.violations()).isEmpty();
    }

    @Test
    void theJwtBearerFlowSignsAnAssertionTheOrgAccepts() throws Exception {
        Path key = workspace.resolve("keys/sf.pem");
        Files.createDirectories(key.getParent());
        Files.writeString(key, fake.privateKeyPem());
        Map<String, Object> auth = Map.of("flow", "jwtBearer", "clientId", fake.clientId(),
                "username", fake.username(), "privateKeyFile", "keys/sf.pem");
        Connector crm = connector(auth);

        crm.upsert(CUSTOMER, "C-9", Map.of("Name", "Jwt Inc"), OPTIONS);

        assertThat(fake.find("Account", "Customer_Number__c", "C-9")).hasSize(1);
        assertThat(fake.violations()).isEmpty();
    }

    @Test
    void wrongCredentialsAreAPermanentErrorNamingSalesforcesReason() {
        Connector crm = connector(Map.of("clientId", fake.clientId(), "clientSecret", "wrong"));

        assertThatThrownBy(() -> crm.read(CUSTOMER, "C-1"))
                .isInstanceOf(ConnectorException.class)
                .hasMessageContaining("invalid_client")
                .satisfies(e -> assertThat(((ConnectorException) e).retryable()).isFalse());
        assertThat(crm.unreachable()).hasValueSatisfying(reason -> assertThat(reason).contains("invalid_client"));
        assertThat(connector(clientCredentials()).unreachable()).isEmpty();
    }

    @Test
    void aValidationErrorNamesTheFieldAndSalesforcesMessage() {
        fake.rule("Account", "AnnualRevenue", v -> ((Number) v).doubleValue() < 0, "Revenue cannot be negative");
        Connector crm = connector(clientCredentials());

        assertThatThrownBy(() -> crm.upsert(CUSTOMER, "C-1", Map.of("Phone", "1"), OPTIONS))
                .isInstanceOf(WriteRefusedException.class)
                .hasMessageContaining("REQUIRED_FIELD_MISSING on Name");
        assertThatThrownBy(() -> crm.upsert(CUSTOMER, "C-1", Map.of("Name", "A", "AnnualRevenue", -5), OPTIONS))
                .isInstanceOf(WriteRefusedException.class)
                .hasMessageContaining("FIELD_CUSTOM_VALIDATION_EXCEPTION on AnnualRevenue: Revenue cannot be negative")
                .satisfies(e -> assertThat(((WriteRefusedException) e).status()).isEqualTo(400));
        assertThatThrownBy(() -> crm.upsert(CUSTOMER, "C-1", Map.of("Name", "A", "Nope__c", 1), OPTIONS))
                .isInstanceOf(WriteRefusedException.class)
                .hasMessageContaining("INVALID_FIELD on Nope__c");
        assertThat(fake.violations()).isEmpty();
    }

    @Test
    void severalRecordsWithTheExternalIdAreRefusedNamingThem() {
        String a = fake.create("Account", Map.of("Name", "One", "Customer_Number__c", "C-2"));
        String b = fake.create("Account", Map.of("Name", "Two", "Customer_Number__c", "C-2"));
        Connector crm = connector(clientCredentials());

        assertThatThrownBy(() -> crm.upsert(CUSTOMER, "C-2", Map.of("Name", "Three"), OPTIONS))
                .isInstanceOf(WriteRefusedException.class)
                .hasMessageContaining(a).hasMessageContaining(b)
                .satisfies(e -> assertThat(((WriteRefusedException) e).status()).isEqualTo(300));
    }

    @Test
    void anAccountsEtagGuardsTheWrite() {
        Connector crm = connector(clientCredentials());
        crm.upsert(CUSTOMER, "C-1", Map.of("Name", "Acme"), OPTIONS);
        SystemRecord read = crm.readRecord(CUSTOMER, "C-1").orElseThrow();
        assertThat(read.version()).isPresent();

        fake.update("Account", fake.find("Account", "Customer_Number__c", "C-1").getFirst(), Map.of("Phone", "9"));

        assertThatThrownBy(() -> crm.upsert(CUSTOMER, RecordWrite.ifVersion("C-1", Map.of("Name", "Old"), OPTIONS,
                read.version().get())))
                .isInstanceOf(VersionConflictException.class)
                .satisfies(e -> assertThat(((VersionConflictException) e).key()).isEqualTo("C-1"));
        SystemRecord fresh = crm.readRecord(CUSTOMER, "C-1").orElseThrow();
        assertThat(fresh.version()).isNotEqualTo(read.version());
        crm.upsert(CUSTOMER, RecordWrite.ifVersion("C-1", Map.of("Name", "New"), OPTIONS, fresh.version().get()));
        assertThat(crm.read(CUSTOMER, "C-1").orElseThrow()).containsEntry("Name", "New").containsEntry("Phone", "9");
        assertThat(fake.violations()).isEmpty();
    }

    @Test
    void upsertAllSendsCollectionsOfAtMost200AndNamesTheRefusedRecords() {
        fake.rule("Account", "AnnualRevenue", v -> ((Number) v).doubleValue() < 0, "Revenue cannot be negative");
        Connector crm = connector(clientCredentials());
        List<RecordWrite> writes = new ArrayList<>();
        for (int i = 0; i < 250; i++) {
            writes.add(RecordWrite.of("B-" + i, Map.of("Name", "Batch " + i, "AnnualRevenue", i == 7 ? -1 : i),
                    OPTIONS));
        }

        assertThatThrownBy(() -> crm.upsertAll(CUSTOMER, writes))
                .isInstanceOf(WriteRefusedException.class)
                .hasMessageContaining("refused 1 of 250")
                .hasMessageContaining("B-7")
                .hasMessageContaining("FIELD_CUSTOM_VALIDATION_EXCEPTION on AnnualRevenue");

        assertThat(fake.records("Account")).hasSize(249);
        assertThat(fake.requests()).filteredOn(r -> r.contains("/composite/sobjects/Account/Customer_Number__c"))
                .hasSize(2);
        assertThat(fake.violations()).isEmpty();
    }

    @Test
    void upsertAllKeepsTheOrderOfWritesToOneKey() {
        Connector crm = connector(clientCredentials());

        crm.upsertAll(CUSTOMER, List.of(
                RecordWrite.of("D-1", Map.of("Name", "first"), OPTIONS),
                RecordWrite.of("D-2", Map.of("Name", "other"), OPTIONS),
                RecordWrite.of("D-1", Map.of("Name", "second"), OPTIONS)));

        assertThat(crm.read(CUSTOMER, "D-1").orElseThrow()).containsEntry("Name", "second");
        assertThat(fake.requests()).filteredOn(r -> r.contains("/composite/sobjects/")).hasSize(2);
        assertThat(fake.violations()).isEmpty();
    }

    @Test
    void listPagesThroughNextRecordsUrlAndCutsBatchesToTheLimit() {
        for (int i = 0; i < 450; i++) {
            fake.create("Account", Map.of("Name", "L" + i, "Customer_Number__c", "L-" + i));
        }
        fake.create("Account", Map.of("Name", "no number"));
        Connector crm = connector(clientCredentials());

        List<String> big = keys(crm, 200);
        List<String> small = keys(crm, 70);

        assertThat(big).hasSize(450).doesNotHaveDuplicates();
        assertThat(small).isEqualTo(big);
        assertThat(fake.requests()).anyMatch(r -> r.matches("GET /services/data/v62.0/query/01g.*-200"));
        assertThat(fake.violations()).isEmpty();
    }

    @Test
    void theDailyLimitIsARateLimitWithARetryNotARefusal() {
        Connector crm = connector(clientCredentials());
        crm.upsert(CUSTOMER, "C-1", Map.of("Name", "Acme"), OPTIONS);
        fake.dailyLimit(3, Duration.ofHours(1));
        crm.read(CUSTOMER, "C-1");
        crm.read(CUSTOMER, "C-1");

        assertThatThrownBy(() -> crm.read(CUSTOMER, "C-1"))
                .isInstanceOf(SystemRateLimitedException.class)
                .hasMessageContaining("TotalRequests")
                .satisfies(e -> assertThat(((SystemRateLimitedException) e).retryAfter())
                        .contains(Duration.ofMinutes(30)));
        assertThat(((SalesforceConnector) crm).apiUsage()).contains(new SalesforceAnswers.ApiUsage(3, 3));
        assertThat(context.warnings()).anyMatch(w -> w.contains("3 of the org's 3 daily API requests"));
    }

    @Test
    void theConcurrencyLimitIsARateLimitWithAShortRetry() {
        fake.concurrencyLimit(0);
        Connector crm = connector(clientCredentials());

        assertThatThrownBy(() -> crm.read(CUSTOMER, "C-0"))
                .isInstanceOf(SystemRateLimitedException.class)
                .hasMessageContaining("ConcurrentPerOrgLongTxn")
                .satisfies(e -> assertThat(((SystemRateLimitedException) e).retryAfter())
                        .contains(SalesforceAnswers.CONCURRENCY_RETRY));
    }

    @Test
    void anOrgThatDoesNotAnswerIsUnavailable() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Map<String, Object> settings = new HashMap<>(settings(clientCredentials()));
        settings.put("myDomain", "http://127.0.0.1:" + port);
        Connector crm = create(settings);

        assertThatThrownBy(() -> crm.read(CUSTOMER, "C-1")).isInstanceOf(SystemUnavailableException.class);
    }

    private List<String> keys(Connector crm, int limit) {
        List<String> keys = new ArrayList<>();
        Optional<String> cursor = Optional.empty();
        do {
            Page page = crm.list(CUSTOMER, cursor, limit);
            assertThat(page.records().size()).isLessThanOrEqualTo(limit);
            page.records().forEach(r -> keys.add(r.key()));
            cursor = page.next();
        } while (cursor.isPresent());
        return keys;
    }

    private Map<String, Object> clientCredentials() {
        return Map.of("clientId", fake.clientId(), "clientSecret", fake.clientSecret());
    }

    private Map<String, Object> settings(Map<String, Object> auth) {
        return Map.of("myDomain", fake.url(), "auth", auth);
    }

    private Connector connector(Map<String, Object> auth) {
        return create(settings(auth));
    }

    private Connector create(Map<String, Object> settings) {
        SystemConfig config = new SystemConfig("crm", "salesforce", settings, Map.of("customer", CUSTOMER));
        SalesforceConnectorFactory factory = new SalesforceConnectorFactory();
        assertThat(factory.validate(config, workspace)).isEmpty();
        Connector connector = factory.create(config, context);
        connectors.add(connector);
        return connector;
    }

    static <V> Map<String, V> linked(Object... pairs) {
        Map<String, V> map = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            @SuppressWarnings("unchecked")
            V value = (V) pairs[i + 1];
            map.put((String) pairs[i], value);
        }
        return map;
    }
}
