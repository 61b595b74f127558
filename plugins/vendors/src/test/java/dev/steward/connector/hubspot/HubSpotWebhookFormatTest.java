package dev.steward.connector.hubspot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.steward.plugin.ConfigProblem;
import dev.steward.plugin.WebhookDelivery;
import dev.steward.plugin.WebhookRefusedException;
import dev.steward.plugin.WebhookRequest;
import dev.steward.plugin.WebhookSettings;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class HubSpotWebhookFormatTest {

    private static final String SECRET = "yyyyyyyy-yyyy-yyyy-yyyy-yyyyyyyyyyyy";
    private static final String URL = "https://steward.example.com/hooks/hubspot/contact";
    private static final Instant NOW = Instant.parse("2026-11-28T12:00:00Z");
    private static final String BODY = "[{\"eventId\":100,\"subscriptionId\":12345,\"portalId\":62515,"
            + "\"occurredAt\":1764331200000,\"subscriptionType\":\"contact.propertyChange\",\"attemptNumber\":0,"
            + "\"objectId\":1001,\"propertyName\":\"phone\",\"propertyValue\":\"+1 555\",\"changeSource\":\"CRM\"},"
            + "{\"eventId\":\"101\",\"subscriptionId\":12346,\"portalId\":62515,\"occurredAt\":1764331200001,"
            + "\"subscriptionType\":\"contact.creation\",\"attemptNumber\":0,\"objectId\":1002,\"changeFlag\":\"NEW\","
            + "\"changeSource\":\"INTEGRATION\"}]";

    private final HubSpotWebhookFormat format = new HubSpotWebhookFormat();

    private static WebhookSettings settings(Map<String, Object> options) {
        return new WebhookSettings(Optional.of(SECRET), options);
    }

    private static WebhookRequest v3(String body, Instant signedAt, String secret) {
        String ts = String.valueOf(signedAt.toEpochMilli());
        return new WebhookRequest("POST", URL, Map.of("Content-Type", "application/json",
                "X-HubSpot-Signature-v3", HubSpotSignatures.v3(secret, "POST", URL, body, ts),
                "X-HubSpot-Request-Timestamp", ts), body.getBytes(StandardCharsets.UTF_8), NOW);
    }

    @Test
    void aSignedBatchBecomesOneNotificationPerEventKeyedByEventId() {
        WebhookDelivery delivery = format.read(v3(BODY, NOW.minusSeconds(30), SECRET), settings(Map.of()));
        assertEquals(2, delivery.notifications().size());
        assertEquals("100", delivery.notifications().get(0).id());
        assertEquals("101", delivery.notifications().get(1).id());
        assertEquals(1001, delivery.notifications().get(0).payload().get("objectId"));
        assertEquals("phone", delivery.notifications().get(0).payload().get("propertyName"));
        assertEquals("INTEGRATION", delivery.notifications().get(1).payload().get("changeSource"));
        assertTrue(delivery.reply().isEmpty());
    }

    @Test
    void aWrongSecretIsRefused() {
        WebhookRefusedException e = assertThrows(WebhookRefusedException.class,
                () -> format.read(v3(BODY, NOW, "another-secret"), settings(Map.of())));
        assertEquals(401, e.status());
    }

    @Test
    void aTamperedBodyIsRefused() {
        WebhookRequest signed = v3(BODY, NOW, SECRET);
        WebhookRequest tampered = new WebhookRequest("POST", URL, signed.headers(),
                BODY.replace("+1 555", "+1 666").getBytes(StandardCharsets.UTF_8), NOW);
        assertEquals(401, assertThrows(WebhookRefusedException.class, () -> format.read(tampered, settings(Map.of()))).status());
    }

    @Test
    void aDeliverySignedMoreThanFiveMinutesAgoIsARefusedReplay() {
        WebhookRefusedException e = assertThrows(WebhookRefusedException.class,
                () -> format.read(v3(BODY, NOW.minusSeconds(301), SECRET), settings(Map.of())));
        assertEquals(401, e.status());
        assertTrue(e.getMessage().contains("replay"), e.getMessage());
        format.read(v3(BODY, NOW.minusSeconds(299), SECRET), settings(Map.of()));
        assertEquals(401, assertThrows(WebhookRefusedException.class,
                () -> format.read(v3(BODY, NOW.minusSeconds(61), SECRET), settings(Map.of("maxAge", "1m")))).status());
    }

    @Test
    void legacySignaturesAreRefusedUnlessAllowed() {
        // HubSpot's own v1 vector
        String body = "[{\"eventId\":1,\"subscriptionId\":12345,\"portalId\":62515,\"occurredAt\":1564113600000,"
                + "\"subscriptionType\":\"contact.creation\",\"attemptNumber\":0,\"objectId\":123,\"changeSource\":\"CRM\","
                + "\"changeFlag\":\"NEW\",\"appId\":54321}]";
        WebhookRequest v1 = new WebhookRequest("POST", URL, Map.of("X-HubSpot-Signature",
                "232db2615f3d666fe21a8ec971ac7b5402d33b9a925784df3ca654d05f4817de", "X-HubSpot-Signature-Version", "v1"),
                body.getBytes(StandardCharsets.UTF_8), NOW);
        assertEquals(401, assertThrows(WebhookRefusedException.class, () -> format.read(v1, settings(Map.of()))).status());
        WebhookDelivery delivery = format.read(v1, settings(Map.of("legacySignatures", true)));
        assertEquals("1", delivery.notifications().getFirst().id());

        WebhookRequest v2 = new WebhookRequest("POST", URL, Map.of("X-HubSpot-Signature",
                HubSpotSignatures.v2(SECRET, "POST", URL, body), "X-HubSpot-Signature-Version", "v2"),
                body.getBytes(StandardCharsets.UTF_8), NOW);
        assertEquals(1, format.read(v2, settings(Map.of("legacySignatures", true))).notifications().size());
        WebhookRequest wrongV2 = new WebhookRequest("POST", URL + "?x=1", v2.headers(), v2.body(), NOW);
        assertEquals(401, assertThrows(WebhookRefusedException.class,
                () -> format.read(wrongV2, settings(Map.of("legacySignatures", true)))).status());
    }

    @Test
    void anUnsignedDeliveryIsRefused() {
        WebhookRequest unsigned = new WebhookRequest("POST", URL, Map.of(), BODY.getBytes(StandardCharsets.UTF_8), NOW);
        assertEquals(401, assertThrows(WebhookRefusedException.class, () -> format.read(unsigned, settings(Map.of()))).status());
    }

    @Test
    void anotherPortalIsForbidden() {
        assertEquals(403, assertThrows(WebhookRefusedException.class,
                () -> format.read(v3(BODY, NOW, SECRET), settings(Map.of("portalId", 999)))).status());
        assertEquals(2, format.read(v3(BODY, NOW, SECRET), settings(Map.of("portalId", 62515))).notifications().size());
    }

    @Test
    void bodiesThatAreNotHubSpotEventsAreBadRequests() {
        for (String body : List.of("{not json", "{\"eventId\":1}", "[1]", "[{\"objectId\":5}]", "[{\"eventId\":{}}]")) {
            assertEquals(400, assertThrows(WebhookRefusedException.class,
                    () -> format.read(v3(body, NOW, SECRET), settings(Map.of()))).status(), body);
        }
        assertEquals(0, format.read(v3("[]", NOW, SECRET), settings(Map.of())).notifications().size());
    }

    @Test
    void settingsAreChecked() {
        List<ConfigProblem> problems = format.validate(new WebhookSettings(Optional.empty(),
                Map.of("portalId", "abc", "legacySignatures", "maybe", "maxAge", "2d", "colour", "red")));
        assertEquals(List.of("secret", "options.colour", "options.legacySignatures", "options.portalId", "options.maxAge"),
                problems.stream().map(ConfigProblem::path).sorted(java.util.Comparator.comparing(p ->
                        List.of("secret", "options.colour", "options.legacySignatures", "options.portalId",
                                "options.maxAge").indexOf(p))).toList());
        assertEquals(List.of(), format.validate(settings(Map.of("portalId", 62515, "legacySignatures", true, "maxAge", "3m"))));
    }
}
