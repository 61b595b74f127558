package dev.steward.connector.quickbooks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.steward.plugin.WebhookDelivery;
import dev.steward.plugin.WebhookRefusedException;
import dev.steward.plugin.WebhookRequest;
import dev.steward.plugin.WebhookSettings;
import org.junit.jupiter.api.Test;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code format: quickbooks} against Intuit's own signature vectors and bodies. */
class QuickBooksWebhookFormatTest {

    private static final JsonNode VECTORS = vectors();
    private final QuickBooksWebhookFormat format = new QuickBooksWebhookFormat();

    private static JsonNode vectors() {
        try (InputStream in = QuickBooksWebhookFormatTest.class.getResourceAsStream("webhook-payloads-and-signature-vectors.json")) {
            return new ObjectMapper().readTree(in);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static WebhookRequest request(String body, String signature) {
        return new WebhookRequest("POST", "https://steward.example.com/hooks/qbo", signature == null ? Map.of()
                : Map.of("Intuit-Signature", signature), body.getBytes(StandardCharsets.UTF_8), Instant.parse("2026-11-28T12:00:00Z"));
    }

    private static WebhookSettings settings(String token, Map<String, Object> options) {
        return new WebhookSettings(Optional.of(token), options);
    }

    static String sign(String token, String body) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(token.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return Base64.getEncoder().encodeToString(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void theJavaSdkVectorVerifiesAndGivesOneThinNotification() {
        JsonNode v = VECTORS.get("legacyEventNotifications").get(0);
        WebhookDelivery delivery = format.read(request(v.get("rawBody").asText(), v.get("expectedIntuitSignature").asText()),
                settings(v.get("verifierToken").asText(), Map.of()));
        assertEquals(1, delivery.notifications().size());
        WebhookDelivery.Notification n = delivery.notifications().getFirst();
        assertEquals("1185883450:Customer:1:Create:2015-10-05T14:42:19-0700", n.id());
        assertEquals(Map.of("realmId", "1185883450", "entity", "Customer", "id", "1", "operation", "Create",
                "lastUpdated", "2015-10-05T14:42:19-0700"), n.payload());
    }

    @Test
    void theJavaSdkNegativeCaseIsRefused() {
        JsonNode v = VECTORS.get("legacyEventNotifications").get(0);
        WebhookRefusedException e = assertThrows(WebhookRefusedException.class, () -> format.read(
                request(v.get("rawBody").asText(), v.get("negativeCase").get("intuitSignature").asText()),
                settings(v.get("verifierToken").asText(), Map.of())));
        assertEquals(401, e.status());
    }

    @Test
    void theDotnetSdkVectorSplitsIntoOneNotificationPerEntityAndFiltersByEntity() {
        JsonNode v = VECTORS.get("legacyEventNotifications").get(1);
        WebhookRequest request = request(v.get("rawBody").asText(), v.get("expectedIntuitSignature").asText());
        WebhookDelivery all = format.read(request, settings(v.get("verifierToken").asText(), Map.of()));
        assertEquals(List.of("Vendor", "Customer"), all.notifications().stream().map(n -> n.payload().get("entity")).toList());
        WebhookDelivery customers = format.read(request, settings(v.get("verifierToken").asText(),
                Map.of("entities", List.of("Customer"), "realmId", "1269959970")));
        assertEquals(1, customers.notifications().size());
        assertEquals("43", customers.notifications().getFirst().payload().get("id"));
    }

    @Test
    void aBodyChangedOnItsWayIsRefused() {
        JsonNode v = VECTORS.get("legacyEventNotifications").get(1);
        String tampered = v.get("rawBody").asText().replace("\"43\"", "\"44\"");
        assertEquals(401, assertThrows(WebhookRefusedException.class, () -> format.read(
                request(tampered, v.get("expectedIntuitSignature").asText()),
                settings(v.get("verifierToken").asText(), Map.of()))).status());
        assertEquals(401, assertThrows(WebhookRefusedException.class, () -> format.read(
                request(v.get("rawBody").asText(), null), settings(v.get("verifierToken").asText(), Map.of()))).status());
    }

    @Test
    void anotherCompanyIsRefusedWith403() {
        JsonNode v = VECTORS.get("legacyEventNotifications").get(0);
        WebhookRefusedException e = assertThrows(WebhookRefusedException.class, () -> format.read(
                request(v.get("rawBody").asText(), v.get("expectedIntuitSignature").asText()),
                settings(v.get("verifierToken").asText(), Map.of("realmId", "999"))));
        assertEquals(403, e.status());
        assertTrue(e.getMessage().contains("1185883450"), e.getMessage());
    }

    @Test
    void anOldNotificationIsRefusedAsAReplayWhenMaxAgeIsSet() {
        JsonNode v = VECTORS.get("legacyEventNotifications").get(0);
        WebhookRefusedException e = assertThrows(WebhookRefusedException.class, () -> format.read(
                request(v.get("rawBody").asText(), v.get("expectedIntuitSignature").asText()),
                settings(v.get("verifierToken").asText(), Map.of("maxAge", "2d"))));
        assertEquals(401, e.status());
        assertTrue(e.getMessage().contains("replay"), e.getMessage());
    }

    @Test
    void cloudEventsGiveTheEventsOwnIds() throws Exception {
        JsonNode v = VECTORS.get("cloudEvents").get(0);
        String body = v.get("rawBody").asText();
        WebhookDelivery delivery = format.read(request(body, sign("verifier", body)), settings("verifier", Map.of()));
        WebhookDelivery.Notification n = delivery.notifications().getFirst();
        assertEquals("d1a3aedd-9670-41bf-a4f9-c148a1cc4e03", n.id());
        assertEquals(Map.of("realmId", "310687", "entity", "Class", "id", "1234", "operation", "Create",
                "lastUpdated", "2025-10-07T19:59:07.034359333Z"), n.payload());
        assertEquals(0, format.read(request(body, sign("verifier", body)),
                settings("verifier", Map.of("entities", List.of("Customer")))).notifications().size());
    }

    @Test
    void malformedBodiesAreRefusedWith400() throws Exception {
        for (String body : List.of("{not json", "{\"something\":1}",
                "{\"eventNotifications\":[{\"realmId\":\"1\",\"dataChangeEvent\":{\"entities\":[{\"name\":\"Customer\"}]}}]}",
                "[{\"id\":\"x\",\"type\":\"customer.updated\",\"intuitentityid\":\"1\",\"intuitaccountid\":\"2\"}]")) {
            WebhookRefusedException e = assertThrows(WebhookRefusedException.class,
                    () -> format.read(request(body, sign("t", body)), settings("t", Map.of())), body);
            assertEquals(400, e.status(), body);
        }
    }

    @Test
    void settingsAreChecked() {
        assertEquals(List.of("secret"), format.validate(new WebhookSettings(Optional.empty(), Map.of()))
                .stream().map(p -> p.path()).toList());
        assertEquals(List.of("options.realmId", "options.entities", "options.maxAge"), format.validate(settings("t",
                        new java.util.TreeMap<>(Map.of("realmId", "abc", "entities", "Customer", "maxAge", "soon"))))
                .stream().map(p -> p.path()).sorted((a, b) -> order(a) - order(b)).toList());
        assertEquals(List.of("options.realm"), format.validate(settings("t", Map.of("realm", "1")))
                .stream().map(p -> p.path()).toList());
    }

    private static int order(String path) {
        return List.of("options.realmId", "options.entities", "options.maxAge").indexOf(path);
    }
}
