package dev.steward.host;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.steward.plugin.ConfigProblem;
import dev.steward.plugin.WebhookDelivery;
import dev.steward.plugin.WebhookFormat;
import dev.steward.plugin.WebhookRefusedException;
import dev.steward.plugin.WebhookRequest;
import dev.steward.plugin.WebhookSettings;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A webhook format for tests, registered only on the host's test class path
 * ({@code META-INF/services/dev.steward.plugin.WebhookFormat}): a delivery is a JSON array of
 * records, each with its own id at {@code options.idField} (default {@code eventId}), signed with
 * {@code X-Test-Signature: hex(HMAC-SHA256(secret, url + "\n" + body))} over the URL the sender
 * called. With {@code options.reply}, every delivery is answered 200 with that text.
 */
public final class JsonArrayFormat implements WebhookFormat {

    static final String NAME = "json-array";
    static final String HEADER = "X-Test-Signature";
    private static final Set<String> OPTIONS = Set.of("idField", "reply", "maxItems");
    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public List<ConfigProblem> validate(WebhookSettings settings) {
        List<ConfigProblem> problems = new ArrayList<>();
        if (settings.secret().isEmpty()) {
            problems.add(new ConfigProblem("", "needs the 'secret' that signs deliveries"));
        }
        settings.options().keySet().stream().filter(key -> !OPTIONS.contains(key)).sorted().forEach(key ->
                problems.add(new ConfigProblem("options." + key, "unknown option '" + key + "' (known: idField, maxItems, reply)")));
        Object max = settings.options().get("maxItems");
        if (max != null && !(max instanceof Number)) {
            problems.add(new ConfigProblem("options.maxItems", "maxItems must be a number, not '" + max + "'"));
        }
        return problems;
    }

    @Override
    public WebhookDelivery read(WebhookRequest request, WebhookSettings settings) {
        String sent = request.header(HEADER).orElseThrow(() -> new WebhookRefusedException(401, "missing " + HEADER));
        byte[] expected = HexFormat.of().formatHex(sign(settings.secret().orElseThrow(), request.url(), request.body()))
                .getBytes(StandardCharsets.US_ASCII);
        if (!MessageDigest.isEqual(expected, sent.getBytes(StandardCharsets.US_ASCII))) {
            throw new WebhookRefusedException(401, "the signature does not match the body and URL");
        }
        JsonNode array;
        try {
            array = JSON.readTree(request.body());
        } catch (java.io.IOException e) {
            throw new WebhookRefusedException(400, "not JSON: " + e.getMessage());
        }
        if (array == null || !array.isArray()) {
            throw new WebhookRefusedException(400, "a delivery is a JSON array of records");
        }
        String idField = settings.option("idField").orElse("eventId");
        List<WebhookDelivery.Notification> notifications = new ArrayList<>();
        for (JsonNode item : array) {
            if (!item.isObject() || !item.path(idField).isValueNode()) {
                throw new WebhookRefusedException(400, "every record needs its '" + idField + "'");
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> payload = JSON.convertValue(item, Map.class);
            notifications.add(new WebhookDelivery.Notification(item.get(idField).asText(), payload));
        }
        Optional<WebhookDelivery.Reply> reply = settings.option("reply")
                .map(text -> new WebhookDelivery.Reply(200, "text/plain", text));
        return new WebhookDelivery(notifications, reply);
    }

    /** The signature a sender puts in {@link #HEADER}. */
    static byte[] sign(String secret, String url, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            mac.update((url + "\n").getBytes(StandardCharsets.UTF_8));
            return mac.doFinal(body);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    static String signature(String secret, String url, String body) {
        return HexFormat.of().formatHex(sign(secret, url, body.getBytes(StandardCharsets.UTF_8)));
    }
}
