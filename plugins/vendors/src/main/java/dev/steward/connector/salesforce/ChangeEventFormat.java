package dev.steward.connector.salesforce;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.steward.connector.vendor.StandardWebhooks;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code format: salesforce-cdc}: Salesforce Change Data Capture events, which subscribers pull
 * over the Pub/Sub API (gRPC) and which a relay you run forwards to Steward as JSON, signed the
 * Standard Webhooks way: headers {@code webhook-id}, {@code webhook-timestamp} (Unix seconds)
 * and {@code webhook-signature} ({@code v1,<base64 HMAC-SHA256 of "id.timestamp.body">}, several
 * separated by spaces), keyed with the flow's {@code secret} ({@code whsec_<base64>} or plain
 * text). A timestamp further than {@code options.tolerance} (5m) from Steward's clock is refused
 * as a replay.
 *
 * <p>The body is one decoded change event ({@code {"ChangeEventHeader": {...}, "Name": ...}})
 * or an array of them. An event about several records ({@code recordIds}) becomes one
 * notification per record, with id {@code transactionKey:sequenceNumber:recordId} and payload
 * the event's fields plus {@code Id}, {@code sObjectType}, {@code changeType},
 * {@code changedFields} and {@code commitTimestamp}. Wildcard record ids ({@code 001*}, sent
 * with {@code GAP_OVERFLOW}) name no record and are skipped. Stateless and thread-safe.
 */
public final class ChangeEventFormat implements WebhookFormat {

    static final Duration DEFAULT_TOLERANCE = Duration.ofMinutes(5);
    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public String name() {
        return "salesforce-cdc";
    }

    @Override
    public List<ConfigProblem> validate(WebhookSettings settings) {
        List<ConfigProblem> problems = new ArrayList<>();
        if (settings.secret().isEmpty() || settings.secret().get().isBlank()) {
            problems.add(new ConfigProblem("secret", "secret is required: the key the CDC relay signs "
                    + "deliveries with (whsec_... or any text)"));
        } else {
            try {
                StandardWebhooks.key(settings.secret().get());
            } catch (IllegalArgumentException e) {
                problems.add(new ConfigProblem("secret", e.getMessage()));
            }
        }
        for (Map.Entry<String, Object> option : settings.options().entrySet()) {
            if (!option.getKey().equals("tolerance")) {
                problems.add(new ConfigProblem("options." + option.getKey(), "unknown option of salesforce-cdc; "
                        + "known: tolerance"));
            } else if (DurationSetting.parse(option.getValue()).isEmpty()) {
                problems.add(new ConfigProblem("options.tolerance", "options.tolerance must be a duration such "
                        + "as 5m"));
            }
        }
        return problems;
    }

    @Override
    public WebhookDelivery read(WebhookRequest request, WebhookSettings settings) {
        verify(request, settings);
        JsonNode json;
        try {
            json = JSON.readTree(request.body());
        } catch (IOException e) {
            throw new WebhookRefusedException(400, "the body is not JSON");
        }
        if (json == null || !(json.isObject() || json.isArray())) {
            throw new WebhookRefusedException(400, "the body is neither a change event nor an array of them");
        }
        List<WebhookDelivery.Notification> out = new ArrayList<>();
        for (JsonNode event : json.isArray() ? json : List.of(json)) {
            event(event, out);
        }
        return WebhookDelivery.of(out);
    }

    private static void event(JsonNode event, List<WebhookDelivery.Notification> out) {
        JsonNode header = event.path("ChangeEventHeader");
        if (!header.isObject()) {
            throw new WebhookRefusedException(400, "a change event has no ChangeEventHeader object");
        }
        String entity = text(header, "entityName");
        String changeType = text(header, "changeType");
        String transactionKey = text(header, "transactionKey");
        if (!header.path("sequenceNumber").canConvertToLong()) {
            throw new WebhookRefusedException(400, "ChangeEventHeader.sequenceNumber is not a number");
        }
        long sequence = header.path("sequenceNumber").asLong();
        JsonNode ids = header.path("recordIds");
        if (!ids.isArray() || ids.isEmpty()) {
            throw new WebhookRefusedException(400, "ChangeEventHeader.recordIds is not a list of record ids");
        }
        Map<String, Object> fields = new LinkedHashMap<>();
        event.properties().forEach(e -> {
            if (!e.getKey().equals("ChangeEventHeader")) {
                fields.put(e.getKey(), JSON.convertValue(e.getValue(), Object.class));
            }
        });
        for (JsonNode idNode : ids) {
            String id = idNode.asText();
            if (id.isBlank() || id.contains("*")) {
                continue; // a wildcard names no record: GAP_OVERFLOW asks for a full resync
            }
            Map<String, Object> payload = new LinkedHashMap<>(fields);
            payload.put("Id", id);
            payload.put("sObjectType", entity);
            payload.put("changeType", changeType);
            payload.put("changedFields", JSON.convertValue(header.path("changedFields"), Object.class));
            payload.put("commitTimestamp", JSON.convertValue(header.path("commitTimestamp"), Object.class));
            String notificationId = transactionKey + ":" + sequence + ":" + id;
            if (notificationId.length() > 200) {
                throw new WebhookRefusedException(400, "a change event's transactionKey is too long");
            }
            out.add(new WebhookDelivery.Notification(notificationId, payload));
        }
    }

    private static String text(JsonNode header, String field) {
        String value = header.path(field).asText("");
        if (value.isBlank() || !header.path(field).isValueNode()) {
            throw new WebhookRefusedException(400, "ChangeEventHeader." + field + " is missing");
        }
        return value;
    }

    /** Checks the Standard Webhooks signature and the timestamp window. */
    static void verify(WebhookRequest request, WebhookSettings settings) {
        String id = request.header("webhook-id").orElse("");
        String timestamp = request.header("webhook-timestamp").orElse("");
        String signatures = request.header("webhook-signature").orElse("");
        if (id.isBlank() || timestamp.isBlank() || signatures.isBlank()) {
            throw new WebhookRefusedException(401, "the delivery is not signed: webhook-id, webhook-timestamp and "
                    + "webhook-signature are required");
        }
        long seconds;
        try {
            seconds = Long.parseLong(timestamp.strip());
        } catch (NumberFormatException e) {
            throw new WebhookRefusedException(401, "webhook-timestamp is not a number of seconds");
        }
        Duration tolerance = settings.options().containsKey("tolerance")
                ? DurationSetting.parse(settings.options().get("tolerance")).orElse(DEFAULT_TOLERANCE)
                : DEFAULT_TOLERANCE;
        Duration age = Duration.between(Instant.ofEpochSecond(seconds), request.receivedAt()).abs();
        if (age.compareTo(tolerance) > 0) {
            throw new WebhookRefusedException(401, "webhook-timestamp is " + age.toSeconds() + "s away from now, "
                    + "outside the " + DurationSetting.format(tolerance) + " window (a replay?)");
        }
        byte[] expected = StandardWebhooks.sign(StandardWebhooks.key(settings.secret().orElseThrow(() ->
                new WebhookRefusedException(401, "the flow has no secret to check signatures with"))), id, timestamp,
                request.body());
        if (StandardWebhooks.matches(expected, signatures)) {
            return;
        }
        throw new WebhookRefusedException(401, "webhook-signature does not match the body signed with the flow's "
                + "secret");
    }
}
