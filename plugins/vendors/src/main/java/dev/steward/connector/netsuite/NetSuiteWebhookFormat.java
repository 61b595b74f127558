package dev.steward.connector.netsuite;

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
import java.util.List;
import java.util.Map;

/**
 * {@code format: netsuite}: deliveries of Steward's SuiteScript User Event script
 * ({@code examples/netsuite-salesforce/suitescript/steward_user_event.js}), which NetSuite runs
 * after a record is saved. NetSuite has no outbound webhooks of its own; the script signs each
 * delivery the Standard Webhooks way ({@code webhook-id}, {@code webhook-timestamp},
 * {@code webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">}) and posts one
 * record's {@code {id, type, externalId, event, changedFields, lastModifiedDate}}: a thin
 * notification, so the flow reads the record with {@code fetch: true}.
 *
 * <p>The secret is the flow's {@code secret}: {@code whsec_<base64>} (the key is the decoded
 * bytes) or any other text (the key is its UTF-8 bytes). Option {@code maxAge} (default 5m) is
 * how far {@code webhook-timestamp} may be from Steward's clock. The notification's id is
 * {@code webhook-id}, which the script keeps across its retries of one change. Stateless and
 * thread-safe.
 */
public final class NetSuiteWebhookFormat implements WebhookFormat {

    static final Duration DEFAULT_MAX_AGE = Duration.ofMinutes(5);
    static final int MAX_ID = 200;

    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public String name() {
        return "netsuite";
    }

    @Override
    public List<ConfigProblem> validate(WebhookSettings settings) {
        List<ConfigProblem> problems = new ArrayList<>();
        if (settings.secret().isEmpty() || settings.secret().get().isBlank()) {
            problems.add(new ConfigProblem("secret", "format netsuite needs the secret the SuiteScript signs with"
                    + " (secret: ${env:NETSUITE_WEBHOOK_SECRET}, a whsec_<base64> value)"));
        } else {
            try {
                StandardWebhooks.key(settings.secret().get());
            } catch (IllegalArgumentException e) {
                problems.add(new ConfigProblem("secret", "the secret starts with whsec_ but the rest is not base64"));
            }
        }
        for (String option : settings.options().keySet()) {
            if (!option.equals("maxAge")) {
                problems.add(new ConfigProblem("options." + option, "format netsuite has no option '" + option
                        + "'; it takes maxAge"));
            }
        }
        if (settings.options().containsKey("maxAge") && DurationSetting.parse(settings.options().get("maxAge")).isEmpty()) {
            problems.add(new ConfigProblem("options.maxAge", "maxAge '" + settings.options().get("maxAge")
                    + "' is not a duration like 5m or 300s"));
        }
        return problems;
    }

    @Override
    public WebhookDelivery read(WebhookRequest request, WebhookSettings settings) {
        String secret = settings.secret().orElseThrow(() -> new WebhookRefusedException(401,
                "the flow has no secret to verify NetSuite deliveries with"));
        String id = header(request, "webhook-id");
        String timestamp = header(request, "webhook-timestamp");
        String signatures = header(request, "webhook-signature");
        if (id.length() > MAX_ID) {
            throw new WebhookRefusedException(400, "webhook-id is longer than " + MAX_ID + " characters");
        }
        Duration maxAge = settings.option("maxAge").flatMap(DurationSetting::parse).orElse(DEFAULT_MAX_AGE);
        long seconds;
        try {
            seconds = Long.parseLong(timestamp.strip());
        } catch (NumberFormatException e) {
            throw new WebhookRefusedException(401, "webhook-timestamp is not a number of seconds");
        }
        Duration skew = Duration.between(Instant.ofEpochSecond(seconds), request.receivedAt()).abs();
        if (skew.compareTo(maxAge) > 0) {
            throw new WebhookRefusedException(401, "webhook-timestamp is " + skew.toSeconds() + "s away from Steward's"
                    + " clock, more than " + DurationSetting.format(maxAge) + ": a replay, or a clock that is off");
        }
        byte[] expected = StandardWebhooks.sign(StandardWebhooks.key(secret), id, timestamp.strip(), request.body());
        if (!StandardWebhooks.matches(expected, signatures)) {
            throw new WebhookRefusedException(401, "no v1 signature in webhook-signature matches the body");
        }
        JsonNode body;
        try {
            body = JSON.readTree(request.body());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new WebhookRefusedException(400, "the body is not JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new WebhookRefusedException(400, "the body is not JSON");
        }
        if (body == null || !body.isObject()) {
            throw new WebhookRefusedException(400, "the body is not a JSON object");
        }
        for (String field : List.of("id", "type")) {
            JsonNode v = body.get(field);
            if (v == null || !(v.isTextual() || v.isIntegralNumber()) || v.asText().isBlank()) {
                throw new WebhookRefusedException(400, "the body has no " + field
                        + " (the SuiteScript sends id, type, externalId, event, changedFields, lastModifiedDate)");
            }
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> payload = JSON.convertValue(body, Map.class);
        return WebhookDelivery.of(List.of(new WebhookDelivery.Notification(id, payload)));
    }

    private static String header(WebhookRequest request, String name) {
        return request.header(name).filter(v -> !v.isBlank()).orElseThrow(() -> new WebhookRefusedException(401,
                "missing " + name + " header (NetSuite deliveries are signed the Standard Webhooks way)"));
    }
}
