package dev.steward.connector.quickbooks;

import dev.steward.plugin.ConfigProblem;
import dev.steward.plugin.DurationSetting;
import dev.steward.plugin.EntityConfig;
import dev.steward.plugin.SystemConfig;

import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The settings of a {@code connector: quickbooks} system, read once and checked: the company
 * ({@code realmId}), the app's OAuth 2.0 credentials and the first refresh token, the API's and
 * the token endpoint's URLs (Intuit's by default), {@code minorVersion} and how long to wait after
 * a {@code 429}. Immutable; {@link #toString} shows no secret.
 */
record QuickBooksSettings(String realmId, String baseUrl, URI tokenUrl, String clientId, String clientSecret,
                          String refreshToken, String minorVersion, Duration throttleWait,
                          Map<String, Entity> entities) {

    static final String PRODUCTION = "https://quickbooks.api.intuit.com";
    static final String SANDBOX = "https://sandbox-quickbooks.api.intuit.com";
    static final String TOKEN_URL = "https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer";
    static final String MINOR_VERSION = "75";
    /** Intuit says to wait a minute after a 429; its answers carry no Retry-After to say otherwise. */
    static final Duration THROTTLE_WAIT = Duration.ofSeconds(60);

    private static final Pattern OBJECT = Pattern.compile("[A-Z][A-Za-z]{1,40}");
    private static final Pattern FIELD = Pattern.compile("[A-Za-z][A-Za-z0-9]*(\\.[A-Za-z][A-Za-z0-9]*)*");
    private static final List<String> KEPT = List.of("Id", "SyncToken", "MetaData", "sparse", "domain");

    /**
     * How one entity maps onto a QuickBooks object.
     *
     * @param object   the QuickBooks object ({@code Customer}, {@code Item}, {@code Invoice})
     * @param key      the object's field that holds Steward's key: {@code Id} (QuickBooks' own), or
     *                 a field of yours ({@code DisplayName}, {@code Sku}, {@code DocNumber}) looked
     *                 up with a query
     * @param fields   canonical name to native name (dotted for nested objects: {@code BillAddr.City})
     * @param defaults fields set only when the connector creates a record ({@code Type: Service})
     */
    record Entity(String object, String key, Map<String, String> fields, Map<String, Object> defaults) {

        boolean keyedById() {
            return key.equals("Id");
        }

        /** The object's name in paths: {@code customer}. */
        String path() {
            return object.toLowerCase(Locale.ROOT);
        }
    }

    @Override
    public String toString() {
        return "QuickBooksSettings[realmId=" + realmId + ", baseUrl=" + baseUrl + ", tokenUrl=" + tokenUrl
                + ", clientId=" + clientId + ", minorVersion=" + minorVersion + "]";
    }

    static QuickBooksSettings read(SystemConfig config, List<ConfigProblem> problems) {
        String realmId = required(config, "realmId", problems);
        if (realmId != null && !realmId.matches("\\d{1,30}")) {
            problems.add(new ConfigProblem("realmId", "realmId '" + realmId + "' is not a QuickBooks company id"
                    + " (digits, shown as realmId when the app is connected)"));
        }
        String clientId = required(config, "clientId", problems);
        String clientSecret = required(config, "clientSecret", problems);
        String refreshToken = required(config, "refreshToken", problems);
        String environment = config.setting("environment").orElse("production");
        String base = switch (environment) {
            case "production" -> PRODUCTION;
            case "sandbox" -> SANDBOX;
            default -> {
                problems.add(new ConfigProblem("environment", "environment must be production or sandbox, not '"
                        + environment + "'"));
                yield PRODUCTION;
            }
        };
        String baseUrl = trimSlash(config.setting("baseUrl").orElse(base));
        url("baseUrl", baseUrl, problems);
        String tokenText = config.setting("tokenUrl").orElse(TOKEN_URL);
        URI tokenUrl = url("tokenUrl", tokenText, problems);
        String minor = config.setting("minorVersion").orElse(MINOR_VERSION);
        if (!minor.matches("\\d{1,3}")) {
            problems.add(new ConfigProblem("minorVersion", "minorVersion must be a number such as " + MINOR_VERSION
                    + ", not '" + minor + "'"));
        }
        Duration wait = THROTTLE_WAIT;
        if (config.settings().containsKey("throttleWait")) {
            Optional<Duration> parsed = DurationSetting.parse(config.settings().get("throttleWait"));
            if (parsed.isEmpty()) {
                problems.add(new ConfigProblem("throttleWait", "throttleWait must be a duration such as 60s"));
            } else {
                wait = parsed.get();
            }
        }
        Map<String, Entity> entities = new LinkedHashMap<>();
        if (config.entities().isEmpty()) {
            problems.add(new ConfigProblem("entities", "a quickbooks system needs at least one entity"
                    + " (customer: { object: Customer, fields: {...} })"));
        }
        config.entities().forEach((name, entity) -> entities.put(name, entity(name, entity, problems)));
        return new QuickBooksSettings(realmId, baseUrl, tokenUrl == null ? URI.create(TOKEN_URL) : tokenUrl,
                clientId, clientSecret, refreshToken, minor, wait, Map.copyOf(entities));
    }

    private static Entity entity(String name, EntityConfig entity, List<ConfigProblem> problems) {
        String at = "entities." + name + ".";
        String object = entity.setting("object").orElseGet(() -> switch (name.toLowerCase(Locale.ROOT)) {
            case "customer" -> "Customer";
            case "item", "product" -> "Item";
            case "invoice" -> "Invoice";
            default -> null;
        });
        if (object == null) {
            problems.add(new ConfigProblem(at + "object", "say which QuickBooks object entity " + name
                    + " is: object: Customer, Item or Invoice"));
            object = "Customer";
        } else if (!OBJECT.matcher(object).matches()) {
            problems.add(new ConfigProblem(at + "object", "'" + object + "' is not a QuickBooks object name"
                    + " (Customer, Item, Invoice)"));
        }
        String key = entity.setting("key").orElse("Id");
        if (!key.matches("[A-Za-z][A-Za-z0-9]*") || (KEPT.contains(key) && !key.equals("Id"))) {
            problems.add(new ConfigProblem(at + "key", "key must be Id or a top-level field of " + object
                    + " that holds your key (DisplayName, Sku, DocNumber), not '" + key + "'"));
        }
        if (entity.fields().isEmpty()) {
            problems.add(new ConfigProblem(at + "fields", "map at least one field (email: PrimaryEmailAddr.Address)"));
        }
        entity.fields().forEach((canonical, nativeName) -> {
            if (!FIELD.matcher(nativeName).matches()) {
                problems.add(new ConfigProblem(at + "fields." + canonical, "'" + nativeName
                        + "' is not a QuickBooks field name (PrimaryEmailAddr.Address, QtyOnHand)"));
            } else if (KEPT.contains(nativeName.split("\\.")[0]) && !nativeName.equals("Id")) {
                problems.add(new ConfigProblem(at + "fields." + canonical, nativeName
                        + " is kept by the connector (SyncToken is the record's version), not a field to map"));
            }
        });
        Map<String, Object> defaults = Map.of();
        Object raw = entity.settings().get("defaults");
        if (raw instanceof Map<?, ?> map) {
            Map<String, Object> copy = new LinkedHashMap<>();
            map.forEach((k, v) -> copy.put(String.valueOf(k), v));
            defaults = copy;
        } else if (raw != null) {
            problems.add(new ConfigProblem(at + "defaults", "defaults must be a map of fields set when a record is"
                    + " created ({ Type: Service, IncomeAccountRef: { value: \"1\" } })"));
        }
        return new Entity(object, key, entity.fields(), defaults);
    }

    private static String required(SystemConfig config, String key, List<ConfigProblem> problems) {
        Optional<String> value = config.setting(key).filter(v -> !v.isBlank());
        if (value.isEmpty()) {
            problems.add(new ConfigProblem(key, "a quickbooks system needs " + key + (key.equals("refreshToken")
                    ? " (the first refresh token of the app's connection; rotated ones are kept in Steward's store)"
                    : "")));
            return null;
        }
        return value.get();
    }

    private static URI url(String key, String text, List<ConfigProblem> problems) {
        try {
            URI uri = URI.create(text);
            if (!"https".equals(uri.getScheme()) && !"http".equals(uri.getScheme()) || uri.getHost() == null) {
                problems.add(new ConfigProblem(key, key + " '" + text + "' is not an http(s) URL"));
                return null;
            }
            return uri;
        } catch (IllegalArgumentException e) {
            problems.add(new ConfigProblem(key, key + " '" + text + "' is not a URL: " + e.getMessage()));
            return null;
        }
    }

    private static String trimSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }
}
