package dev.steward.connector.http;

import dev.steward.plugin.DurationSetting;

import dev.steward.plugin.ConfigProblem;
import dev.steward.plugin.EntityConfig;
import dev.steward.plugin.SizeSetting;
import dev.steward.plugin.SystemConfig;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The http connector's settings for one system, read once and checked. Immutable.
 *
 * @param baseUrl        the system's base URL, without a trailing slash
 * @param headers        headers sent with every request: the extra {@code headers} first,
 *                       then the one {@code auth} makes
 * @param connectTimeout how long reaching the system may take
 * @param readTimeout    how long the system may take to answer once reached
 * @param oauth2         the client credentials when {@code auth} is {@code oauth2}, else null
 * @param policy         which addresses the system may be reached at
 * @param lists          per entity name, how to page through its records, for those that say
 * @param versionFields  per entity name, the field of a record that holds its version, for
 *                       systems that keep it in the body rather than in an {@code ETag}
 * @param maxResponse    the most bytes of one answer's body Steward reads (token endpoint
 *                       included); past it the answer is refused and the connection closed
 */
record HttpSettings(String baseUrl, Map<String, String> headers, Duration connectTimeout,
                    Duration readTimeout, OAuth2Tokens.Settings oauth2, NetworkPolicy policy,
                    Map<String, ListSettings> lists, Map<String, String> versionFields, long maxResponse) {

    static final long DEFAULT_MAX_RESPONSE = 4L << 20;
    /** An answer is held in memory whole: a bound on the bound. */
    static final long LARGEST_MAX_RESPONSE = 256L << 20;

    static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
    static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(30);

    private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");
    /** Headers the JDK client sets itself and refuses, plus the ones this connector owns. */
    private static final Set<String> RESERVED_HEADERS = Set.of("connection", "content-length",
            "expect", "host", "upgrade", "accept", "content-type", "idempotency-key", "if-match",
            "transfer-encoding");

    HttpSettings {
        headers = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(headers));
        lists = Map.copyOf(lists);
        versionFields = Map.copyOf(versionFields);
    }

    /**
     * Reads the settings, adding a problem for each one that is wrong; never throws.
     *
     * @param allowedNetworks the deployment's {@code STEWARD_ALLOWED_NETWORKS}, comma-separated,
     *                        or null
     */
    static HttpSettings read(SystemConfig config, String allowedNetworks, List<ConfigProblem> problems) {
        String baseUrl = baseUrl(config.settings().get("baseUrl"), problems);
        Map<String, String> headers = new LinkedHashMap<>();
        extraHeaders(config.settings().get("headers"), headers, problems);
        OAuth2Tokens.Settings oauth2 = auth(config.settings().get("auth"), headers, problems);
        Duration connect = duration(config, "connectTimeout", DEFAULT_CONNECT_TIMEOUT, problems);
        Duration read = duration(config, "readTimeout", DEFAULT_READ_TIMEOUT, problems);
        NetworkPolicy policy = policy(config, allowedNetworks, problems);
        long maxResponse = maxResponse(config.settings().get("maxResponse"), problems);
        checkLiteralHost("baseUrl", baseUrl, policy, problems);
        if (oauth2 != null) {
            checkLiteralHost("auth.oauth2.tokenUrl", oauth2.tokenUrl().toString(), policy, problems);
        }
        Map<String, ListSettings> lists = new LinkedHashMap<>();
        Map<String, String> versionFields = new LinkedHashMap<>();
        for (EntityConfig entity : config.entities().values()) {
            entity(entity, baseUrl, problems);
            String prefix = "entities." + entity.name() + ".";
            ListSettings.read(prefix, entity.settings().get("list"), problems)
                    .ifPresent(list -> lists.put(entity.name(), list));
            entity.setting("versionField").ifPresent(field -> versionFields.put(entity.name(), field));
        }
        return new HttpSettings(baseUrl, headers, connect, read, oauth2, policy, lists, versionFields, maxResponse);
    }

    /** The transport part of a system's settings, for {@link SystemHttp}. */
    record Transport(Duration connectTimeout, Duration readTimeout, NetworkPolicy policy, long maxResponse) {
    }

    /** Reads the transport settings and checks that {@code url}'s host, if a literal, is allowed. */
    static Transport transport(SystemConfig config, String allowedNetworks, String urlSetting, String url,
                               List<ConfigProblem> problems) {
        Duration connect = duration(config, "connectTimeout", DEFAULT_CONNECT_TIMEOUT, problems);
        Duration read = duration(config, "readTimeout", DEFAULT_READ_TIMEOUT, problems);
        NetworkPolicy policy = policy(config, allowedNetworks, problems);
        long maxResponse = maxResponse(config.settings().get("maxResponse"), problems);
        if (url != null) {
            checkLiteralHost(urlSetting, url, policy, problems);
        }
        return new Transport(connect, read, policy, maxResponse);
    }

    private static long maxResponse(Object value, List<ConfigProblem> problems) {
        if (value == null) {
            return DEFAULT_MAX_RESPONSE;
        }
        Optional<Long> size = SizeSetting.parse(value);
        if (size.isEmpty()) {
            problems.add(new ConfigProblem("maxResponse", "maxResponse '" + value
                    + "' is not a size: write it like 4MiB, 512KiB or 1048576 (bytes)"));
            return DEFAULT_MAX_RESPONSE;
        }
        if (size.get() > LARGEST_MAX_RESPONSE) {
            problems.add(new ConfigProblem("maxResponse", "maxResponse " + value + " is more than "
                    + SizeSetting.format(LARGEST_MAX_RESPONSE) + ": an answer is held in memory whole"));
            return DEFAULT_MAX_RESPONSE;
        }
        return size.get();
    }

    private static NetworkPolicy policy(SystemConfig config, String deployment, List<ConfigProblem> problems) {
        Object allow = config.settings().get("allowLinkLocal");
        boolean allowLinkLocal = false;
        if (allow != null) {
            if (allow instanceof Boolean b) {
                allowLinkLocal = b;
            } else {
                problems.add(new ConfigProblem("allowLinkLocal", "allowLinkLocal must be true or false"));
            }
        }
        List<Network> deploymentNetworks = List.of();
        if (deployment != null && !deployment.isBlank()) {
            deploymentNetworks = networks(List.of(deployment.split(",")), "baseUrl",
                    "the deployment's " + NetworkPolicy.ENV, problems);
        }
        List<Network> systemNetworks = List.of();
        Object own = config.settings().get("allowedNetworks");
        if (own instanceof List<?> list) {
            systemNetworks = networks(list, "allowedNetworks", "allowedNetworks", problems);
            if (list.isEmpty()) {
                problems.add(new ConfigProblem("allowedNetworks", "allowedNetworks is empty: leave it out, or name"
                        + " the networks the system lives in, like [10.0.0.0/8]"));
            }
        } else if (own != null) {
            problems.add(new ConfigProblem("allowedNetworks", "allowedNetworks must be a list of networks, like"
                    + " [10.0.0.0/8, 192.168.1.0/24]"));
        }
        return new NetworkPolicy(allowLinkLocal, deploymentNetworks, systemNetworks);
    }

    private static List<Network> networks(List<?> texts, String path, String what, List<ConfigProblem> problems) {
        List<Network> networks = new ArrayList<>();
        for (Object text : texts) {
            Network.parse(String.valueOf(text)).ifPresentOrElse(networks::add, () -> problems.add(new ConfigProblem(
                    path, what + ": '" + String.valueOf(text).strip() + "' is not a network like 10.0.0.0/8 or fd00::/8")));
        }
        return networks;
    }

    /** A URL whose host is an IP literal is checked now; names are checked each time they resolve. */
    private static void checkLiteralHost(String path, String url, NetworkPolicy policy, List<ConfigProblem> problems) {
        String host;
        try {
            URI uri = new URI(url);
            host = uri.getHost() != null ? uri.getHost() : hostOf(uri.getRawAuthority());
        } catch (URISyntaxException e) {
            return;
        }
        if (host == null) {
            return;
        }
        AddressLiteral.parse(host).flatMap(policy::refusal).ifPresent(refusal -> {
            problems.removeIf(p -> p.path().equals(path) && p.message().contains("names no host"));
            problems.add(new ConfigProblem(path, "Steward will not connect to " + host + ": " + refusal));
        });
    }

    private static String hostOf(String authority) {
        if (authority == null) {
            return null;
        }
        String hostPort = authority.substring(authority.lastIndexOf('@') + 1);
        if (hostPort.startsWith("[")) {
            int end = hostPort.indexOf(']');
            return end < 0 ? hostPort : hostPort.substring(0, end + 1);
        }
        int colon = hostPort.lastIndexOf(':');
        return colon < 0 ? hostPort : hostPort.substring(0, colon);
    }

    private static String baseUrl(Object value, List<ConfigProblem> problems) {
        if (value == null || String.valueOf(value).isBlank()) {
            problems.add(new ConfigProblem("baseUrl",
                    "baseUrl is missing: give the system's address, like https://erp.example.com/api"));
            return "http://invalid";
        }
        String text = String.valueOf(value).trim();
        try {
            URI uri = new URI(text);
            if (!"http".equalsIgnoreCase(uri.getScheme()) && !"https".equalsIgnoreCase(uri.getScheme())) {
                problems.add(new ConfigProblem("baseUrl",
                        "baseUrl must start with http:// or https://, not '" + text + "'"));
            } else if (uri.getHost() == null) {
                problems.add(new ConfigProblem("baseUrl", "baseUrl '" + text + "' names no host"));
            } else if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
                problems.add(new ConfigProblem("baseUrl",
                        "baseUrl must not have a query (?...) or fragment (#...); put the path in the entity's path"));
            } else if (uri.getRawUserInfo() != null) {
                problems.add(new ConfigProblem("baseUrl",
                        "baseUrl must not hold a user or password; use auth: { basic: { user: ..., password: ... } }"));
            }
        } catch (URISyntaxException e) {
            problems.add(new ConfigProblem("baseUrl", "baseUrl '" + text + "' is not a valid URL: " + e.getReason()));
        }
        return text.endsWith("/") ? text.substring(0, text.length() - 1) : text;
    }

    private static OAuth2Tokens.Settings auth(Object value, Map<String, String> headers, List<ConfigProblem> problems) {
        if (value == null) {
            return null;
        }
        if (!(value instanceof Map<?, ?> auth) || auth.size() != 1) {
            problems.add(new ConfigProblem("auth", "auth must be exactly one of "
                    + "{ bearer: TOKEN }, { basic: { user: U, password: P } }, { header: { name: N, value: V } }"
                    + " or { oauth2: { tokenUrl: URL, clientId: ID, clientSecret: S, scope: S } }"));
            return null;
        }
        Map.Entry<?, ?> kind = auth.entrySet().iterator().next();
        switch (String.valueOf(kind.getKey())) {
            case "bearer" -> {
                String token = text(kind.getValue());
                if (token.isEmpty()) {
                    problems.add(new ConfigProblem("auth.bearer", emptySecret("the bearer token")));
                } else if (!validHeaderValue(token)) {
                    problems.add(new ConfigProblem("auth.bearer", "the bearer token contains a line break"));
                }
                headers.put("Authorization", "Bearer " + token);
            }
            case "basic" -> {
                Map<?, ?> basic = kind.getValue() instanceof Map<?, ?> m ? m : Map.of();
                String user = text(basic.get("user"));
                String password = text(basic.get("password"));
                if (user.isEmpty()) {
                    problems.add(new ConfigProblem("auth.basic.user", "the basic auth user is missing"));
                } else if (user.contains(":")) {
                    problems.add(new ConfigProblem("auth.basic.user", "a basic auth user cannot contain ':'"));
                }
                if (basic.get("password") == null) {
                    problems.add(new ConfigProblem("auth.basic.password", emptySecret("the basic auth password")));
                }
                String pair = user + ":" + password;
                headers.put("Authorization", "Basic "
                        + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8)));
            }
            case "header" -> {
                Map<?, ?> header = kind.getValue() instanceof Map<?, ?> m ? m : Map.of();
                String name = text(header.get("name"));
                String headerValue = text(header.get("value"));
                headerName("auth.header.name", name, problems);
                if (headerValue.isEmpty()) {
                    problems.add(new ConfigProblem("auth.header.value", emptySecret("the header's value")));
                } else if (!validHeaderValue(headerValue)) {
                    problems.add(new ConfigProblem("auth.header.value", "the header's value contains a line break"));
                }
                headers.put(name, headerValue);
            }
            case "oauth2" -> {
                return oauth2(kind.getValue(), problems);
            }
            default -> problems.add(new ConfigProblem("auth." + kind.getKey(), "unknown kind of auth '"
                    + kind.getKey() + "': use bearer, basic, header or oauth2"));
        }
        return null;
    }

    private static OAuth2Tokens.Settings oauth2(Object value, List<ConfigProblem> problems) {
        Map<?, ?> oauth2 = value instanceof Map<?, ?> m ? m : Map.of();
        String tokenUrl = text(oauth2.get("tokenUrl")).strip();
        URI uri = null;
        try {
            uri = new URI(tokenUrl);
            if (!"http".equalsIgnoreCase(uri.getScheme()) && !"https".equalsIgnoreCase(uri.getScheme())) {
                uri = null;
            }
        } catch (URISyntaxException e) {
            uri = null;
        }
        if (uri == null) {
            problems.add(new ConfigProblem("auth.oauth2.tokenUrl", "tokenUrl must be the token endpoint's http(s)"
                    + " URL, like https://login.example.com/oauth2/token"));
            uri = URI.create("http://invalid/");
        }
        String clientId = text(oauth2.get("clientId"));
        String clientSecret = text(oauth2.get("clientSecret"));
        if (clientId.isEmpty()) {
            problems.add(new ConfigProblem("auth.oauth2.clientId", emptySecret("the OAuth2 clientId")));
        }
        if (clientSecret.isEmpty()) {
            problems.add(new ConfigProblem("auth.oauth2.clientSecret", emptySecret("the OAuth2 clientSecret")));
        }
        Object scope = oauth2.get("scope");
        String scopes = scope instanceof List<?> list ? String.join(" ", list.stream().map(String::valueOf).toList())
                : text(scope);
        return new OAuth2Tokens.Settings(uri, clientId, clientSecret, scopes);
    }

    private static void extraHeaders(Object value, Map<String, String> headers, List<ConfigProblem> problems) {
        if (value == null) {
            return;
        }
        if (!(value instanceof Map<?, ?> map)) {
            problems.add(new ConfigProblem("headers", "headers must be a map of header name to value"));
            return;
        }
        for (Map.Entry<?, ?> header : map.entrySet()) {
            String name = String.valueOf(header.getKey());
            String headerValue = text(header.getValue());
            if (headerName("headers." + name, name, problems)) {
                if (!validHeaderValue(headerValue)) {
                    problems.add(new ConfigProblem("headers." + name, "the value of header " + name
                            + " contains a line break"));
                }
                headers.put(name, headerValue);
            }
        }
    }

    private static boolean headerName(String path, String name, List<ConfigProblem> problems) {
        if (!TOKEN.matcher(name).matches()) {
            problems.add(new ConfigProblem(path, "'" + name + "' is not a valid header name"));
            return false;
        }
        if (RESERVED_HEADERS.contains(name.toLowerCase(java.util.Locale.ROOT))) {
            problems.add(new ConfigProblem(path, "header " + name + " is set by Steward and cannot be configured"));
            return false;
        }
        return true;
    }

    private static Duration duration(SystemConfig config, String key, Duration fallback,
                                     List<ConfigProblem> problems) {
        Object value = config.settings().get(key);
        if (value == null) {
            return fallback;
        }
        return DurationSetting.parse(value).orElseGet(() -> {
            problems.add(new ConfigProblem(key, key + " '" + value
                    + "' is not a duration: write it like 5s, 500ms or 2m"));
            return fallback;
        });
    }

    private static void entity(EntityConfig entity, String baseUrl, List<ConfigProblem> problems) {
        String prefix = "entities." + entity.name() + ".";
        String path = entity.setting("path").orElse("");
        if (path.isBlank()) {
            problems.add(new ConfigProblem(prefix + "path",
                    "path is missing: give the record's address below baseUrl, like /customers/{key}"));
        } else if (!path.startsWith("/")) {
            problems.add(new ConfigProblem(prefix + "path", "path must start with /, like /customers/{key}"));
        } else if (!path.contains("{key}")) {
            problems.add(new ConfigProblem(prefix + "path",
                    "path must contain {key} where the record's key goes, like /customers/{key}"));
        } else {
            try {
                new URI(baseUrl + path.replace("{key}", "k"));
            } catch (URISyntaxException e) {
                problems.add(new ConfigProblem(prefix + "path", "path '" + path
                        + "' does not make a valid URL: " + e.getReason()));
            }
        }
        List<String> names = new ArrayList<>(entity.fields().values());
        for (Map.Entry<String, String> field : entity.fields().entrySet()) {
            String name = field.getValue();
            if (name == null || name.isBlank() || name.startsWith(".") || name.endsWith(".") || name.contains("..")) {
                problems.add(new ConfigProblem(prefix + "fields." + field.getKey(),
                        "'" + name + "' is not a field name; nest with single dots, like properties.credit_limit"));
            } else if (names.stream().anyMatch(other -> other.startsWith(name + "."))) {
                problems.add(new ConfigProblem(prefix + "fields." + field.getKey(), "'" + name
                        + "' cannot be both a value and the parent of another mapped field"));
            }
        }
    }

    private static String text(Object value) {
        return value == null ? "" : String.valueOf(value);
    }

    private static boolean validHeaderValue(String value) {
        return value.indexOf('\r') < 0 && value.indexOf('\n') < 0;
    }

    private static String emptySecret(String what) {
        return what + " is empty: if it comes from ${env:...}, check that the variable is set";
    }
}
