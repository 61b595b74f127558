package dev.steward.connector.dynamics;

import dev.steward.plugin.Connector;
import dev.steward.plugin.ConnectorException;
import dev.steward.plugin.EntityConfig;
import dev.steward.plugin.Page;
import dev.steward.plugin.RecordWrite;
import dev.steward.plugin.SystemRateLimitedException;
import dev.steward.plugin.SystemRecord;
import dev.steward.plugin.VersionConflictException;
import dev.steward.plugin.WriteOptions;
import dev.steward.plugin.WriteRefusedException;
import dev.steward.testing.MutableClock;
import dev.steward.testing.vendors.dynamics.DataverseFake;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The dynamics connector against the Dataverse fake, over real HTTP. */
class DynamicsConnectorTest {

    private static final WriteOptions OPTIONS = new WriteOptions("idem-1", "event-1");

    private DataverseFake fake;
    private Connector connector;

    @BeforeEach
    void start() {
        fake = DataverseFake.start();
        connector = open(Map.of());
    }

    @AfterEach
    void stop() {
        connector.close();
        fake.close();
    }

    private Connector open(Map<String, Object> extra, EntityConfig... entities) {
        return new DynamicsConnectorFactory().create(Dynamics.system(fake, extra, entities),
                new Dynamics.Context(Clock.systemUTC()));
    }

    @Test
    void upsertsByAlternateKeyAndReadsBackWithTheEtag() {
        connector.upsert(Dynamics.CUSTOMER, "A-1", Map.of("name", "Contoso", "creditlimit", 5000), OPTIONS);
        Optional<SystemRecord> record = connector.readRecord(Dynamics.CUSTOMER, "A-1");

        assertTrue(record.isPresent());
        assertEquals("Contoso", record.get().fields().get("name"));
        assertEquals(5000L, record.get().fields().get("creditlimit"));
        assertEquals("A-1", record.get().fields().get("accountnumber"));
        assertEquals(fake.etag("accounts", "A-1"), record.get().version());

        connector.upsert(Dynamics.CUSTOMER, "A-1", Map.of("creditlimit", new BigDecimal("7500.50")), OPTIONS);
        assertEquals(new BigDecimal("7500.50"), connector.read(Dynamics.CUSTOMER, "A-1").orElseThrow().get("creditlimit"));
        assertEquals("Contoso", fake.row("accounts", "A-1").orElseThrow().get("name"), "fields not given stay");
        assertEquals(2, fake.writes("accounts"));
        assertEquals(List.of(), fake.violations());
    }

    @Test
    void aMissingRecordReadsEmpty() {
        assertEquals(Optional.empty(), connector.read(Dynamics.CUSTOMER, "nobody"));
        assertEquals(List.of(), fake.violations());
    }

    @Test
    void keysWithQuotesAndSpacesAreEscaped() {
        String key = "O'Brien & Sons/1 ?#";
        connector.upsert(Dynamics.CUSTOMER, key, Map.of("name", "O'Brien"), OPTIONS);
        assertEquals("O'Brien", fake.row("accounts", key).orElseThrow().get("name"));
        assertEquals("O'Brien", connector.read(Dynamics.CUSTOMER, key).orElseThrow().get("name"));
        assertEquals(List.of(), fake.violations());
    }

    @Test
    void aVersionedWriteAppliesOnlyToTheVersionRead() {
        connector.upsert(Dynamics.CUSTOMER, "A-1", Map.of("name", "Contoso"), OPTIONS);
        String read = connector.readRecord(Dynamics.CUSTOMER, "A-1").orElseThrow().version().orElseThrow();

        connector.upsert(Dynamics.CUSTOMER, RecordWrite.ifVersion("A-1", Map.of("name", "Contoso Ltd"), OPTIONS, read));
        String after = connector.readRecord(Dynamics.CUSTOMER, "A-1").orElseThrow().version().orElseThrow();
        assertNotEquals(read, after, "every write changes the etag");

        fake.change("accounts", "A-1", Map.of("name", "Changed in Dynamics"));
        VersionConflictException conflict = assertThrows(VersionConflictException.class, () -> connector.upsert(
                Dynamics.CUSTOMER, RecordWrite.ifVersion("A-1", Map.of("name", "stale"), OPTIONS, after)));
        assertEquals("A-1", conflict.key());
        assertEquals("Changed in Dynamics", fake.row("accounts", "A-1").orElseThrow().get("name"));
        assertEquals(List.of(), fake.violations());
    }

    @Test
    void updateOnlyAndCreateOnlyEntitiesSendTheirPreconditions() {
        EntityConfig updateOnly = new EntityConfig("customer", Map.of("entitySet", "accounts", "key", "accountnumber",
                "write", "updateOnly"), Dynamics.CUSTOMER.fields());
        try (Connector updating = open(Map.of(), updateOnly)) {
            WriteRefusedException missing = assertThrows(WriteRefusedException.class,
                    () -> updating.upsert(updateOnly, "A-9", Map.of("name", "x"), OPTIONS));
            assertEquals(404, missing.status());
            assertTrue(missing.getMessage().contains("Does Not Exist"), missing.getMessage());
        }
        EntityConfig createOnly = new EntityConfig("customer", Map.of("entitySet", "accounts", "key", "accountnumber",
                "write", "createOnly"), Dynamics.CUSTOMER.fields());
        try (Connector creating = open(Map.of(), createOnly)) {
            creating.upsert(createOnly, "A-9", Map.of("name", "first"), OPTIONS);
            WriteRefusedException exists = assertThrows(WriteRefusedException.class,
                    () -> creating.upsert(createOnly, "A-9", Map.of("name", "second"), OPTIONS));
            assertEquals(412, exists.status());
            assertTrue(exists.getMessage().contains("already exists"), exists.getMessage());
        }
        assertEquals("first", fake.row("accounts", "A-9").orElseThrow().get("name"));
        assertEquals(List.of(), fake.violations());
    }

    @Test
    void aRefusedValueNamesTheAttributeAndDataversesMessage() {
        WriteRefusedException refused = assertThrows(WriteRefusedException.class,
                () -> connector.upsert(Dynamics.CUSTOMER, "A-1", Map.of("creditlimit", -5), OPTIONS));
        assertEquals(400, refused.status());
        assertTrue(refused.getMessage().contains("'creditlimit'"), refused.getMessage());
        assertTrue(refused.getMessage().contains("outside the valid range"), refused.getMessage());
        assertEquals(Optional.empty(), fake.row("accounts", "A-1"));
    }

    @Test
    void anUnknownAttributeIsRefusedWithItsName() {
        EntityConfig wrong = new EntityConfig("customer", Map.of("entitySet", "accounts", "key", "accountnumber"),
                Dynamics.linked("id", "accountnumber", "nickname", "nickname"));
        try (Connector c = open(Map.of(), wrong)) {
            WriteRefusedException refused = assertThrows(WriteRefusedException.class,
                    () -> c.upsert(wrong, "A-1", Map.of("nickname", "x"), OPTIONS));
            assertTrue(refused.getMessage().contains("Invalid property 'nickname'"), refused.getMessage());
        }
        assertEquals(1, fake.violations().size(), "the fake noticed the unknown attribute: " + fake.violations());
    }

    @Test
    void listsEveryRecordPageByPageWithTheNextLink() {
        Set<String> written = new HashSet<>();
        for (int i = 0; i < 23; i++) {
            fake.change("accounts", "A-" + i, Map.of("name", "Account " + i));
            written.add("A-" + i);
        }
        List<SystemRecord> seen = new ArrayList<>();
        Optional<String> cursor = Optional.empty();
        int pages = 0;
        do {
            Page page = connector.list(Dynamics.CUSTOMER, cursor, 10);
            assertTrue(page.records().size() <= 10);
            seen.addAll(page.records());
            cursor = page.next();
            pages++;
        } while (cursor.isPresent());

        assertEquals(3, pages);
        assertEquals(written, new HashSet<>(seen.stream().map(SystemRecord::key).toList()));
        assertTrue(seen.stream().allMatch(r -> r.version().isPresent() && r.fields().containsKey("name")));
        assertEquals(List.of(), fake.violations());
    }

    @Test
    void aTokenIsFetchedOnceAndAgainAfterA401() {
        connector.upsert(Dynamics.CUSTOMER, "A-1", Map.of("name", "Contoso"), OPTIONS);
        connector.read(Dynamics.CUSTOMER, "A-1");
        assertEquals(1, fake.tokensIssued(), "the token is cached");

        fake.expireTokens();
        assertEquals("Contoso", connector.read(Dynamics.CUSTOMER, "A-1").orElseThrow().get("name"));
        assertEquals(2, fake.tokensIssued(), "a 401 fetched a new token once");
        assertEquals(List.of(), fake.violations());
    }

    @Test
    void aTokenCloseToItsExpiryIsRenewedBeforeUse() {
        fake.tokenLifetime(Duration.ofHours(1));
        MutableClock clock = MutableClock.at("2026-11-28T12:00:00Z");
        try (Connector timed = new DynamicsConnectorFactory().create(Dynamics.system(fake, Map.of()),
                new Dynamics.Context(clock))) {
            timed.read(Dynamics.CUSTOMER, "A-1");
            clock.advance(Duration.ofMinutes(58));
            timed.read(Dynamics.CUSTOMER, "A-1");
            assertEquals(1, fake.tokensIssued(), "a token is kept while it has more than a minute left");
            clock.advance(Duration.ofSeconds(61));
            timed.read(Dynamics.CUSTOMER, "A-1");
            assertEquals(2, fake.tokensIssued(), "a token that expires within a minute is not used");
        }
    }

    @Test
    void wrongClientCredentialsAreAPermanentErrorWithEntrasReason() {
        try (Connector wrong = open(Map.of("clientSecret", "not-the-secret"))) {
            ConnectorException refused = assertThrows(ConnectorException.class,
                    () -> wrong.read(Dynamics.CUSTOMER, "A-1"));
            assertFalse(refused.retryable());
            assertTrue(refused.getMessage().contains("invalid_client"), refused.getMessage());
            assertFalse(refused.getMessage().contains("not-the-secret"), "the secret is never shown");
        }
    }

    @Test
    void theServiceProtectionLimitIsARateLimitWithItsRetryAfter() {
        fake.rateLimit(3, Duration.ofMinutes(5), 7);
        for (int i = 0; i < 3; i++) {
            connector.read(Dynamics.CUSTOMER, "A-1");
        }
        SystemRateLimitedException limited = assertThrows(SystemRateLimitedException.class,
                () -> connector.upsert(Dynamics.CUSTOMER, "A-1", Map.of("name", "x"), OPTIONS));
        assertEquals(Optional.of(Duration.ofSeconds(7)), limited.retryAfter());
        assertTrue(limited.getMessage().contains("0x80072322"), limited.getMessage());
        assertTrue(limited.retryable());
        assertEquals(1, fake.throttled());
    }

    @Test
    void rowsKeyedByTheirGuid() {
        EntityConfig byId = new EntityConfig("contact", Map.of("entitySet", "contacts"),
                Dynamics.linked("id", "contactid", "first", "firstname", "last", "lastname"));
        String id = "6d81597f-0f9f-e711-8122-000d3aa2331c";
        try (Connector c = open(Map.of(), byId)) {
            c.upsert(byId, id, Map.of("firstname", "James", "lastname", "Glynn"), OPTIONS);
            Map<String, Object> read = c.read(byId, id).orElseThrow();
            assertEquals("James", read.get("firstname"));
            assertEquals(id, read.get("contactid"));
            WriteRefusedException notAGuid = assertThrows(WriteRefusedException.class, () -> c.read(byId, "A-1"));
            assertTrue(notAGuid.getMessage().contains("not a GUID"), notAGuid.getMessage());
        }
        assertEquals(List.of(), fake.violations());
    }

    @Test
    void lookupsAreBoundWithODataBind() {
        connector.upsert(Dynamics.CUSTOMER, "A-1", Map.of("name", "Contoso"), OPTIONS);
        String accountId = (String) fake.row("accounts", "A-1").orElseThrow().get("accountid");
        EntityConfig contact = new EntityConfig("contact", Map.of("entitySet", "contacts", "key", "emailaddress1"),
                Dynamics.linked("email", "emailaddress1", "last", "lastname", "company",
                        "parentcustomerid_account@odata.bind"));
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("lastname", "Glynn");
        fields.put("parentcustomerid_account@odata.bind", "/accounts(" + accountId + ")");
        try (Connector c = open(Map.of(), Dynamics.CUSTOMER, contact)) {
            c.upsert(contact, "james@example.com", fields, OPTIONS);
            assertEquals("Glynn", c.read(contact, "james@example.com").orElseThrow().get("lastname"));
        }
        assertEquals(accountId, fake.row("contacts", "james@example.com").orElseThrow().get("_parentcustomerid_value"));
        assertEquals(List.of(), fake.violations());
    }

    @Test
    void upsertAllWritesOneBatchChangeSet() {
        fake.change("accounts", "A-2", Map.of("name", "old"));
        String version = fake.etag("accounts", "A-2").orElseThrow();
        List<RecordWrite> writes = List.of(
                RecordWrite.of("A-1", Map.of("name", "One", "creditlimit", 10), OPTIONS),
                RecordWrite.ifVersion("A-2", Map.of("name", "Two"), OPTIONS, version),
                RecordWrite.of("O'Neil 3", Map.of("name", "Three"), OPTIONS),
                RecordWrite.of("A-1", Map.of("name", "One again"), OPTIONS));
        connector.upsertAll(Dynamics.CUSTOMER, writes);

        assertEquals(1, fake.batches());
        assertEquals("One again", fake.row("accounts", "A-1").orElseThrow().get("name"), "list order kept");
        assertEquals("Two", fake.row("accounts", "A-2").orElseThrow().get("name"));
        assertEquals("Three", fake.row("accounts", "O'Neil 3").orElseThrow().get("name"));
        assertEquals(List.of(), fake.violations());
    }

    @Test
    void aBatchWithAStaleVersionAppliesNothingAndNamesTheRecord() {
        fake.change("accounts", "A-2", Map.of("name", "old"));
        String stale = fake.etag("accounts", "A-2").orElseThrow();
        fake.change("accounts", "A-2", Map.of("name", "changed meanwhile"));
        List<RecordWrite> writes = List.of(
                RecordWrite.of("A-1", Map.of("name", "One"), OPTIONS),
                RecordWrite.ifVersion("A-2", Map.of("name", "Two"), OPTIONS, stale));

        VersionConflictException conflict = assertThrows(VersionConflictException.class,
                () -> connector.upsertAll(Dynamics.CUSTOMER, writes));
        assertEquals("A-2", conflict.key());
        assertEquals(Optional.empty(), fake.row("accounts", "A-1"), "the change set is all or nothing");
        assertEquals("changed meanwhile", fake.row("accounts", "A-2").orElseThrow().get("name"));
    }

    @Test
    void aBatchWithARefusedValueNamesTheAttribute() {
        List<RecordWrite> writes = List.of(
                RecordWrite.of("A-1", Map.of("name", "One"), OPTIONS),
                RecordWrite.of("A-2", Map.of("creditlimit", -1), OPTIONS));
        WriteRefusedException refused = assertThrows(WriteRefusedException.class,
                () -> connector.upsertAll(Dynamics.CUSTOMER, writes));
        assertTrue(refused.getMessage().contains("'creditlimit'"), refused.getMessage());
        assertTrue(refused.getMessage().contains("accountnumber='A-2'"), refused.getMessage());
        assertEquals(Optional.empty(), fake.row("accounts", "A-1"));
        assertEquals(List.of(), fake.violations());
    }
}
