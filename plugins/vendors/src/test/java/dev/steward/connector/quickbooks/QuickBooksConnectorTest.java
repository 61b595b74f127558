package dev.steward.connector.quickbooks;

import dev.steward.connector.vendor.TestContext;
import dev.steward.plugin.Connector;
import dev.steward.plugin.EntityConfig;
import dev.steward.plugin.Page;
import dev.steward.plugin.RecordWrite;
import dev.steward.plugin.SecretStore;
import dev.steward.plugin.SystemConfig;
import dev.steward.plugin.SystemRateLimitedException;
import dev.steward.plugin.SystemRecord;
import dev.steward.plugin.VersionConflictException;
import dev.steward.plugin.WriteOptions;
import dev.steward.plugin.WriteRefusedException;
import dev.steward.testing.vendors.quickbooks.QuickBooksFake;
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

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The quickbooks connector against the QuickBooks fake, over real HTTP. */
class QuickBooksConnectorTest {

    private static final WriteOptions OPTIONS = new WriteOptions("idem-1", "event-1");

    private QuickBooksFake fake;
    private final List<Connector> opened = new ArrayList<>();

    private final EntityConfig customersById = new EntityConfig("customer", Map.of(),
            fields("name", "DisplayName", "email", "PrimaryEmailAddr.Address", "city", "BillAddr.City"));
    private final EntityConfig customersByName = new EntityConfig("account", Map.of("object", "Customer", "key", "DisplayName"),
            fields("email", "PrimaryEmailAddr.Address", "city", "BillAddr.City"));
    private final EntityConfig items = new EntityConfig("item", Map.of("key", "Sku",
            "defaults", Map.of("Type", "Inventory", "TrackQtyOnHand", true, "InvStartDate", "2026-01-01")),
            fields("name", "Name", "stock", "QtyOnHand"));

    private static Map<String, String> fields(String... pairs) {
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            map.put(pairs[i], pairs[i + 1]);
        }
        return map;
    }

    @BeforeEach
    void start() {
        fake = QuickBooksFake.start(QuickBooksFake.Options.defaults());
    }

    @AfterEach
    void stop() {
        opened.forEach(Connector::close);
        fake.close();
    }

    private SystemConfig config(Map<String, Object> extra) {
        QuickBooksFake.Options o = fake.options();
        Map<String, Object> settings = new LinkedHashMap<>(Map.of("realmId", o.realmId(), "clientId", o.clientId(),
                "clientSecret", o.clientSecret(), "refreshToken", o.initialRefreshToken(), "baseUrl", fake.baseUrl(),
                "tokenUrl", fake.tokenUrl()));
        settings.putAll(extra);
        return new SystemConfig("qbo", "quickbooks", settings, Map.of("customer", customersById,
                "account", customersByName, "item", items));
    }

    private Connector connector(SecretStore store) {
        return connector(store, TestContext.of(Clock.systemUTC(), store));
    }

    private Connector connector(SecretStore store, TestContext context) {
        SystemConfig config = config(Map.of());
        assertEquals(List.of(), new QuickBooksConnectorFactory().validate(config));
        Connector c = new QuickBooksConnectorFactory().create(config, context);
        opened.add(c);
        return c;
    }

    @Test
    void readsByIdAndByAFieldOfYours() {
        String id = fake.realm().create("Customer", Map.of("DisplayName", "Amy's Bird Sanctuary",
                "PrimaryEmailAddr", Map.of("Address", "birds@example.com"), "BillAddr", Map.of("City", "Bayshore")));
        Connector c = connector(SecretStore.inMemory());
        SystemRecord byId = c.readRecord(customersById, id).orElseThrow();
        assertEquals(Map.of("DisplayName", "Amy's Bird Sanctuary", "PrimaryEmailAddr.Address", "birds@example.com",
                "BillAddr.City", "Bayshore"), byId.fields());
        assertEquals(Optional.of("0"), byId.version());
        assertEquals(Map.of("PrimaryEmailAddr.Address", "birds@example.com", "BillAddr.City", "Bayshore"),
                c.read(customersByName, "Amy's Bird Sanctuary").orElseThrow());
        assertEquals(Optional.empty(), c.read(customersById, "999"));
        assertEquals(Optional.empty(), c.read(customersByName, "Nobody"));
        assertEquals(List.of(), fake.violations());
    }

    @Test
    void createsAndUpdatesSparselyKeepingNestedFields() {
        Connector c = connector(SecretStore.inMemory());
        c.upsert(customersByName, "Cool Cars", Map.of("PrimaryEmailAddr.Address", "cars@example.com",
                "BillAddr.City", "Half Moon Bay"), OPTIONS);
        String id = fake.realm().all("Customer").getFirst().get("Id").asText();
        fake.realm().change("Customer", id, Map.of("BillAddr", Map.of("City", "Half Moon Bay", "Line1", "65 Ocean Dr.")));
        c.upsert(customersByName, "Cool Cars", Map.of("BillAddr.City", "Pacifica"), OPTIONS);
        var record = fake.realm().get("Customer", id).orElseThrow();
        assertEquals("Pacifica", record.path("BillAddr").path("City").asText());
        assertEquals("65 Ocean Dr.", record.path("BillAddr").path("Line1").asText(), "sparse update kept Line1");
        assertEquals("cars@example.com", record.path("PrimaryEmailAddr").path("Address").asText());
        assertEquals("2", record.path("SyncToken").asText());
        assertEquals(2, fake.apiWrites());
        assertEquals(List.of(), fake.violations());
    }

    @Test
    void itemsAreCreatedWithTheirDefaultsAndQuantityOnHand() {
        Connector c = connector(SecretStore.inMemory());
        c.upsert(items, "SKU-1", Map.of("Name", "Rock Fountain", "QtyOnHand", 12), OPTIONS);
        c.upsert(items, "SKU-1", Map.of("QtyOnHand", 9), OPTIONS);
        var item = fake.realm().all("Item").getFirst();
        assertEquals(9, item.get("QtyOnHand").asInt());
        assertEquals("Inventory", item.get("Type").asText());
        assertEquals(Map.of("Name", "Rock Fountain", "QtyOnHand", 9), c.read(items, "SKU-1").orElseThrow());
        assertEquals(List.of(), fake.violations());
    }

    @Test
    void aStaleSyncTokenIsAVersionConflictAndAnUnconditionalWriteReadsAgain() {
        String id = fake.realm().create("Customer", Map.of("DisplayName", "Diego Rodriguez"));
        Connector c = connector(SecretStore.inMemory());
        SystemRecord read = c.readRecord(customersById, id).orElseThrow();
        fake.realm().change("Customer", id, Map.of("PrimaryEmailAddr", Map.of("Address", "diego@example.com")));
        VersionConflictException conflict = assertThrows(VersionConflictException.class, () -> c.upsert(customersById,
                RecordWrite.ifVersion(id, Map.of("BillAddr.City", "Oakland"), OPTIONS, read.version().orElseThrow())));
        assertEquals(id, conflict.key());
        SystemRecord again = c.readRecord(customersById, id).orElseThrow();
        c.upsert(customersById, RecordWrite.ifVersion(id, Map.of("BillAddr.City", "Oakland"), OPTIONS,
                again.version().orElseThrow()));
        assertEquals("Oakland", fake.realm().get("Customer", id).orElseThrow().path("BillAddr").path("City").asText());
        assertEquals("diego@example.com", c.read(customersById, id).orElseThrow().get("PrimaryEmailAddr.Address"));
    }

    @Test
    void aRefusedValueNamesTheFieldAndQuickBooksMessage() {
        String id = fake.realm().create("Customer", Map.of("DisplayName", "Dukes Basketball Camp"));
        Connector c = connector(SecretStore.inMemory());
        WriteRefusedException e = assertThrows(WriteRefusedException.class,
                () -> c.upsert(customersById, id, Map.of("PrimaryEmailAddr.Address", "not-an-email"), OPTIONS));
        assertTrue(e.getMessage().contains("field PrimaryEmailAddr.Address"), e.getMessage());
        assertTrue(e.getMessage().contains("Invalid email address format"), e.getMessage());
        assertEquals(400, e.status());
        WriteRefusedException noId = assertThrows(WriteRefusedException.class,
                () -> c.upsert(customersById, "77", Map.of("DisplayName", "New"), OPTIONS));
        assertTrue(noId.getMessage().contains("QuickBooks gives Ids itself"), noId.getMessage());
    }

    @Test
    void throttlingIsARateLimitWithTheWaitQuickBooksAsks() {
        String id = fake.realm().create("Customer", Map.of("DisplayName", "Geeta Kalapatapu"));
        Connector c = connector(SecretStore.inMemory());
        c.read(customersById, id); // the token first
        fake.throttleNext(1);
        SystemRateLimitedException e = assertThrows(SystemRateLimitedException.class, () -> c.read(customersById, id));
        assertEquals(Optional.of(Duration.ofSeconds(60)), e.retryAfter());
        assertTrue(e.retryable());
        assertTrue(c.read(customersById, id).isPresent(), "the next request passes");
    }

    @Test
    void listsPageByPageWithStartPositionAndMaxResults() {
        for (int i = 1; i <= 5; i++) {
            fake.realm().create("Customer", Map.of("DisplayName", "Customer " + i));
        }
        Connector c = connector(SecretStore.inMemory());
        List<String> keys = new ArrayList<>();
        Optional<String> cursor = Optional.empty();
        int pages = 0;
        do {
            Page page = c.list(customersByName, cursor, 2);
            page.records().forEach(r -> keys.add(r.key()));
            cursor = page.next();
            pages++;
        } while (cursor.isPresent());
        assertEquals(List.of("Customer 1", "Customer 2", "Customer 3", "Customer 4", "Customer 5"), keys);
        assertEquals(3, pages);
        assertEquals(List.of(), fake.violations());
    }

    @Test
    void refreshTokensRotateThroughTheSharedStoreAcrossConnectorsAndRestarts() {
        String id = fake.realm().create("Customer", Map.of("DisplayName", "Jeff's Jalopies"));
        SecretStore store = SecretStore.inMemory();
        Connector first = connector(store);
        Connector second = connector(store);
        first.read(customersById, id);
        assertEquals(Optional.of(fake.currentRefreshToken()), store.get("refreshToken"));
        assertNotEquals(fake.options().initialRefreshToken(), fake.currentRefreshToken());
        second.read(customersById, id); // its own access token, from the rotated refresh token
        assertEquals(2, fake.rotations());
        assertEquals(Optional.of(fake.currentRefreshToken()), store.get("refreshToken"));

        fake.expireAccessTokens(); // an hour later: both refresh, each from the stored chain
        first.read(customersById, id);
        second.read(customersById, id);
        assertEquals(4, fake.rotations());

        Connector restarted = connector(store); // same steward.yaml, so the first refresh token again
        assertTrue(restarted.read(customersById, id).isPresent(), "a restart goes on from the stored token");
        assertEquals(Optional.of(fake.currentRefreshToken()), store.get("refreshToken"));
        assertEquals(List.of(), fake.violations());
    }

    @Test
    void twoHostsRefreshingAtOnceLoseNoToken() throws Exception {
        String id = fake.realm().create("Customer", Map.of("DisplayName", "Kookies by Kathy"));
        SecretStore store = SecretStore.inMemory();
        Connector a = connector(store);
        Connector b = connector(store);
        var pool = java.util.concurrent.Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < 5; round++) {
                fake.expireAccessTokens();
                var fa = pool.submit(() -> a.read(customersById, id));
                var fb = pool.submit(() -> b.read(customersById, id));
                assertTrue(fa.get().isPresent());
                assertTrue(fb.get().isPresent());
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(Optional.of(fake.currentRefreshToken()), store.get("refreshToken"));
    }

    @Test
    void aRevokedRefreshTokenIsAClearOperatorAlertLoggedOnce() {
        String id = fake.realm().create("Customer", Map.of("DisplayName", "Mark Cho"));
        SecretStore store = SecretStore.inMemory();
        TestContext context = TestContext.of(Clock.systemUTC(), store);
        Connector c = connector(store, context);
        c.read(customersById, id);
        String stored = store.get("refreshToken").orElseThrow();
        fake.revokeTokens();
        WriteRefusedException e = assertThrows(WriteRefusedException.class, () -> c.read(customersById, id));
        assertFalse(e.retryable());
        assertTrue(e.getMessage().contains("Re-authorize"), e.getMessage());
        assertTrue(e.getMessage().contains("refreshToken of system qbo"), e.getMessage());
        assertFalse(e.getMessage().contains(stored), "never the token");
        assertThrows(WriteRefusedException.class, () -> c.read(customersById, id));
        assertTrue(c.unreachable().orElseThrow().contains("Re-authorize"), "shown in /health");
        assertEquals(1, context.logged().stream().filter(l -> l.startsWith("ERROR")).count(), context.logged().toString());
        assertTrue(context.logged().stream().noneMatch(l -> l.contains(stored)));
    }

    @Test
    void aNewRefreshTokenInTheSettingsReplacesTheStoredOne() {
        String id = fake.realm().create("Customer", Map.of("DisplayName", "Pye's Cakes"));
        SecretStore store = SecretStore.inMemory();
        store.put("refreshToken", "an-old-revoked-token");
        store.put("refreshTokenSeeded", QuickBooksTokens.hash("an-older-configured-token"));
        Connector c = connector(store);
        assertTrue(c.read(customersById, id).isPresent());
    }

    @Test
    void anExpiredAccessTokenIsRefreshedAndTheCallRepeated() {
        String id = fake.realm().create("Customer", Map.of("DisplayName", "Red Rock Diner"));
        Connector c = connector(SecretStore.inMemory());
        c.read(customersById, id);
        fake.expireAccessTokens(); // QuickBooks answers 401 before the connector's clock says so
        assertTrue(c.read(customersById, id).isPresent());
        assertEquals(2, fake.rotations());
    }

    @Test
    void upsertAllWritesThirtyAtATimeThroughTheBatchCall() {
        Connector c = connector(SecretStore.inMemory());
        c.upsert(customersByName, "Customer 3", Map.of("BillAddr.City", "Before"), OPTIONS);
        List<RecordWrite> writes = new ArrayList<>();
        for (int i = 1; i <= 45; i++) {
            writes.add(RecordWrite.of("Customer " + i, Map.of("BillAddr.City", "City " + i), OPTIONS));
        }
        int before = fake.apiWrites();
        c.upsertAll(customersByName, writes);
        assertEquals(45, fake.apiWrites() - before);
        assertEquals(45, fake.realm().all("Customer").size());
        assertEquals("City 3", c.read(customersByName, "Customer 3").orElseThrow().get("BillAddr.City"));
        assertEquals(List.of(), fake.violations());
    }

    @Test
    void aBatchItemRefusedNamesItsRecordAndField() {
        Connector c = connector(SecretStore.inMemory());
        WriteRefusedException e = assertThrows(WriteRefusedException.class, () -> c.upsertAll(customersByName, List.of(
                RecordWrite.of("Good", Map.of("PrimaryEmailAddr.Address", "good@example.com"), OPTIONS),
                RecordWrite.of("Bad", Map.of("PrimaryEmailAddr.Address", "bad-address"), OPTIONS))));
        assertTrue(e.getMessage().contains("Customer Bad"), e.getMessage());
        assertTrue(e.getMessage().contains("field PrimaryEmailAddr.Address"), e.getMessage());
        assertTrue(c.read(customersByName, "Good").isPresent(), "the good one was written");
    }

    @Test
    void aFieldIntuitsSchemaDoesNotHaveIsRefusedAndRecordedAsAViolation() {
        String id = fake.realm().create("Customer", Map.of("DisplayName", "Travis Waldron"));
        EntityConfig misspelt = new EntityConfig("customer", Map.of(), fields("email", "PrimaryEmail.Address"));
        Connector c = connector(SecretStore.inMemory());
        WriteRefusedException e = assertThrows(WriteRefusedException.class,
                () -> c.upsert(misspelt, id, Map.of("PrimaryEmail.Address", "t@example.com"), OPTIONS));
        assertTrue(e.getMessage().contains("field PrimaryEmail"), e.getMessage());
        assertEquals(1, fake.violations().size(), fake.violations().toString());
        assertTrue(fake.violations().getFirst().contains("Customer has no field PrimaryEmail"), fake.violations().toString());
    }
}
