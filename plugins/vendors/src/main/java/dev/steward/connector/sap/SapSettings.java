package dev.steward.connector.sap;

import dev.steward.connector.http.SystemHttp;
import dev.steward.plugin.ConfigProblem;
import dev.steward.plugin.EntityConfig;
import dev.steward.plugin.SystemConfig;

import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One {@code connector: sap} system's settings, read and checked once: the tenant's API host,
 * the communication arrangement's credentials (a communication user's basic auth, or OAuth 2.0
 * client credentials with a token URL), the optional {@code sap-client}, and per entity the
 * OData v2 service, entity set and key property. Immutable.
 *
 * @param baseUrl   the tenant's API host ({@code https://my123456-api.s4hana.cloud.sap}), no
 *                  trailing slash
 * @param auth      how calls authenticate
 * @param sapClient the {@code sap-client} query parameter, or null
 * @param entities  entity name to where it lives
 */
record SapSettings(String baseUrl, Auth auth, String sapClient, Map<String, Entity> entities) {

    /** The OData v2 services live under this path of the API host. */
    static final String ODATA_ROOT = "/sap/opu/odata/sap/";
    static final String DEFAULT_SERVICE = "API_BUSINESS_PARTNER";
    static final String DEFAULT_ENTITY_SET = "A_BusinessPartner";

    /** Key properties of the entity sets Steward knows; others name theirs with {@code keyProperty}. */
    static final Map<String, String> KNOWN_KEYS = Map.of(
            "A_BusinessPartner", "BusinessPartner",
            "A_Customer", "Customer",
            "A_Supplier", "Supplier",
            "A_SalesOrder", "SalesOrder",
            "A_Product", "Product");

    private static final Set<String> SYSTEM_KEYS = Set.of("baseUrl", "auth", "sapClient", "connectTimeout",
            "readTimeout", "maxResponse", "allowLinkLocal", "allowedNetworks");
    private static final Set<String> ENTITY_KEYS = Set.of("service", "entitySet", "keyProperty", "filter");
    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,127}");
    private static final Pattern CLIENT = Pattern.compile("[0-9]{3}");

    /** How calls authenticate. */
    sealed interface Auth permits Basic, OAuth2 {
    }

    /** A communication user and its password. */
    record Basic(String user, String password) implements Auth {
        @Override
        public String toString() {
            return "Basic[user=" + user + "]";
        }
    }

    /** OAuth 2.0 client credentials: the client id and secret go as basic auth to the token URL. */
    record OAuth2(URI tokenUrl, String clientId, String clientSecret, String scope) implements Auth {
        @Override
        public String toString() {
            return "OAuth2[tokenUrl=" + tokenUrl + ", clientId=" + clientId + "]";
        }
    }

    /**
     * Where one entity lives.
     *
     * @param service     the OData service ({@code API_BUSINESS_PARTNER})
     * @param entitySet   the entity set ({@code A_BusinessPartner})
     * @param keyProperty the single key property ({@code BusinessPartner})
     * @param filter      a {@code $filter} for lists, or null
     */
    record Entity(String service, String entitySet, String keyProperty, String filter) {
    }

    /** The settings, or problems with their paths when {@code problems} grew. */
    static SapSettings read(SystemConfig config, List<ConfigProblem> problems) {
        for (String key : config.settings().keySet()) {
            if (!SYSTEM_KEYS.contains(key)) {
                problems.add(new ConfigProblem(key, "unknown setting '" + key + "' for connector sap; known: "
                        + String.join(", ", new java.util.TreeSet<>(SYSTEM_KEYS))));
            }
        }
        String baseUrl = text(config.settings().get("baseUrl"));
        if (baseUrl == null || baseUrl.isBlank()) {
            problems.add(new ConfigProblem("baseUrl", "baseUrl is required: the tenant's API host, like"
                    + " https://my123456-api.s4hana.cloud.sap (the -api host of your S/4HANA Cloud system)"));
            baseUrl = "https://invalid.invalid";
        } else {
            baseUrl = baseUrl.strip();
            while (baseUrl.endsWith("/")) {
                baseUrl = baseUrl.substring(0, baseUrl.length() - 1);
            }
            if (baseUrl.endsWith(ODATA_ROOT.substring(0, ODATA_ROOT.length() - 1))) {
                problems.add(new ConfigProblem("baseUrl", "baseUrl is the host only, without "
                        + ODATA_ROOT + ": Steward adds the service path itself"));
            }
            problems.addAll(SystemHttp.validate(config, "baseUrl", baseUrl));
        }
        Auth auth = auth(config.settings().get("auth"), problems);
        String sapClient = text(config.settings().get("sapClient"));
        if (sapClient != null && !CLIENT.matcher(sapClient).matches()) {
            problems.add(new ConfigProblem("sapClient", "sapClient must be three digits, like \"100\", not '"
                    + sapClient + "' (quote it in YAML so leading zeros stay)"));
        }
        Map<String, Entity> entities = new LinkedHashMap<>();
        for (EntityConfig entity : config.entities().values()) {
            entities.put(entity.name(), entity(entity, problems));
        }
        return new SapSettings(baseUrl, auth, sapClient, entities);
    }

    private static Auth auth(Object value, List<ConfigProblem> problems) {
        if (!(value instanceof Map<?, ?> map)) {
            problems.add(new ConfigProblem("auth", "auth is required: { type: basic, user: ..., password: ... } for a"
                    + " communication user, or { type: oauth2, tokenUrl: ..., clientId: ..., clientSecret: ... }"));
            return null;
        }
        String type = text(map.get("type"));
        if ("basic".equals(type)) {
            known(map, Set.of("type", "user", "password"), problems);
            String user = required(map, "user", problems);
            String password = required(map, "password", problems);
            if (user != null && user.contains(":")) {
                problems.add(new ConfigProblem("auth.user", "a basic-auth user name cannot contain ':'"));
            }
            return new Basic(user, password);
        }
        if ("oauth2".equals(type)) {
            known(map, Set.of("type", "tokenUrl", "clientId", "clientSecret", "scope"), problems);
            String tokenUrl = required(map, "tokenUrl", problems);
            URI uri = null;
            if (tokenUrl != null) {
                try {
                    uri = URI.create(tokenUrl.strip());
                    if (!("https".equals(uri.getScheme()) || "http".equals(uri.getScheme())) || uri.getHost() == null) {
                        throw new IllegalArgumentException("not an http(s) URL");
                    }
                } catch (IllegalArgumentException e) {
                    problems.add(new ConfigProblem("auth.tokenUrl", "auth.tokenUrl is not an http(s) URL: " + tokenUrl));
                    uri = null;
                }
            }
            return new OAuth2(uri, required(map, "clientId", problems), required(map, "clientSecret", problems),
                    text(map.get("scope")));
        }
        problems.add(new ConfigProblem("auth.type", "auth.type must be basic (a communication user) or oauth2"
                + " (client credentials), not " + (type == null ? "missing" : "'" + type + "'")));
        return null;
    }

    private static Entity entity(EntityConfig entity, List<ConfigProblem> problems) {
        String at = "entities." + entity.name() + ".";
        for (String key : entity.settings().keySet()) {
            if (!ENTITY_KEYS.contains(key)) {
                problems.add(new ConfigProblem(at + key, "unknown entity setting '" + key + "' for connector sap; known: "
                        + String.join(", ", new java.util.TreeSet<>(ENTITY_KEYS))));
            }
        }
        String service = entity.setting("service").orElse(DEFAULT_SERVICE);
        String set = entity.setting("entitySet").orElse(DEFAULT_ENTITY_SET);
        name(at + "service", service, problems);
        name(at + "entitySet", set, problems);
        String key = entity.setting("keyProperty").orElse(KNOWN_KEYS.get(set));
        if (key == null) {
            problems.add(new ConfigProblem(at + "keyProperty", "keyProperty is required for entity set " + set
                    + ": the name of its single key property"));
        } else {
            name(at + "keyProperty", key, problems);
        }
        if (entity.fields().isEmpty()) {
            problems.add(new ConfigProblem(at + "fields", "map at least one field to an OData property"));
        }
        entity.fields().forEach((canonical, property) -> {
            if (!NAME.matcher(property).matches()) {
                problems.add(new ConfigProblem(at + "fields." + canonical, "'" + property + "' is not an OData property"
                        + " name (letters, digits and _, like OrganizationBPName1); navigation paths are not supported"));
            }
        });
        return new Entity(service, set, key, entity.setting("filter").orElse(null));
    }

    private static void name(String path, String value, List<ConfigProblem> problems) {
        if (!NAME.matcher(value).matches()) {
            problems.add(new ConfigProblem(path, "'" + value + "' is not an OData name (letters, digits and _)"));
        }
    }

    private static void known(Map<?, ?> map, Set<String> keys, List<ConfigProblem> problems) {
        for (Object key : map.keySet()) {
            if (!keys.contains(String.valueOf(key))) {
                problems.add(new ConfigProblem("auth." + key, "unknown auth setting '" + key + "'; known: "
                        + String.join(", ", new java.util.TreeSet<>(keys))));
            }
        }
    }

    private static String required(Map<?, ?> map, String key, List<ConfigProblem> problems) {
        String value = text(map.get(key));
        if (value == null || value.isBlank()) {
            problems.add(new ConfigProblem("auth." + key, "auth." + key + " is required (use ${env:...} for secrets)"));
            return null;
        }
        return value;
    }

    private static String text(Object value) {
        return value == null ? null : String.valueOf(value);
    }

    /** The entity's settings, for an entity the configuration declared. */
    Entity entity(String name) {
        return Optional.ofNullable(entities.get(name))
                .orElseThrow(() -> new IllegalArgumentException("entity " + name + " is not declared for this system"));
    }

    /** The problems of a configuration, for the factory's validate. */
    static List<ConfigProblem> problems(SystemConfig config) {
        List<ConfigProblem> problems = new ArrayList<>();
        read(config, problems);
        return problems;
    }
}
