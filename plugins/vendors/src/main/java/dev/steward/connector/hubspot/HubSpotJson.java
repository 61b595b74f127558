package dev.steward.connector.hubspot;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.steward.plugin.ConnectorException;
import dev.steward.plugin.SystemUnavailableException;
import dev.steward.plugin.WriteRefusedException;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.temporal.TemporalAccessor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * HubSpot's wire conventions: property values as text both ways, path and query encoding, and
 * error bodies ({@code {"status":"error","message":...,"category":"VALIDATION_ERROR",...}})
 * turned into Steward's exceptions, naming the property HubSpot refused. Stateless.
 */
final class HubSpotJson {

    private static final ObjectMapper JSON = new ObjectMapper();

    private HubSpotJson() {
    }

    /**
     * The {@code properties} object of a write: each mapped field's value as HubSpot's text
     * (numbers plainly, {@code 5000} not {@code 5E+3}; booleans {@code true}/{@code false};
     * dates ISO-8601; null as the empty text, which clears the property).
     */
    static ObjectNode properties(HubSpotSettings.ObjectSettings object, Map<String, Object> fields, String system,
                                 String entity, String key) {
        ObjectNode properties = JSON.createObjectNode();
        for (Map.Entry<String, Object> field : fields.entrySet()) {
            String property = object.properties().getOrDefault(field.getKey(),
                    HubSpotSettings.propertyName(field.getKey()));
            properties.put(property, text(field.getValue(), system, entity, key, property));
        }
        return properties;
    }

    private static String text(Object value, String system, String entity, String key, String property) {
        return switch (value) {
            case null -> "";
            case String s -> s;
            case Boolean b -> b.toString();
            case BigDecimal d -> plain(d);
            case Double d when !d.isNaN() && !d.isInfinite() -> plain(BigDecimal.valueOf(d));
            case Float f when !f.isNaN() && !f.isInfinite() -> plain(new BigDecimal(f.toString()));
            case Double d -> throw refuse(system, entity, key, property, "is " + d);
            case Float f -> throw refuse(system, entity, key, property, "is " + f);
            case Number n -> n.toString();
            case TemporalAccessor t -> t.toString();
            default -> throw refuse(system, entity, key, property, "is a " + (value instanceof Map<?, ?> ? "map"
                    : value instanceof List<?> ? "list" : value.getClass().getSimpleName())
                    + "; HubSpot properties hold text, numbers, booleans and dates");
        };
    }

    private static String plain(BigDecimal d) {
        return d.signum() == 0 ? "0" : d.stripTrailingZeros().toPlainString();
    }

    private static WriteRefusedException refuse(String system, String entity, String key, String property, String why) {
        return new WriteRefusedException(system + ": cannot write " + entity + " " + key + ": property '" + property
                + "' " + why, 0, "");
    }

    /** A property's text as the entity's {@code types} say to read it; text that is not one stays text. */
    static Object value(JsonNode node, HubSpotSettings.PropertyType type) {
        if (node == null || node.isNull()) {
            return null;
        }
        String text = node.asText();
        if (type == HubSpotSettings.PropertyType.NUMBER) {
            if (text.isEmpty()) {
                return null;
            }
            try {
                return new BigDecimal(text);
            } catch (NumberFormatException notNumber) {
                return text;
            }
        }
        if (type == HubSpotSettings.PropertyType.BOOLEAN) {
            return text.isEmpty() ? null : text.equalsIgnoreCase("true") ? Boolean.TRUE
                    : text.equalsIgnoreCase("false") ? Boolean.FALSE : text;
        }
        return text;
    }

    /**
     * The exception for a failed call: 5xx, 408 and 423 (HubSpot's lock on a record being
     * merged) are retried; a validation error names the properties; other 4xx are refusals.
     */
    static ConnectorException failure(String system, int status, String body, String what) {
        String message = "";
        String category = "";
        JsonNode json = null;
        try {
            json = JSON.readTree(body);
            message = json.path("message").asText("");
            category = json.path("category").asText("");
        } catch (IOException | RuntimeException notJson) {
            // HubSpot's gateway answers some errors in HTML
        }
        if (status >= 500 || status == 408 || status == 423) {
            return new SystemUnavailableException(system + ": HubSpot answered " + status + " to " + what
                    + (message.isEmpty() ? "" : ": " + message));
        }
        if (status == 401 || status == 403) {
            return new WriteRefusedException(system + ": HubSpot refused the credentials (" + status + " "
                    + category + ") for " + what + (message.isEmpty() ? "" : ": " + message)
                    + "; check auth and the app's scopes", status, shorten(body));
        }
        if (category.equals("VALIDATION_ERROR") && json != null) {
            List<String> named = invalidProperties(json, message);
            if (!named.isEmpty()) {
                return new WriteRefusedException(system + ": HubSpot refused " + String.join("; ", named) + " in "
                        + what, status, shorten(body));
            }
        }
        return new WriteRefusedException(system + ": HubSpot answered " + status + (category.isEmpty() ? ""
                : " " + category) + " to " + what + (message.isEmpty() ? "" : ": " + message), status, shorten(body));
    }

    /**
     * {@code property 'x': message} for each invalid property, from the message's embedded
     * list ({@code Property values were not valid: [{"name":"x","message":...}]}) or from
     * {@code errors[].context.propertyName}.
     */
    private static List<String> invalidProperties(JsonNode json, String message) {
        List<String> named = new ArrayList<>();
        int open = message.indexOf('[');
        if (open >= 0) {
            try {
                for (JsonNode item : JSON.readTree(message.substring(open))) {
                    if (item.hasNonNull("name")) {
                        named.add("property '" + item.path("name").asText() + "': " + item.path("message").asText(
                                item.path("error").asText("not valid")));
                    }
                }
            } catch (IOException | RuntimeException notList) {
                // the message had no embedded list
            }
        }
        if (named.isEmpty()) {
            for (JsonNode error : json.path("errors")) {
                for (JsonNode name : error.path("context").path("propertyName")) {
                    named.add("property '" + name.asText() + "': " + error.path("message").asText());
                }
            }
        }
        return named;
    }

    /** A path segment, percent-encoded (a space is {@code %20}, not {@code +}). */
    static String segment(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** A query parameter's value, percent-encoded. */
    static String query(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
    }

    static String shorten(String body) {
        return body == null ? "" : body.length() <= 2000 ? body : body.substring(0, 2000) + "...";
    }
}
