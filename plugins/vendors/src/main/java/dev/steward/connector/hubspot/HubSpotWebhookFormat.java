package dev.steward.connector.hubspot;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.steward.plugin.ConfigProblem;
import dev.steward.plugin.DurationSetting;
import dev.steward.plugin.WebhookDelivery;
import dev.steward.plugin.WebhookFormat;
import dev.steward.plugin.WebhookRefusedException;
import dev.steward.plugin.WebhookRequest;
import dev.steward.plugin.WebhookSettings;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code format: hubspot}: a HubSpot app's webhook deliveries, a JSON array of events
 * ({@code eventId}, {@code subscriptionType}, {@code objectId}, {@code portalId},
 * {@code propertyName}/{@code propertyValue}, {@code changeSource}...), one notification per
 * event with the event's {@code eventId} as its id and the event's fields as its payload (thin:
 * {@code objectId} is the key; the flow reads the record with {@code fetch: true}).
 *
 * <p>The {@code secret} is the app's client secret. Deliveries must carry a v3 signature
 * ({@code X-HubSpot-Signature-v3}) with an {@code X-HubSpot-Request-Timestamp} no more than
 * {@code maxAge} (5 minutes) away from Steward's clock. The v1 and v2 signatures
 * ({@code X-HubSpot-Signature} with {@code X-HubSpot-Signature-Version}) sign no time, so a
 * captured delivery could be sent again at any time: they are refused unless
 * {@code options: { legacySignatures: true }}. With {@code portalId}, deliveries with an event
 * of another HubSpot account are refused (403).
 *
 * <p>Stateless and thread-safe.
 */
public final class HubSpotWebhookFormat implements WebhookFormat {

    static final Duration DEFAULT_MAX_AGE = Duration.ofMinutes(5);
    private static final Set<String> OPTIONS = Set.of("legacySignatures", "portalId", "maxAge");
    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public String name() {
        return "hubspot";
    }

    @Override
    public List<ConfigProblem> validate(WebhookSettings settings) {
        List<ConfigProblem> problems = new ArrayList<>();
        if (settings.secret().filter(s -> !s.isBlank()).isEmpty()) {
            problems.add(new ConfigProblem("secret", "format hubspot needs the app's client secret, which signs its"
                    + " deliveries: secret: ${env:HUBSPOT_CLIENT_SECRET}"));
        }
        for (String key : settings.options().keySet()) {
            if (!OPTIONS.contains(key)) {
                problems.add(new ConfigProblem("options." + key, "unknown option '" + key
                        + "' of format hubspot; known: legacySignatures, maxAge, portalId"));
            }
        }
        Object legacy = settings.options().get("legacySignatures");
        if (legacy != null && !(legacy instanceof Boolean) && !legacy.equals("true") && !legacy.equals("false")) {
            problems.add(new ConfigProblem("options.legacySignatures", "legacySignatures must be true or false"));
        }
        settings.option("portalId").filter(p -> !p.matches("\\d{1,19}")).ifPresent(p -> problems.add(
                new ConfigProblem("options.portalId", "portalId '" + p + "' is not a HubSpot account id (a number)")));
        if (settings.options().containsKey("maxAge")) {
            Optional<Duration> age = DurationSetting.parse(settings.options().get("maxAge"));
            if (age.isEmpty() || age.get().compareTo(Duration.ofHours(1)) > 0) {
                problems.add(new ConfigProblem("options.maxAge", "maxAge must be a duration up to 1h, like 5m"));
            }
        }
        return problems;
    }

    @Override
    public WebhookDelivery read(WebhookRequest request, WebhookSettings settings) {
        String secret = settings.secret().orElseThrow(() -> new WebhookRefusedException(401,
                "no client secret is configured to check HubSpot's signature"));
        verify(request, settings, secret);
        JsonNode events;
        try {
            events = JSON.readTree(request.body());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new WebhookRefusedException(400, "the body is not JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new WebhookRefusedException(400, "the body is not JSON: " + e.getMessage());
        }
        if (events == null || !events.isArray()) {
            throw new WebhookRefusedException(400, "a HubSpot delivery is a JSON array of events");
        }
        Optional<String> portal = settings.option("portalId");
        List<WebhookDelivery.Notification> notifications = new ArrayList<>();
        int index = 0;
        for (JsonNode event : events) {
            if (!event.isObject()) {
                throw new WebhookRefusedException(400, "event " + index + " is not a JSON object");
            }
            JsonNode id = event.get("eventId");
            if (id == null || !(id.isIntegralNumber() || id.isTextual()) || id.asText().isBlank()
                    || id.asText().length() > 200) {
                throw new WebhookRefusedException(400, "event " + index + " has no eventId");
            }
            if (portal.isPresent() && !portal.get().equals(event.path("portalId").asText())) {
                throw new WebhookRefusedException(403, "event " + id.asText() + " is from HubSpot account "
                        + event.path("portalId").asText("(none)") + ", not " + portal.get());
            }
            Map<String, Object> payload = JSON.convertValue(event, new TypeReference<>() { });
            notifications.add(new WebhookDelivery.Notification(id.asText(), payload));
            index++;
        }
        return WebhookDelivery.of(notifications);
    }

    private static void verify(WebhookRequest request, WebhookSettings settings, String secret) {
        String body = request.text();
        Optional<String> v3 = request.header("X-HubSpot-Signature-v3");
        if (v3.isPresent()) {
            String timestamp = request.header("X-HubSpot-Request-Timestamp").orElseThrow(() ->
                    new WebhookRefusedException(401, "X-HubSpot-Signature-v3 without X-HubSpot-Request-Timestamp"));
            Instant signedAt;
            try {
                signedAt = Instant.ofEpochMilli(Long.parseLong(timestamp.trim()));
            } catch (NumberFormatException e) {
                throw new WebhookRefusedException(401, "X-HubSpot-Request-Timestamp is not epoch milliseconds");
            }
            Duration maxAge = settings.options().containsKey("maxAge")
                    ? DurationSetting.parse(settings.options().get("maxAge")).orElse(DEFAULT_MAX_AGE) : DEFAULT_MAX_AGE;
            Duration age = Duration.between(signedAt, request.receivedAt());
            if (age.abs().compareTo(maxAge) > 0) {
                throw new WebhookRefusedException(401, "the delivery was signed " + (age.isNegative()
                        ? "in the future" : age.toSeconds() + " s ago") + ", outside the " + maxAge.toSeconds()
                        + " s window (refused as a replay)");
            }
            String expected = HubSpotSignatures.v3(secret, request.method(), request.url(), body, timestamp.trim());
            if (!HubSpotSignatures.same(expected, v3.get())) {
                throw new WebhookRefusedException(401, "X-HubSpot-Signature-v3 does not match (wrong client secret,"
                        + " or the URL HubSpot calls differs from Steward's public URL)");
            }
            return;
        }
        Optional<String> legacy = request.header("X-HubSpot-Signature");
        if (legacy.isEmpty()) {
            throw new WebhookRefusedException(401, "the delivery has no X-HubSpot-Signature-v3");
        }
        if (!Boolean.parseBoolean(settings.option("legacySignatures").orElse("false"))) {
            throw new WebhookRefusedException(401, "the delivery has only a v1/v2 X-HubSpot-Signature, which signs no"
                    + " time; set options.legacySignatures: true to accept it");
        }
        String version = request.header("X-HubSpot-Signature-Version").orElse("v1").trim();
        String expected = switch (version) {
            case "v1" -> HubSpotSignatures.v1(secret, body);
            case "v2" -> HubSpotSignatures.v2(secret, request.method(), request.url(), body);
            default -> throw new WebhookRefusedException(401, "X-HubSpot-Signature-Version '" + version
                    + "' is not v1 or v2");
        };
        if (!HubSpotSignatures.same(expected, legacy.get())) {
            throw new WebhookRefusedException(401, "X-HubSpot-Signature (" + version + ") does not match");
        }
    }
}
