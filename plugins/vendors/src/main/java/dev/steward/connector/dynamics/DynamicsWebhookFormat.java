package dev.steward.connector.dynamics;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.steward.plugin.ConfigProblem;
import dev.steward.plugin.WebhookDelivery;
import dev.steward.plugin.WebhookFormat;
import dev.steward.plugin.WebhookRefusedException;
import dev.steward.plugin.WebhookRequest;
import dev.steward.plugin.WebhookSettings;

import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code format: dynamics}: a Dataverse webhook (a service endpoint with a step on Create,
 * Update or Delete) posting the step's {@code RemoteExecutionContext} as JSON.
 *
 * <p>Dataverse does not sign its deliveries: the endpoint is registered with a key that it
 * sends back on every call, either as a header (authentication type {@code HttpHeader}; the
 * header's name is {@code options.header}, {@code x-steward-key} unless set) or as the query
 * parameter {@code code} (type {@code WebhookKey}). The key is the trigger's {@code secret},
 * compared in constant time; a missing or wrong key is answered 401. There is no timestamp to
 * bound a replay: a redelivery of the same context is recognised by its notification id
 * (the context's {@code OperationId}, else its {@code RequestId}, with the message and the
 * row's id), which Steward stores once. With {@code options.organizationId}, a context from
 * another organization is answered 403.
 *
 * <p>Each context becomes one notification whose payload is the row's attributes: the
 * {@code Target}'s attributes (on Update, only the changed ones, so the flow reads the rest
 * with {@code fetch: true}), its key attributes (an upsert by alternate key names them), the
 * attributes of the post image when one is registered, and the row's id under its primary id
 * attribute ({@code accountid}). {@code /Date(ms)/} values become ISO instants, lookups their
 * GUID, option sets and money their number. Stateless and thread-safe.
 */
public final class DynamicsWebhookFormat implements WebhookFormat {

    /** The header that carries the key when {@code options.header} is not set. */
    public static final String DEFAULT_HEADER = "x-steward-key";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern DATE = Pattern.compile("/Date\\((-?\\d+)([+-]\\d{4})?\\)/");
    private static final Pattern HEADER = Pattern.compile("[A-Za-z0-9-]+");
    private static final Set<String> OPTIONS = Set.of("header", "organizationId");

    @Override
    public String name() {
        return "dynamics";
    }

    @Override
    public List<ConfigProblem> validate(WebhookSettings settings) {
        List<ConfigProblem> problems = new ArrayList<>();
        if (settings.secret().filter(s -> !s.isBlank()).isEmpty()) {
            problems.add(new ConfigProblem("secret", "required: the key registered with the Dataverse webhook"
                    + " (sent in the header options.header, or as ?code=)"));
        }
        settings.option("header").filter(h -> !HEADER.matcher(h).matches()).ifPresent(h -> problems.add(
                new ConfigProblem("options.header", "'" + h + "' is not a header name")));
        for (String option : settings.options().keySet()) {
            if (!OPTIONS.contains(option)) {
                problems.add(new ConfigProblem("options." + option, "unknown option of format dynamics (header,"
                        + " organizationId)"));
            }
        }
        return problems;
    }

    @Override
    public WebhookDelivery read(WebhookRequest request, WebhookSettings settings) {
        authenticate(request, settings);
        JsonNode context;
        try {
            context = JSON.readTree(request.body());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new WebhookRefusedException(400, "the body is not JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new WebhookRefusedException(400, "the body could not be read: " + e.getMessage());
        }
        if (context == null || !context.isObject()) {
            throw new WebhookRefusedException(400, "the body is not a RemoteExecutionContext (a JSON object)");
        }
        String message = text(context, "MessageName");
        String entityName = text(context, "PrimaryEntityName");
        String entityId = text(context, "PrimaryEntityId");
        Optional<String> operation = optionalText(context, "OperationId").or(() -> optionalText(context, "RequestId"));
        if (operation.isEmpty()) {
            throw new WebhookRefusedException(400, "the RemoteExecutionContext has neither OperationId nor RequestId"
                    + " to recognise a redelivery by");
        }
        Optional<String> organization = settings.option("organizationId");
        if (organization.isPresent()
                && !organization.get().equalsIgnoreCase(optionalText(context, "OrganizationId").orElse(""))) {
            throw new WebhookRefusedException(403, "the context comes from organization "
                    + optionalText(context, "OrganizationId").orElse("(none)") + ", not the flow's");
        }
        Map<String, Object> payload = new LinkedHashMap<>();
        JsonNode target = parameter(context.path("InputParameters"), "Target");
        if (target.isObject()) {
            putAll(payload, target.path("Attributes"));
            putAll(payload, target.path("KeyAttributes"));
        }
        for (JsonNode image : context.path("PostEntityImages")) {
            putAll(payload, image.path("value").path("Attributes"));
        }
        payload.putIfAbsent(entityName.toLowerCase(Locale.ROOT) + "id", entityId);
        String id = operation.get() + ":" + message + ":" + entityId;
        return WebhookDelivery.of(List.of(new WebhookDelivery.Notification(id, payload)));
    }

    private static void authenticate(WebhookRequest request, WebhookSettings settings) {
        String expected = settings.secret().orElseThrow(() -> new WebhookRefusedException(401,
                "no key is configured for this webhook"));
        String header = settings.option("header").orElse(DEFAULT_HEADER);
        Optional<String> given = request.header(header).or(() -> query(request.url(), "code"));
        if (given.isEmpty()) {
            throw new WebhookRefusedException(401, "the delivery carries no key (header " + header + " or ?code=)");
        }
        if (!MessageDigest.isEqual(given.get().getBytes(StandardCharsets.UTF_8),
                expected.getBytes(StandardCharsets.UTF_8))) {
            throw new WebhookRefusedException(401, "the delivery's key is not the webhook's");
        }
    }

    private static Optional<String> query(String url, String name) {
        String query;
        try {
            query = URI.create(url).getRawQuery();
        } catch (IllegalArgumentException notAUri) {
            return Optional.empty();
        }
        if (query == null) {
            return Optional.empty();
        }
        for (String pair : query.split("&")) {
            int equals = pair.indexOf('=');
            String key = URLDecoder.decode(equals < 0 ? pair : pair.substring(0, equals), StandardCharsets.UTF_8);
            if (key.equals(name)) {
                return Optional.of(equals < 0 ? "" : URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8));
            }
        }
        return Optional.empty();
    }

    /** The value of a key/value list's entry ({@code InputParameters}, {@code Attributes}). */
    private static JsonNode parameter(JsonNode list, String key) {
        for (JsonNode entry : list) {
            if (key.equals(entry.path("key").asText(null))) {
                return entry.path("value");
            }
        }
        return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
    }

    private static void putAll(Map<String, Object> payload, JsonNode attributes) {
        if (!attributes.isArray()) {
            return;
        }
        for (JsonNode entry : attributes) {
            JsonNode key = entry.path("key");
            if (!key.isTextual()) {
                throw new WebhookRefusedException(400, "an attribute of the context has no key: " + entry);
            }
            payload.put(key.asText(), value(entry.path("value")));
        }
    }

    /** An attribute's value as the flow should see it. */
    static Object value(JsonNode value) {
        if (value.isMissingNode() || value.isNull()) {
            return null;
        }
        if (value.isTextual()) {
            Matcher date = DATE.matcher(value.asText());
            return date.matches() ? Instant.ofEpochMilli(Long.parseLong(date.group(1))).toString() : value.asText();
        }
        if (value.isObject()) {
            String type = value.path("__type").asText("");
            if (type.startsWith("EntityReference:") || (value.has("Id") && value.has("LogicalName"))) {
                return value.path("Id").asText(null);
            }
            if (type.startsWith("OptionSetValue:") || type.startsWith("Money:") || value.has("Value")) {
                return value(value.path("Value"));
            }
        }
        return JSON.convertValue(value, Object.class);
    }

    private static String text(JsonNode context, String field) {
        return optionalText(context, field).orElseThrow(() -> new WebhookRefusedException(400,
                "the RemoteExecutionContext has no " + field));
    }

    private static Optional<String> optionalText(JsonNode context, String field) {
        JsonNode node = context.path(field);
        return node.isTextual() && !node.asText().isBlank() ? Optional.of(node.asText()) : Optional.empty();
    }
}
