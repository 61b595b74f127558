package dev.steward.connector.sap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.steward.plugin.ConfigProblem;
import dev.steward.plugin.WebhookDelivery;
import dev.steward.plugin.WebhookFormat;
import dev.steward.plugin.WebhookRefusedException;
import dev.steward.plugin.WebhookRequest;
import dev.steward.plugin.WebhookSettings;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * {@code format: sap-events}: S/4HANA Cloud business events as SAP Event Mesh pushes them to a
 * webhook, as CloudEvents 1.0 in structured mode ({@code application/cloudevents+json}, one
 * event, or {@code application/cloudevents-batch+json}, an array) or binary mode ({@code ce-id},
 * {@code ce-source}, {@code ce-type}, {@code ce-specversion} headers, the body being the data).
 * The events are notification events: their data holds the record's keys only
 * ({@code {"BusinessPartner":"1000123"}}), which become the notification's payload, so the flow
 * reads the record with {@code fetch: true}. A notification's id is the event's {@code source}
 * and {@code id}, which CloudEvents makes unique, so a redelivery is a duplicate.
 *
 * <p>SAP signs nothing: Event Mesh authenticates its pushes to a webhook with basic auth or a
 * header it is given. Options: {@code auth: header} (default) checks the header named by
 * {@code header} (default {@code X-Steward-Key}) against the {@code secret};
 * {@code auth: basic} checks basic auth with the user {@code user} and the {@code secret} as
 * password. Both compare in constant time; a wrong or missing one is 401. {@code types} (a list;
 * an entry ending in {@code *} is a prefix) keeps only those event types: others are answered
 * 2xx and ignored, since Event Mesh would otherwise redeliver them forever. Stateless.
 */
public final class SapEventsFormat implements WebhookFormat {

    /** Event Mesh gives the header key, or the basic credentials, to each push. */
    static final String DEFAULT_HEADER = "X-Steward-Key";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> OPTIONS = Set.of("auth", "header", "user", "types");
    private static final Pattern HEADER = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");
    private static final int MAX_ID = 200;

    @Override
    public String name() {
        return "sap-events";
    }

    @Override
    public List<ConfigProblem> validate(WebhookSettings settings) {
        List<ConfigProblem> problems = new ArrayList<>();
        for (String key : settings.options().keySet()) {
            if (!OPTIONS.contains(key)) {
                problems.add(new ConfigProblem("options." + key, "unknown option '" + key + "' of format sap-events;"
                        + " known: auth, header, user, types"));
            }
        }
        if (settings.secret().isEmpty() || settings.secret().get().isBlank()) {
            problems.add(new ConfigProblem("secret", "secret is required: SAP Event Mesh signs nothing, so the key"
                    + " (or basic-auth password) the webhook subscription sends is what keeps strangers out"));
        }
        String auth = settings.option("auth").orElse("header");
        switch (auth) {
            case "header" -> {
                String header = settings.option("header").orElse(DEFAULT_HEADER);
                if (!HEADER.matcher(header).matches() || header.equalsIgnoreCase("Authorization")) {
                    problems.add(new ConfigProblem("options.header", "'" + header + "' is not a header name to carry"
                            + " a key (letters, digits and -; for Authorization use auth: basic)"));
                }
                if (settings.options().containsKey("user")) {
                    problems.add(new ConfigProblem("options.user", "user goes with auth: basic"));
                }
            }
            case "basic" -> {
                String user = settings.option("user").orElse("");
                if (user.isBlank() || user.contains(":")) {
                    problems.add(new ConfigProblem("options.user", "auth: basic needs the user Event Mesh sends"
                            + " (without ':'); the secret is its password"));
                }
            }
            default -> problems.add(new ConfigProblem("options.auth", "auth must be header or basic, not '"
                    + auth + "'"));
        }
        Object types = settings.options().get("types");
        if (types != null && (!(types instanceof List<?> list) || list.isEmpty()
                || list.stream().anyMatch(t -> !(t instanceof String s) || s.isBlank()))) {
            problems.add(new ConfigProblem("options.types", "types must be a list of event types, like"
                    + " [sap.s4.beh.businesspartner.v1.BusinessPartner.Changed.v1] (an entry ending in * is a prefix)"));
        }
        return problems;
    }

    @Override
    public WebhookDelivery read(WebhookRequest request, WebhookSettings settings) {
        authenticate(request, settings);
        List<JsonNode> events = events(request);
        List<WebhookDelivery.Notification> notifications = new ArrayList<>();
        for (JsonNode event : events) {
            String type = event.path("type").asText();
            if (!wanted(type, settings)) {
                continue; // answered 2xx all the same: Event Mesh redelivers what is refused
            }
            JsonNode data = event.get("data");
            if (data == null || !data.isObject() || data.isEmpty()) {
                throw new WebhookRefusedException(400, "CloudEvent " + event.path("id").asText() + " of type " + type
                        + " has no data object with the record's keys");
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> payload = JSON.convertValue(data, LinkedHashMap.class);
            notifications.add(new WebhookDelivery.Notification(
                    id(event.path("source").asText(), event.path("id").asText()), payload));
        }
        return WebhookDelivery.of(notifications);
    }

    private static void authenticate(WebhookRequest request, WebhookSettings settings) {
        String secret = settings.secret().orElseThrow(() -> new WebhookRefusedException(401,
                "this webhook has no secret configured, so no delivery can be authenticated"));
        if (settings.option("auth").orElse("header").equals("basic")) {
            String expected = "Basic " + Base64.getEncoder().encodeToString(
                    (settings.option("user").orElse("") + ":" + secret).getBytes(StandardCharsets.UTF_8));
            String given = request.header("Authorization").orElse("");
            if (!equal(expected, given)) {
                throw new WebhookRefusedException(401, given.isEmpty() ? "basic auth is missing"
                        : "basic auth does not match the webhook's user and secret");
            }
            return;
        }
        String header = settings.option("header").orElse(DEFAULT_HEADER);
        String given = request.header(header).orElse("");
        if (!equal(secret, given)) {
            throw new WebhookRefusedException(401, given.isEmpty() ? "header " + header + " is missing"
                    : "header " + header + " does not match the webhook's secret");
        }
    }

    /** Compares in constant time, whatever the lengths, so a guess learns nothing from timing. */
    private static boolean equal(String expected, String given) {
        return MessageDigest.isEqual(sha256(expected), sha256(given));
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from the JDK", e);
        }
    }

    /** The delivery's CloudEvents, each checked for the attributes CloudEvents 1.0 requires. */
    private static List<JsonNode> events(WebhookRequest request) {
        List<JsonNode> events = new ArrayList<>();
        if (request.header("ce-id").isPresent() || request.header("ce-specversion").isPresent()) {
            var event = JSON.createObjectNode();
            event.put("specversion", request.header("ce-specversion").orElse(""));
            event.put("id", request.header("ce-id").orElse(""));
            event.put("source", request.header("ce-source").orElse(""));
            event.put("type", request.header("ce-type").orElse(""));
            event.set("data", parse(request));
            events.add(event);
        } else {
            JsonNode body = parse(request);
            if (body.isArray()) {
                body.forEach(events::add);
            } else {
                events.add(body);
            }
        }
        for (JsonNode event : events) {
            if (!event.isObject()) {
                throw new WebhookRefusedException(400, "a CloudEvent is a JSON object");
            }
            if (!"1.0".equals(event.path("specversion").asText())) {
                throw new WebhookRefusedException(400, "not a CloudEvent 1.0: specversion is '"
                        + event.path("specversion").asText() + "' (binary mode needs the ce-specversion header)");
            }
            for (String attribute : List.of("id", "source", "type")) {
                if (!event.path(attribute).isTextual() || event.path(attribute).asText().isEmpty()) {
                    throw new WebhookRefusedException(400, "CloudEvent without its " + attribute + " attribute");
                }
            }
        }
        return events;
    }

    private static JsonNode parse(WebhookRequest request) {
        try {
            JsonNode body = JSON.readTree(request.body());
            if (body == null || body.isMissingNode()) {
                throw new WebhookRefusedException(400, "the delivery has no body");
            }
            return body;
        } catch (IOException e) {
            throw new WebhookRefusedException(400, "the delivery is not JSON: " + (e instanceof com.fasterxml.jackson.core.JsonProcessingException j ? j.getOriginalMessage() : e.getMessage()));
        }
    }

    private static boolean wanted(String type, WebhookSettings settings) {
        if (!(settings.options().get("types") instanceof List<?> types)) {
            return true;
        }
        for (Object entry : types) {
            String wanted = String.valueOf(entry);
            if (wanted.endsWith("*") ? type.startsWith(wanted.substring(0, wanted.length() - 1)) : type.equals(wanted)) {
                return true;
            }
        }
        return false;
    }

    /** {@code source#id}; hashed when longer than Steward keeps ids, still unique per source and id. */
    static String id(String source, String id) {
        String full = source + "#" + id;
        if (full.length() <= MAX_ID) {
            return full;
        }
        return "sha256:" + HexFormat.of().formatHex(sha256(full));
    }
}
