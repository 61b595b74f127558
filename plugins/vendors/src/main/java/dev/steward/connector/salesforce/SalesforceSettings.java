package dev.steward.connector.salesforce;

import dev.steward.connector.http.SystemHttp;
import dev.steward.plugin.ConfigProblem;
import dev.steward.plugin.DurationSetting;
import dev.steward.plugin.EntityConfig;
import dev.steward.plugin.SystemConfig;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The settings of one {@code connector: salesforce} system, read and checked once:
 * <pre>
 * systems:
 *   crm:
 *     connector: salesforce
 *     myDomain: https://acme.my.salesforce.com    # the org's My Domain URL
 *     apiVersion: v62.0                           # optional
 *     auth:                                       # OAuth 2.0 client credentials
 *       clientId: ${env:SF_CLIENT_ID}
 *       clientSecret: ${env:SF_CLIENT_SECRET}
 *     # or the JWT bearer flow:
 *     # auth: { flow: jwtBearer, clientId: ..., username: ..., privateKeyFile: keys/sf.pem }
 *     entities:
 *       customer:
 *         sobject: Account
 *         externalId: Customer_Number__c          # the key; without it the key is the record Id
 *         fields: { name: Name, phone: Phone }
 * </pre>
 * Immutable; the secret and the key are never shown by {@link #toString}.
 *
 * @param myDomain        the org's My Domain URL, without a trailing slash
 * @param tokenUrl        the OAuth token endpoint ({@code {myDomain}/services/oauth2/token})
 * @param instanceUrl     a fixed base for data calls instead of the token answer's
 *                        {@code instance_url}, if set
 * @param apiVersion      {@code v62.0}
 * @param auth            how tokens are obtained
 * @param limitWarnAt     the share of the daily API allocation above which each answer is logged
 *                        as a warning (0.9)
 * @param dailyLimitRetry how long to wait when the daily allocation is exhausted
 *                        ({@code TotalRequests Limit exceeded}) and Salesforce names no time
 */
record SalesforceSettings(String myDomain, URI tokenUrl, Optional<String> instanceUrl, String apiVersion,
                          Auth auth, double limitWarnAt, Duration dailyLimitRetry) {

    static final String DEFAULT_API_VERSION = "v62.0";
    static final Duration DEFAULT_DAILY_LIMIT_RETRY = Duration.ofMinutes(30);
    private static final Pattern API_VERSION = Pattern.compile("v\\d{2,3}\\.\\d");
    private static final Pattern API_NAME = Pattern.compile("[A-Za-z][A-Za-z0-9_]{0,79}");
    private static final Set<String> KNOWN = Set.of("myDomain", "tokenUrl", "instanceUrl", "apiVersion", "auth",
            "limitWarnAt", "dailyLimitRetry", "connectTimeout", "readTimeout", "maxResponse", "allowLinkLocal",
            "allowedNetworks");

    /** How the connector gets its access tokens. */
    sealed interface Auth permits ClientCredentials, JwtBearer {
    }

    /** OAuth 2.0 client credentials: the external client app's consumer key and secret. */
    record ClientCredentials(String clientId, String clientSecret) implements Auth {
        @Override
        public String toString() {
            return "ClientCredentials[clientId=" + clientId + "]";
        }
    }

    /**
     * The OAuth 2.0 JWT bearer flow: an RS256 assertion signed with the app's private key.
     *
     * @param audience {@code https://login.salesforce.com} ({@code https://test.salesforce.com}
     *                 for sandboxes)
     */
    record JwtBearer(String clientId, String username, String audience, PrivateKey privateKey) implements Auth {
        @Override
        public String toString() {
            return "JwtBearer[clientId=" + clientId + ", username=" + username + ", audience=" + audience + "]";
        }
    }

    /** How one entity is stored: its sObject type and, if any, the external id field that is its key. */
    record Entity(String sobject, Optional<String> externalId) {
    }

    /** The settings of an entity, assumed valid. */
    static Entity entity(EntityConfig entity) {
        return new Entity(entity.setting("sobject").orElseThrow(), entity.setting("externalId"));
    }

    /**
     * Reads and checks a system's settings; problems are added to {@code problems}, and the result is
     * only meaningful when none were.
     *
     * @param workspace where a relative {@code privateKeyFile} is, or null to leave files unread
     */
    static SalesforceSettings read(SystemConfig config, Path workspace, List<ConfigProblem> problems) {
        for (String key : config.settings().keySet()) {
            if (!KNOWN.contains(key)) {
                problems.add(new ConfigProblem(key, "unknown setting of a salesforce system; known: "
                        + String.join(", ", new java.util.TreeSet<>(KNOWN))));
            }
        }
        String myDomain = config.setting("myDomain").map(SalesforceSettings::trimSlash).orElse("");
        if (myDomain.isBlank()) {
            problems.add(new ConfigProblem("myDomain", "myDomain is required: the org's My Domain URL, "
                    + "such as https://acme.my.salesforce.com"));
            myDomain = "https://login.salesforce.com";
        } else {
            problems.addAll(SystemHttp.validate(config, "myDomain", myDomain));
        }
        URI tokenUrl = url(config, "tokenUrl", problems).orElse(URI.create(myDomain + "/services/oauth2/token"));
        Optional<String> instanceUrl = url(config, "instanceUrl", problems).map(u -> trimSlash(u.toString()));
        String apiVersion = config.setting("apiVersion").orElse(DEFAULT_API_VERSION);
        if (!API_VERSION.matcher(apiVersion).matches()) {
            problems.add(new ConfigProblem("apiVersion", "apiVersion must look like v62.0, not '" + apiVersion + "'"));
        }
        double warnAt = 0.9;
        if (config.settings().containsKey("limitWarnAt")) {
            Object value = config.settings().get("limitWarnAt");
            if (value instanceof Number n && n.doubleValue() > 0 && n.doubleValue() <= 1) {
                warnAt = n.doubleValue();
            } else {
                problems.add(new ConfigProblem("limitWarnAt", "limitWarnAt must be a share between 0 and 1 "
                        + "(0.9 warns above 90% of the daily API allocation), not '" + value + "'"));
            }
        }
        Duration dailyRetry = DEFAULT_DAILY_LIMIT_RETRY;
        if (config.settings().containsKey("dailyLimitRetry")) {
            Optional<Duration> parsed = DurationSetting.parse(config.settings().get("dailyLimitRetry"));
            if (parsed.isEmpty()) {
                problems.add(new ConfigProblem("dailyLimitRetry", "dailyLimitRetry must be a duration such as 30m"));
            } else {
                dailyRetry = parsed.get();
            }
        }
        Auth auth = auth(config.settings().get("auth"), workspace, problems);
        for (Map.Entry<String, EntityConfig> e : config.entities().entrySet()) {
            entitySettings(e.getKey(), e.getValue(), problems);
        }
        return new SalesforceSettings(myDomain, tokenUrl, instanceUrl, apiVersion, auth, warnAt, dailyRetry);
    }

    private static void entitySettings(String name, EntityConfig entity, List<ConfigProblem> problems) {
        String prefix = "entities." + name + ".";
        for (String key : entity.settings().keySet()) {
            if (!key.equals("sobject") && !key.equals("externalId")) {
                problems.add(new ConfigProblem(prefix + key, "unknown setting of a salesforce entity; known: "
                        + "sobject, externalId"));
            }
        }
        Optional<String> sobject = entity.setting("sobject");
        if (sobject.isEmpty()) {
            problems.add(new ConfigProblem(prefix + "sobject", "sobject is required: the sObject type's API name "
                    + "(Account, Contact, Invoice__c)"));
        } else if (!API_NAME.matcher(sobject.get()).matches()) {
            problems.add(new ConfigProblem(prefix + "sobject", "'" + sobject.get() + "' is not an sObject API name"));
        }
        entity.setting("externalId").filter(f -> !API_NAME.matcher(f).matches()).ifPresent(f ->
                problems.add(new ConfigProblem(prefix + "externalId", "'" + f + "' is not a field API name")));
        for (Map.Entry<String, String> field : entity.fields().entrySet()) {
            for (String part : field.getValue().split("\\.", -1)) {
                if (!API_NAME.matcher(part).matches()) {
                    problems.add(new ConfigProblem(prefix + "fields." + field.getKey(), "'" + field.getValue()
                            + "' is not a field API name (or a compound field path such as BillingAddress.city)"));
                    break;
                }
            }
        }
    }

    private static Auth auth(Object value, Path workspace, List<ConfigProblem> problems) {
        if (!(value instanceof Map<?, ?> map)) {
            problems.add(new ConfigProblem("auth", "auth is required: {clientId, clientSecret} for the client "
                    + "credentials flow, or {flow: jwtBearer, clientId, username, privateKey or privateKeyFile}"));
            return new ClientCredentials("", "");
        }
        String flow = text(map, "flow").orElse("clientCredentials");
        Set<String> known = switch (flow) {
            case "clientCredentials" -> Set.of("flow", "clientId", "clientSecret");
            case "jwtBearer" -> Set.of("flow", "clientId", "username", "audience", "privateKey", "privateKeyFile");
            default -> {
                problems.add(new ConfigProblem("auth.flow", "auth.flow must be clientCredentials or jwtBearer, not '"
                        + flow + "'"));
                yield Set.of();
            }
        };
        for (Object key : map.keySet()) {
            if (!known.isEmpty() && !known.contains(String.valueOf(key))) {
                problems.add(new ConfigProblem("auth." + key, "unknown setting of the " + flow + " flow; known: "
                        + String.join(", ", new java.util.TreeSet<>(known))));
            }
        }
        String clientId = required(map, "clientId", "the external client app's consumer key", problems);
        if (!flow.equals("jwtBearer")) {
            return new ClientCredentials(clientId, required(map, "clientSecret", "the consumer secret", problems));
        }
        String username = required(map, "username", "the Salesforce user the integration runs as", problems);
        String audience = text(map, "audience").orElse("https://login.salesforce.com");
        Optional<String> pem = text(map, "privateKey");
        Optional<String> file = text(map, "privateKeyFile");
        PrivateKey key = null;
        if (pem.isPresent() == file.isPresent()) {
            problems.add(new ConfigProblem("auth.privateKey", "give either privateKey (the PEM text, e.g. "
                    + "${env:SF_PRIVATE_KEY}) or privateKeyFile (a PEM file in the workspace), not both or neither"));
        } else if (pem.isPresent()) {
            key = privateKey(pem.get(), "auth.privateKey", problems);
        } else if (workspace != null) {
            Path path = workspace.resolve(file.get());
            try {
                key = privateKey(Files.readString(path), "auth.privateKeyFile", problems);
            } catch (IOException e) {
                problems.add(new ConfigProblem("auth.privateKeyFile", "cannot read " + file.get() + ": " + e.getMessage()));
            }
        }
        return new JwtBearer(clientId, username, trimSlash(audience), key);
    }

    private static PrivateKey privateKey(String pem, String path, List<ConfigProblem> problems) {
        try {
            return JwtAssertion.privateKey(pem);
        } catch (IllegalArgumentException e) {
            problems.add(new ConfigProblem(path, e.getMessage()));
            return null;
        }
    }

    private static Optional<URI> url(SystemConfig config, String key, List<ConfigProblem> problems) {
        Optional<String> value = config.setting(key);
        if (value.isEmpty()) {
            return Optional.empty();
        }
        try {
            URI uri = new URI(value.get().strip());
            if (!("https".equals(uri.getScheme()) || "http".equals(uri.getScheme())) || uri.getHost() == null) {
                throw new java.net.URISyntaxException(value.get(), "not an http(s) URL");
            }
            problems.addAll(SystemHttp.validate(config, key, uri.toString()));
            return Optional.of(uri);
        } catch (java.net.URISyntaxException e) {
            problems.add(new ConfigProblem(key, key + " must be an http(s) URL, not '" + value.get() + "'"));
            return Optional.empty();
        }
    }

    private static String required(Map<?, ?> map, String key, String what, List<ConfigProblem> problems) {
        Optional<String> value = text(map, key);
        if (value.isEmpty()) {
            problems.add(new ConfigProblem("auth." + key, "auth." + key + " is required: " + what));
            return "";
        }
        return value.get();
    }

    private static Optional<String> text(Map<?, ?> map, String key) {
        Object value = map.get(key);
        return value == null || String.valueOf(value).isBlank() ? Optional.empty() : Optional.of(String.valueOf(value));
    }

    private static String trimSlash(String url) {
        String s = url.strip();
        while (s.endsWith("/")) {
            s = s.substring(0, s.length() - 1);
        }
        return s;
    }

    /** The path of the REST API of this version: {@code /services/data/v62.0}. */
    String dataPath() {
        return "/services/data/" + apiVersion;
    }

    /** Problems of the settings, as a list (for the factory). */
    static List<ConfigProblem> problems(SystemConfig config, Path workspace) {
        List<ConfigProblem> problems = new ArrayList<>();
        read(config, workspace, problems);
        return List.copyOf(problems);
    }
}
