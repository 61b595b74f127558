package dev.steward.connector.hubspot;

import dev.steward.connector.http.SystemHttp;
import dev.steward.plugin.ConfigProblem;
import dev.steward.plugin.EntityConfig;
import dev.steward.plugin.SystemConfig;
import java.net.URI;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A {@code connector: hubspot} system's settings, read once and checked: where HubSpot is, how
 * Steward signs in, and for each entity the CRM object type, the property that keys it and the
 * properties it maps. Immutable; secrets are never shown by {@link #toString()}.
 *
 * @param baseUrl  the API's base URL ({@code https://api.hubapi.com}, or a fake's)
 * @param tokenUrl the OAuth token endpoint ({@code baseUrl + /oauth/v1/token} unless set)
 * @param auth     a private app's token, or OAuth client and refresh token
 * @param timeZone the account's time zone, in which the daily API limit resets at midnight
 * @param objects  entity name to its CRM object settings
 */
record HubSpotSettings(URI baseUrl, URI tokenUrl, Auth auth, ZoneId timeZone, Map<String, ObjectSettings> objects) {

    /** HubSpot's public API. */
    static final String DEFAULT_BASE_URL = "https://api.hubapi.com";

    private static final Set<String> KEYS = Set.of("baseUrl", "tokenUrl", "auth", "timeZone", "connectTimeout",
            "readTimeout", "maxResponse", "allowLinkLocal", "allowedNetworks");
    private static final Set<String> ENTITY_KEYS = Set.of("object", "idProperty", "types");
    private static final Pattern OBJECT_TYPE = Pattern.compile("[A-Za-z0-9_-]{1,100}");
    private static final Pattern PROPERTY = Pattern.compile("[A-Za-z0-9_]{1,100}");

    /** How Steward signs in: exactly one of a private app token or OAuth. */
    sealed interface Auth {
    }

    /** A private app's access token, sent as {@code Authorization: Bearer}. */
    record PrivateAppToken(String token) implements Auth {
        @Override
        public String toString() {
            return "PrivateAppToken[(set)]";
        }
    }

    /** A public app's OAuth client and the refresh token a user's install gave it. */
    record OAuth(String clientId, String clientSecret, String refreshToken) implements Auth {
        @Override
        public String toString() {
            return "OAuth[clientId=" + clientId + "]";
        }
    }

    /** What a property's text means on the way back from HubSpot, which sends every value as text. */
    enum PropertyType { STRING, NUMBER, BOOLEAN }

    /**
     * One entity's CRM object.
     *
     * @param objectType the object type in the path ({@code contacts}, {@code companies},
     *                   {@code deals}, {@code p_orders}, {@code 2-1234567})
     * @param idProperty the unique property whose value is Steward's key ({@code email}, a
     *                   custom external id), or empty when the key is HubSpot's record id
     * @param properties native field name to HubSpot property name, in mapping order
     * @param types      property name to how its text is read; absent ones stay text
     */
    record ObjectSettings(String objectType, Optional<String> idProperty, Map<String, String> properties,
                          Map<String, PropertyType> types) {
    }

    /** The settings, or null with {@code problems} filled when they are not valid. */
    static HubSpotSettings read(SystemConfig config, List<ConfigProblem> problems) {
        int before = problems.size();
        for (String key : config.settings().keySet()) {
            if (!KEYS.contains(key)) {
                problems.add(new ConfigProblem(key, "unknown setting '" + key + "' of a hubspot system; known: "
                        + String.join(", ", new java.util.TreeSet<>(KEYS))));
            }
        }
        String base = config.setting("baseUrl").orElse(DEFAULT_BASE_URL).replaceAll("/+$", "");
        boolean urls = url("baseUrl", base, problems);
        if (urls) {
            problems.addAll(SystemHttp.validate(config, "baseUrl", base));
        }
        String token = config.setting("tokenUrl").orElse(base + "/oauth/v1/token");
        if (config.setting("tokenUrl").isPresent() && url("tokenUrl", token, problems)) {
            SystemHttp.validate(config, "tokenUrl", token).stream()
                    .filter(p -> p.path().equals("tokenUrl")).forEach(problems::add);
        }
        Auth auth = auth(config.settings().get("auth"), problems);
        ZoneId zone = ZoneOffset.UTC;
        if (config.setting("timeZone").isPresent()) {
            try {
                zone = ZoneId.of(config.setting("timeZone").get());
            } catch (DateTimeException e) {
                problems.add(new ConfigProblem("timeZone", "timeZone '" + config.setting("timeZone").get()
                        + "' is not a time zone; write the HubSpot account's zone, like Europe/Berlin or UTC"));
            }
        }
        Map<String, ObjectSettings> objects = new LinkedHashMap<>();
        for (EntityConfig entity : config.entities().values()) {
            objects.put(entity.name(), object(entity, problems));
        }
        if (problems.size() > before) {
            return null;
        }
        return new HubSpotSettings(URI.create(base), URI.create(token), auth, zone, Map.copyOf(objects));
    }

    private static boolean url(String setting, String text, List<ConfigProblem> problems) {
        try {
            URI uri = new URI(text);
            if (("http".equalsIgnoreCase(uri.getScheme()) || "https".equalsIgnoreCase(uri.getScheme()))
                    && uri.getHost() != null) {
                return true;
            }
        } catch (java.net.URISyntaxException e) {
            // reported below
        }
        problems.add(new ConfigProblem(setting, setting + " '" + text + "' is not an http(s) URL with a host"));
        return false;
    }

    private static Auth auth(Object value, List<ConfigProblem> problems) {
        String how = "write auth: { token: \"${env:HUBSPOT_TOKEN}\" } for a private app, or auth: { oauth: { clientId: ..., "
                + "clientSecret: ..., refreshToken: ... } } for a public app";
        if (!(value instanceof Map<?, ?> map) || map.size() != 1) {
            problems.add(new ConfigProblem("auth", value == null ? "a hubspot system needs auth: " + how
                    : "auth must be exactly one of token or oauth: " + how));
            return null;
        }
        if (map.containsKey("token")) {
            String token = text(map.get("token"));
            if (token == null) {
                problems.add(new ConfigProblem("auth.token", "auth.token is empty: " + how));
                return null;
            }
            return new PrivateAppToken(token);
        }
        if (map.get("oauth") instanceof Map<?, ?> oauth) {
            List<String> missing = new ArrayList<>();
            for (String key : List.of("clientId", "clientSecret", "refreshToken")) {
                if (text(oauth.get(key)) == null) {
                    missing.add(key);
                }
            }
            for (Object key : oauth.keySet()) {
                if (!List.of("clientId", "clientSecret", "refreshToken").contains(String.valueOf(key))) {
                    problems.add(new ConfigProblem("auth.oauth." + key, "unknown OAuth setting '" + key
                            + "'; known: clientId, clientSecret, refreshToken"));
                }
            }
            if (!missing.isEmpty()) {
                problems.add(new ConfigProblem("auth.oauth", "auth.oauth needs " + String.join(", ", missing)));
                return null;
            }
            return new OAuth(text(oauth.get("clientId")), text(oauth.get("clientSecret")),
                    text(oauth.get("refreshToken")));
        }
        problems.add(new ConfigProblem("auth", "auth must be exactly one of token or oauth: " + how));
        return null;
    }

    private static ObjectSettings object(EntityConfig entity, List<ConfigProblem> problems) {
        String prefix = "entities." + entity.name() + ".";
        for (String key : entity.settings().keySet()) {
            if (!ENTITY_KEYS.contains(key)) {
                problems.add(new ConfigProblem(prefix + key, "unknown entity setting '" + key
                        + "' of a hubspot system; known: idProperty, object, types"));
            }
        }
        String type = entity.setting("object").orElse(entity.name());
        if (!OBJECT_TYPE.matcher(type).matches()) {
            problems.add(new ConfigProblem(prefix + "object", "object '" + type + "' is not a HubSpot object type;"
                    + " write contacts, companies, deals, tickets, a custom object's name (p_orders) or its id (2-1234)"));
        }
        Optional<String> idProperty = entity.setting("idProperty");
        if (idProperty.isPresent() && !PROPERTY.matcher(idProperty.get()).matches()) {
            problems.add(new ConfigProblem(prefix + "idProperty", "idProperty '" + idProperty.get()
                    + "' is not a property name (letters, digits and _)"));
        }
        Map<String, String> properties = new LinkedHashMap<>();
        for (Map.Entry<String, String> field : entity.fields().entrySet()) {
            String property = propertyName(field.getValue());
            if (!PROPERTY.matcher(property).matches()) {
                problems.add(new ConfigProblem(prefix + "fields." + field.getKey(), "'" + field.getValue()
                        + "' is not a HubSpot property name (letters, digits and _, optionally after properties.)"));
            }
            properties.put(field.getValue(), property);
        }
        Map<String, PropertyType> types = new LinkedHashMap<>();
        Object declared = entity.settings().get("types");
        if (declared instanceof Map<?, ?> map) {
            for (Map.Entry<?, ?> e : map.entrySet()) {
                String property = propertyName(String.valueOf(e.getKey()));
                try {
                    types.put(property, PropertyType.valueOf(String.valueOf(e.getValue()).toUpperCase(java.util.Locale.ROOT)));
                } catch (IllegalArgumentException unknown) {
                    problems.add(new ConfigProblem(prefix + "types." + e.getKey(), "type '" + e.getValue()
                            + "' is not one of string, number, boolean"));
                }
                if (!properties.containsValue(property)) {
                    problems.add(new ConfigProblem(prefix + "types." + e.getKey(), "'" + e.getKey()
                            + "' is not one of the entity's mapped properties"));
                }
            }
        } else if (declared != null) {
            problems.add(new ConfigProblem(prefix + "types", "types must map properties to number, boolean or string,"
                    + " like types: { credit_limit: number }"));
        }
        return new ObjectSettings(type, idProperty, properties, types);
    }

    /** {@code properties.email} and {@code email} both name the property {@code email}. */
    static String propertyName(String nativeName) {
        return nativeName.startsWith("properties.") ? nativeName.substring("properties.".length()) : nativeName;
    }

    private static String text(Object value) {
        return value == null || String.valueOf(value).isBlank() ? null : String.valueOf(value);
    }
}
