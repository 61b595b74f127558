package dev.steward.connector.netsuite;

import dev.steward.connector.http.SystemHttp;
import dev.steward.plugin.ConfigProblem;
import dev.steward.plugin.EntityConfig;
import dev.steward.plugin.SystemConfig;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The {@code netsuite} connector's settings for one system, read once and checked. Immutable.
 *
 * @param accountId   the account as NetSuite shows it ({@code 1234567_SB1}); the OAuth 1.0a realm
 * @param baseUrl     the REST host, without a trailing slash; by default
 *                    {@code https://<account>.suitetalk.api.netsuite.com}
 * @param auth        how requests are authorized: {@link M2m} or {@link Tba}
 * @param concurrency the most requests Steward has in flight to the account at once
 * @param records     per entity name, the NetSuite record type and how the key addresses it
 */
record NetSuiteSettings(String accountId, String baseUrl, Auth auth, int concurrency, Map<String, RecordType> records) {

    static final int DEFAULT_CONCURRENCY = 5;
    static final String TOKEN_PATH = "/services/rest/auth/oauth2/v1/token";
    static final String RECORD_PATH = "/services/rest/record/v1";
    static final String DEFAULT_SCOPE = "restlets,rest_webservices";

    private static final Pattern ACCOUNT = Pattern.compile("[A-Za-z0-9]+([_-][A-Za-z0-9]+)*");
    private static final Pattern RECORD = Pattern.compile("[A-Za-z][A-Za-z0-9_]*");
    private static final Set<String> KNOWN = Set.of("accountId", "baseUrl", "auth", "concurrency",
            "connectTimeout", "readTimeout", "maxResponse", "allowLinkLocal", "allowedNetworks");
    private static final Set<String> ENTITY_KNOWN = Set.of("record", "key");

    /** How requests are authorized. */
    sealed interface Auth permits M2m, Tba {
    }

    /**
     * OAuth 2.0 client credentials (machine to machine): a JWT assertion signed with the
     * certificate's private key buys a one-hour access token.
     */
    record M2m(String clientId, String certificateId, PrivateKey privateKey, ClientAssertion.Algorithm algorithm,
               URI tokenUrl, String scope) implements Auth {

        @Override
        public String toString() {
            return "M2m[clientId=" + clientId + ", certificateId=" + certificateId + ", algorithm=" + algorithm
                    + ", tokenUrl=" + tokenUrl + "]";
        }
    }

    /** Token-based authentication: OAuth 1.0a with HMAC-SHA256 on every request. */
    record Tba(String consumerKey, String consumerSecret, String tokenId, String tokenSecret) implements Auth {

        @Override
        public String toString() {
            return "Tba[consumerKey=" + consumerKey + ", tokenId=" + tokenId + "]";
        }
    }

    /**
     * How one entity is stored.
     *
     * @param record     the REST record type ({@code customer}, {@code salesOrder})
     * @param externalId true: Steward's key is the record's external id ({@code eid:KEY}, written
     *                   with the upsert {@code PUT}); false: it is NetSuite's internal id
     *                   (written with {@code PATCH}, never created)
     */
    record RecordType(String record, boolean externalId) {
    }

    NetSuiteSettings {
        records = Map.copyOf(records);
    }

    /** The account id as it appears in host names: lower case, {@code _} as {@code -}. */
    static String hostPart(String accountId) {
        return accountId.toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** The account id as the OAuth 1.0a realm: upper case, {@code -} as {@code _}. */
    static String realm(String accountId) {
        return accountId.toUpperCase(Locale.ROOT).replace('-', '_');
    }

    /** Reads the settings, adding a problem for each one that is wrong; never throws. */
    static NetSuiteSettings read(SystemConfig config, Path workspace, List<ConfigProblem> problems) {
        for (String key : config.settings().keySet()) {
            if (!KNOWN.contains(key)) {
                problems.add(new ConfigProblem(key, "netsuite has no setting '" + key + "'; it takes "
                        + String.join(", ", new java.util.TreeSet<>(KNOWN))));
            }
        }
        String account = config.setting("accountId").map(String::strip).orElse("");
        if (account.isEmpty()) {
            problems.add(new ConfigProblem("accountId", "accountId is missing: give the account id NetSuite shows"
                    + " under Setup > Company > Company Information, like 1234567 or 1234567_SB1"));
        } else if (!ACCOUNT.matcher(account).matches()) {
            problems.add(new ConfigProblem("accountId", "accountId '" + account + "' is not a NetSuite account id:"
                    + " letters and digits, a sandbox like 1234567_SB1"));
        }
        // a wrong account id is reported once, not again as a wrong default URL
        String baseUrl = config.setting("baseUrl").map(NetSuiteSettings::trimSlash)
                .orElse("https://" + (ACCOUNT.matcher(account).matches() ? hostPart(account) : "account")
                        + ".suitetalk.api.netsuite.com");
        checkUrl("baseUrl", baseUrl, problems);
        problems.addAll(SystemHttp.validate(config, "baseUrl", baseUrl));
        Auth auth = auth(config, baseUrl, workspace, problems);
        int concurrency = concurrency(config.settings().get("concurrency"), problems);
        Map<String, RecordType> records = new LinkedHashMap<>();
        for (EntityConfig entity : config.entities().values()) {
            records.put(entity.name(), recordType(entity, problems));
        }
        return new NetSuiteSettings(account, baseUrl, auth, concurrency, records);
    }

    private static RecordType recordType(EntityConfig entity, List<ConfigProblem> problems) {
        String prefix = "entities." + entity.name() + ".";
        for (String key : entity.settings().keySet()) {
            if (!ENTITY_KNOWN.contains(key)) {
                problems.add(new ConfigProblem(prefix + key, "a netsuite entity has no setting '" + key
                        + "'; it takes record and key"));
            }
        }
        String record = entity.setting("record").orElse(entity.name());
        if (!RECORD.matcher(record).matches()) {
            problems.add(new ConfigProblem(prefix + "record", "record '" + record + "' is not a NetSuite record type"
                    + " like customer, inventoryItem or salesOrder"));
        }
        String key = entity.setting("key").orElse("externalId");
        if (!key.equals("externalId") && !key.equals("internalId")) {
            problems.add(new ConfigProblem(prefix + "key", "key must be externalId (Steward's key is the record's"
                    + " external id: upserts by PUT eid:KEY) or internalId (NetSuite's own id), not '" + key + "'"));
        }
        if (entity.fields().isEmpty()) {
            problems.add(new ConfigProblem(prefix + "fields", "the entity maps no fields"));
        }
        return new RecordType(record, !key.equals("internalId"));
    }

    private static int concurrency(Object value, List<ConfigProblem> problems) {
        if (value == null) {
            return DEFAULT_CONCURRENCY;
        }
        if (value instanceof Number n && n.doubleValue() == n.intValue() && n.intValue() >= 1 && n.intValue() <= 1000) {
            return n.intValue();
        }
        problems.add(new ConfigProblem("concurrency", "concurrency must be a whole number from 1 to 1000 (the"
                + " requests in flight the account allows this integration), not '" + value + "'"));
        return DEFAULT_CONCURRENCY;
    }

    private static Auth auth(SystemConfig config, String baseUrl, Path workspace, List<ConfigProblem> problems) {
        Object value = config.settings().get("auth");
        if (!(value instanceof Map<?, ?> map) || map.size() != 1
                || !(map.containsKey("m2m") || map.containsKey("tba"))) {
            problems.add(new ConfigProblem("auth", "auth must be one of {m2m: {clientId, certificateId, privateKey"
                    + " or privateKeyFile, algorithm}} (OAuth 2.0 client credentials) or {tba: {consumerKey,"
                    + " consumerSecret, tokenId, tokenSecret}} (token-based authentication)"));
            return null;
        }
        if (!(map.get(map.containsKey("m2m") ? "m2m" : "tba") instanceof Map<?, ?> block)) {
            problems.add(new ConfigProblem("auth", "auth." + map.keySet().iterator().next() + " must be a block of settings"));
            return null;
        }
        if (map.containsKey("tba")) {
            String p = "auth.tba.";
            unknown(block, Set.of("consumerKey", "consumerSecret", "tokenId", "tokenSecret"), p, problems);
            return new Tba(required(block, "consumerKey", p, problems), required(block, "consumerSecret", p, problems),
                    required(block, "tokenId", p, problems), required(block, "tokenSecret", p, problems));
        }
        String p = "auth.m2m.";
        unknown(block, Set.of("clientId", "certificateId", "privateKey", "privateKeyFile", "algorithm", "tokenUrl",
                "scope"), p, problems);
        String clientId = required(block, "clientId", p, problems);
        String certificateId = required(block, "certificateId", p, problems);
        ClientAssertion.Algorithm algorithm = ClientAssertion.Algorithm.PS256;
        if (block.get("algorithm") != null) {
            try {
                algorithm = ClientAssertion.Algorithm.valueOf(String.valueOf(block.get("algorithm")).strip());
            } catch (IllegalArgumentException e) {
                problems.add(new ConfigProblem(p + "algorithm", "algorithm must be PS256, RS256 or ES256 (as the"
                        + " certificate's key and the M2M mapping say), not '" + block.get("algorithm") + "'"));
            }
        }
        PrivateKey key = privateKey(block, algorithm, workspace, p, problems);
        String tokenUrl = block.get("tokenUrl") == null ? baseUrl + TOKEN_PATH : String.valueOf(block.get("tokenUrl"));
        checkUrl(p + "tokenUrl", tokenUrl, problems);
        problems.addAll(SystemHttp.validate(config, p + "tokenUrl", tokenUrl));
        String scope = block.get("scope") == null ? DEFAULT_SCOPE : String.valueOf(block.get("scope"));
        URI token = null;
        try {
            token = new URI(tokenUrl);
        } catch (URISyntaxException e) {
            // reported by checkUrl
        }
        return new M2m(clientId, certificateId, key, algorithm, token, scope);
    }

    private static PrivateKey privateKey(Map<?, ?> block, ClientAssertion.Algorithm algorithm, Path workspace,
                                         String p, List<ConfigProblem> problems) {
        Object inline = block.get("privateKey");
        Object file = block.get("privateKeyFile");
        if ((inline == null) == (file == null)) {
            problems.add(new ConfigProblem(p + "privateKey", "give the certificate's private key as privateKey (PEM"
                    + " text, e.g. ${env:NETSUITE_PRIVATE_KEY}) or privateKeyFile (a PEM file), one of the two"));
            return null;
        }
        String pem;
        String where = inline != null ? p + "privateKey" : p + "privateKeyFile";
        if (inline != null) {
            pem = String.valueOf(inline);
        } else {
            Path path = workspace.resolve(String.valueOf(file));
            try {
                pem = Files.readString(path);
            } catch (IOException e) {
                problems.add(new ConfigProblem(where, "cannot read the private key file " + path + ": " + e.getMessage()));
                return null;
            }
        }
        try {
            return PemKeys.privateKey(pem, algorithm);
        } catch (IllegalArgumentException e) {
            problems.add(new ConfigProblem(where, e.getMessage()));
            return null;
        }
    }

    private static void unknown(Map<?, ?> block, Set<String> known, String p, List<ConfigProblem> problems) {
        for (Object key : block.keySet()) {
            if (!known.contains(String.valueOf(key))) {
                problems.add(new ConfigProblem(p + key, "no setting '" + key + "' here; it takes "
                        + String.join(", ", new java.util.TreeSet<>(known))));
            }
        }
    }

    private static String required(Map<?, ?> block, String key, String p, List<ConfigProblem> problems) {
        Object value = block.get(key);
        if (value == null || String.valueOf(value).isBlank()) {
            problems.add(new ConfigProblem(p + key, key + " is missing"));
            return "";
        }
        return String.valueOf(value).strip();
    }

    private static void checkUrl(String path, String url, List<ConfigProblem> problems) {
        try {
            URI uri = new URI(url);
            if (!("https".equals(uri.getScheme()) || "http".equals(uri.getScheme())) || uri.getHost() == null) {
                problems.add(new ConfigProblem(path, path + " '" + url + "' is not an http(s) URL with a host"));
            }
        } catch (URISyntaxException e) {
            problems.add(new ConfigProblem(path, path + " '" + url + "' is not a URL: " + e.getReason()));
        }
    }

    private static String trimSlash(String url) {
        String s = url.strip();
        return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
    }

    /** Every problem of {@link #read}, for the factory. */
    static List<ConfigProblem> problems(SystemConfig config, Path workspace) {
        List<ConfigProblem> problems = new ArrayList<>();
        read(config, workspace, problems);
        return problems;
    }
}
