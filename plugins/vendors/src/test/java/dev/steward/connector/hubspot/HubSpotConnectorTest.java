package dev.steward.connector.hubspot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import dev.steward.testing.vendors.hubspot.HubSpotFake;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The hubspot connector against the fake HubSpot, over real HTTP. */
class HubSpotConnectorTest {

    private static final WriteOptions OPTIONS = new WriteOptions("idem-1", "event-1");
    private static final String TOKEN = "pat-test-token";

    private HubSpotFake fake;
    private final List<Connector> opened = new ArrayList<>();

    @BeforeEach
    void start() {
        fake = HubSpotFake.start(62515, "client-id", "client-secret").privateAppToken(TOKEN);
    }

    @AfterEach
    void stop() {
        opened.forEach(Connector::close);
        // the connector never sent a request HubSpot's contract does not allow
        assertEquals(List.of(), fake.violations());
        fake.close();
    }

    private static EntityConfig contactById() {
        return new EntityConfig("customer", Map.of("object", "contacts", "types", Map.of("credit_limit", "number",
                "opted_in", "boolean")), fields());
    }

    private static EntityConfig contactByEmail() {
        return new EntityConfig("customer", Map.of("object", "contacts", "idProperty", "email",
                "types", Map.of("credit_limit", "number", "opted_in", "boolean")), fields());
    }

    private static Map<String, String> fields() {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("email", "email");
        fields.put("phone", "properties.phone");
        fields.put("creditLimit", "credit_limit");
        fields.put("optedIn", "opted_in");
        return fields;
    }

    private Connector connector(EntityConfig entity, Map<String, Object> auth, SecretStore secrets, Clock clock) {
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("baseUrl", fake.baseUrl().toString());
        settings.put("auth", auth);
        SystemConfig config = new SystemConfig("hubspot", "hubspot", settings, Map.of(entity.name(), entity));
        assertEquals(List.of(), new HubSpotConnectorFactory().validate(config));
        Connector c = new HubSpotConnectorFactory().create(config, TestContext.of(clock, secrets));
        opened.add(c);
        return c;
    }

    private Connector connector(EntityConfig entity) {
        return connector(entity, Map.of("token", TOKEN), SecretStore.inMemory(), Clock.systemUTC());
    }

    @Test
    void readsByIdAndByIdPropertyWithTypedValuesAndUpdatedAtAsVersion() {
        String id = fake.change("contacts", null, Map.of("email", "ada@example.com", "phone", "+44 1",
                "credit_limit", "5000.50", "opted_in", "true"));
        Optional<SystemRecord> byId = connector(contactById()).readRecord(contactById(), id);
        assertEquals(Map.of("email", "ada@example.com", "properties.phone", "+44 1",
                "credit_limit", new BigDecimal("5000.50"), "opted_in", true), byId.orElseThrow().fields());
        assertTrue(byId.get().version().isPresent());
        Connector byEmail = connector(contactByEmail());
        assertEquals(id, String.valueOf(byEmail.readRecord(contactByEmail(), "ada@example.com").orElseThrow()
                .fields().get("email")).equals("ada@example.com") ? id : "wrong");
        assertTrue(byEmail.read(contactByEmail(), "nobody@example.com").isEmpty());
        assertTrue(connector(contactById()).read(contactById(), "999999").isEmpty());
    }

    @Test
    void upsertPatchesByIdAndCreatesByIdPropertyWritingNumbersAndBooleansAsText() {
        String id = fake.change("contacts", null, Map.of("email", "ada@example.com"));
        Connector byId = connector(contactById());
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("credit_limit", new BigDecimal("7500.00"));
        fields.put("opted_in", false);
        fields.put("properties.phone", null);
        byId.upsert(contactById(), id, fields, OPTIONS);
        assertEquals(Map.of("email", "ada@example.com", "credit_limit", "7500", "opted_in", "false"),
                fake.record("contacts", id).orElseThrow());

        WriteRefusedException noSuchId = assertThrows(WriteRefusedException.class,
                () -> byId.upsert(contactById(), "424242", Map.of("credit_limit", 1), OPTIONS));
        assertTrue(noSuchId.getMessage().contains("idProperty"), noSuchId.getMessage());

        Connector byEmail = connector(contactByEmail());
        byEmail.upsert(contactByEmail(), "grace@example.com", Map.of("credit_limit", 1.5e3), OPTIONS);
        String created = fake.idBy("contacts", "email", "grace@example.com").orElseThrow();
        assertEquals("1500", fake.record("contacts", created).orElseThrow().get("credit_limit"));
        byEmail.upsert(contactByEmail(), "grace@example.com", Map.of("properties.phone", "+1 2"), OPTIONS);
        assertEquals("+1 2", fake.record("contacts", created).orElseThrow().get("phone"));
        assertEquals(3, fake.apiWrites());
    }

    @Test
    void upsertAllIsOneBatchUpsertPerHundredRecords() {
        Connector byEmail = connector(contactByEmail());
        List<RecordWrite> writes = new ArrayList<>();
        for (int i = 0; i < 150; i++) {
            writes.add(RecordWrite.of("p" + i + "@example.com", Map.of("credit_limit", i), OPTIONS));
        }
        writes.add(RecordWrite.of("p0@example.com", Map.of("properties.phone", "+1 0"), OPTIONS));
        byEmail.upsertAll(contactByEmail(), writes);
        assertEquals(150, fake.apiWrites());
        Map<String, String> p0 = fake.record("contacts", fake.idBy("contacts", "email", "p0@example.com").orElseThrow())
                .orElseThrow();
        assertEquals("0", p0.get("credit_limit"));
        assertEquals("+1 0", p0.get("phone"));
    }

    @Test
    void listFollowsAfterCursorsToTheEnd() {
        for (int i = 0; i < 25; i++) {
            fake.change("contacts", null, Map.of("email", "l" + i + "@example.com"));
        }
        fake.change("contacts", null, Map.of("phone", "+1 no email"));
        Connector byEmail = connector(contactByEmail());
        List<String> keys = new ArrayList<>();
        Optional<String> cursor = Optional.empty();
        int pages = 0;
        do {
            Page page = byEmail.list(contactByEmail(), cursor, 10);
            page.records().forEach(r -> keys.add(r.key()));
            cursor = page.next();
            pages++;
        } while (cursor.isPresent());
        assertEquals(3, pages);
        assertEquals(25, keys.size(), "the record without an email has no key and is left out");
        assertEquals("l0@example.com", keys.getFirst());
        Page byId = connector(contactById()).list(contactById(), Optional.empty(), 500);
        assertEquals(26, byId.records().size());
    }

    @Test
    void aVersionedWriteAfterSomeoneElsesChangeIsAConflict() {
        String id = fake.change("contacts", null, Map.of("email", "ada@example.com", "phone", "+1"));
        Connector c = connector(contactById());
        SystemRecord read = c.readRecord(contactById(), id).orElseThrow();
        fake.change("contacts", id, Map.of("phone", "+2"));
        VersionConflictException e = assertThrows(VersionConflictException.class, () -> c.upsert(contactById(),
                RecordWrite.ifVersion(id, Map.of("credit_limit", 9), OPTIONS, read.version().orElseThrow())));
        assertEquals(id, e.key());
        SystemRecord again = c.readRecord(contactById(), id).orElseThrow();
        c.upsert(contactById(), RecordWrite.ifVersion(id, Map.of("credit_limit", 9), OPTIONS, again.version().orElseThrow()));
        assertEquals("9", fake.record("contacts", id).orElseThrow().get("credit_limit"));
    }

    @Test
    void aValidationErrorNamesTheProperty() {
        String id = fake.change("contacts", null, Map.of("email", "ada@example.com"));
        Connector c = connector(contactById());
        WriteRefusedException e = assertThrows(WriteRefusedException.class,
                () -> c.upsert(contactById(), id, Map.of("credit_limit", "lots"), OPTIONS));
        assertEquals(400, e.status());
        assertTrue(e.getMessage().contains("property 'credit_limit'"), e.getMessage());
        assertTrue(e.getMessage().contains("lots was not a valid number"), e.getMessage());
        WriteRefusedException unknown = assertThrows(WriteRefusedException.class,
                () -> c.upsert(contactById(), id, Map.of("shoe_size", "42"), OPTIONS));
        assertTrue(unknown.getMessage().contains("property 'shoe_size'"), unknown.getMessage());
    }

    @Test
    void theConnectorStopsAtTheWindowsLastCallInsteadOfBeingRefused() {
        fake.rateLimit(5, Duration.ofSeconds(2), 1_000_000);
        String id = fake.change("contacts", null, Map.of("email", "ada@example.com"));
        Connector c = connector(contactById());
        for (int i = 0; i < 5; i++) {
            c.read(contactById(), id);
        }
        SystemRateLimitedException e = assertThrows(SystemRateLimitedException.class, () -> c.read(contactById(), id));
        Duration wait = e.retryAfter().orElseThrow();
        assertTrue(wait.compareTo(Duration.ZERO) > 0 && wait.compareTo(Duration.ofSeconds(2)) <= 0, wait.toString());
        assertEquals(0, fake.rateLimited(), "Steward stopped before HubSpot had to refuse");
    }

    @Test
    void aSecondlyRefusalWaitsForTheWindowAndADailyOneUntilMidnightInTheAccountsZone() {
        String id = fake.change("contacts", null, Map.of("email", "ada@example.com"));
        // another client used the window up: HubSpot answers 429 SECONDLY
        fake.rateLimit(0, Duration.ofSeconds(10), 1_000_000);
        Connector c = connector(contactById());
        SystemRateLimitedException secondly = assertThrows(SystemRateLimitedException.class, () -> c.read(contactById(), id));
        assertTrue(secondly.getMessage().contains("SECONDLY"), secondly.getMessage());
        assertTrue(secondly.retryAfter().orElseThrow().compareTo(Duration.ofSeconds(10)) <= 0);

        fake.rateLimit(100, Duration.ofSeconds(10), 0);
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("baseUrl", fake.baseUrl().toString());
        settings.put("auth", Map.of("token", TOKEN));
        settings.put("timeZone", "America/New_York");
        Clock clock = Clock.fixed(Instant.parse("2026-11-28T20:00:00Z"), ZoneId.of("UTC"));
        Connector daily = new HubSpotConnectorFactory().create(new SystemConfig("hubspot", "hubspot", settings,
                Map.of("customer", contactById())), TestContext.of(clock, SecretStore.inMemory()));
        opened.add(daily);
        SystemRateLimitedException e = assertThrows(SystemRateLimitedException.class, () -> daily.read(contactById(), id));
        assertTrue(e.getMessage().contains("DAILY"), e.getMessage());
        // 20:00 UTC is 15:00 in New York: nine hours to its midnight
        assertEquals(Duration.ofHours(9), e.retryAfter().orElseThrow());
        assertEquals(ZonedDateTime.parse("2026-11-29T00:00-05:00[America/New_York]").toInstant(),
                clock.instant().plus(e.retryAfter().orElseThrow()));
    }

    @Test
    void oauthRefreshesAnExpiredTokenOnceAndKeepsTheRotatedRefreshToken() {
        String refresh = fake.issueRefreshToken();
        SecretStore secrets = SecretStore.inMemory();
        Map<String, Object> auth = Map.of("oauth", Map.of("clientId", "client-id", "clientSecret", "client-secret",
                "refreshToken", refresh));
        String id = fake.change("contacts", null, Map.of("email", "ada@example.com"));
        Connector c = connector(contactById(), auth, secrets, Clock.systemUTC());
        assertTrue(c.read(contactById(), id).isPresent());
        assertEquals(1, fake.tokenGrants());
        String rotated = secrets.get(HubSpotTokens.REFRESH_TOKEN).orElseThrow();
        assertNotEquals(refresh, rotated);

        fake.expireAccessTokens();
        assertTrue(c.read(contactById(), id).isPresent(), "a 401 for an expired token is refreshed and retried");
        assertEquals(1, fake.expiredRefusals());
        assertEquals(2, fake.tokenGrants());
        assertNotEquals(rotated, secrets.get(HubSpotTokens.REFRESH_TOKEN).orElseThrow());

        // a new connector (a restart) starts from the kept refresh token: the configured one was rotated away
        Connector restarted = connector(contactById(), auth, secrets, Clock.systemUTC());
        assertTrue(restarted.read(contactById(), id).isPresent());
    }

    @Test
    void tokensAreRenewedBeforeTheyExpire() {
        fake.accessTokenLifetime(Duration.ofMinutes(30));
        String refresh = fake.issueRefreshToken();
        dev.steward.testing.MutableClock clock = dev.steward.testing.MutableClock.at("2026-11-28T12:00:00Z");
        Map<String, Object> auth = Map.of("oauth", Map.of("clientId", "client-id", "clientSecret", "client-secret",
                "refreshToken", refresh));
        String id = fake.change("contacts", null, Map.of("email", "ada@example.com"));
        Connector c = connector(contactById(), auth, SecretStore.inMemory(), clock);
        c.read(contactById(), id);
        clock.advance(Duration.ofMinutes(24));
        c.read(contactById(), id);
        assertEquals(1, fake.tokenGrants());
        clock.advance(Duration.ofMinutes(2));
        c.read(contactById(), id);
        assertEquals(2, fake.tokenGrants(), "renewed five minutes before its 30 minutes were up");
        assertEquals(0, fake.expiredRefusals());
    }

    @Test
    void aRevokedRefreshTokenIsAPermanentErrorThatSaysWhatToDo() {
        Map<String, Object> auth = Map.of("oauth", Map.of("clientId", "client-id", "clientSecret", "client-secret",
                "refreshToken", "revoked"));
        Connector c = connector(contactById(), auth, SecretStore.inMemory(), Clock.systemUTC());
        dev.steward.plugin.ConnectorException e = assertThrows(dev.steward.plugin.ConnectorException.class,
                () -> c.read(contactById(), "1"));
        assertFalse(e.retryable());
        assertTrue(e.getMessage().contains("refreshToken"), e.getMessage());
    }
}
