package dev.steward.testing.vendors.netsuite;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The fake's checks of NetSuite's two ways to authorize a REST call, written apart from the
 * connector's code so each checks the other: the OAuth 2.0 client credentials grant with a JWT
 * assertion (signature by the registered certificate's public key, {@code kid}, {@code iss},
 * {@code aud}, {@code scope}, {@code iat}/{@code exp} at most an hour apart), and OAuth 1.0a
 * token-based authentication with HMAC-SHA256 (RFC 5849 base string; realm = account; nonces
 * not reused). Thread-safe.
 */
final class FakeNetSuiteAuth {

    /** A refusal: the status, NetSuite's error code and what the fake saw wrong. */
    record Refusal(int status, String code, String detail) {
    }

    record M2mClient(String clientId, String certificateId, PublicKey key) {
    }

    record TbaCredentials(String consumerKey, String consumerSecret, String tokenId, String tokenSecret) {
    }

    static final Duration SKEW = Duration.ofMinutes(5);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern PARAM = Pattern.compile("\\s*([A-Za-z_]+)=\"([^\"]*)\"\\s*(,|$)");

    private final String accountId;
    private final Clock clock;
    private final Map<String, M2mClient> clients = new ConcurrentHashMap<>();
    private final Map<String, TbaCredentials> tba = new ConcurrentHashMap<>();
    private final Map<String, Instant> tokens = new ConcurrentHashMap<>();
    private final Set<String> nonces = ConcurrentHashMap.newKeySet();
    private volatile Duration tokenLifetime = Duration.ofHours(1);

    FakeNetSuiteAuth(String accountId, Clock clock) {
        this.accountId = accountId;
        this.clock = clock;
    }

    void allowM2m(String clientId, String certificateId, PublicKey key) {
        clients.put(certificateId, new M2mClient(clientId, certificateId, key));
    }

    void allowTba(String consumerKey, String consumerSecret, String tokenId, String tokenSecret) {
        tba.put(tokenId, new TbaCredentials(consumerKey, consumerSecret, tokenId, tokenSecret));
    }

    void tokenLifetime(Duration lifetime) {
        this.tokenLifetime = lifetime;
    }

    /** Ends every access token handed out (as an hour passing would). */
    void expireTokens() {
        tokens.clear();
    }

    int tokensIssued;

    /**
     * The token endpoint: a form body with the client credentials grant and a JWT assertion.
     *
     * @return the token answer, or a refusal
     */
    synchronized Object token(String form, URI tokenUrl) {
        Map<String, String> params = new LinkedHashMap<>();
        for (String pair : form.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                params.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        if (!"client_credentials".equals(params.get("grant_type"))) {
            return new Refusal(400, "unsupported_grant_type", "grant_type must be client_credentials");
        }
        if (!"urn:ietf:params:oauth:client-assertion-type:jwt-bearer".equals(params.get("client_assertion_type"))) {
            return new Refusal(400, "invalid_request", "client_assertion_type must be the jwt-bearer URN");
        }
        String jwt = params.get("client_assertion");
        if (jwt == null) {
            return new Refusal(400, "invalid_request", "no client_assertion");
        }
        String[] parts = jwt.split("\\.");
        if (parts.length != 3) {
            return new Refusal(400, "invalid_request", "client_assertion is not a signed JWT");
        }
        JsonNode header;
        JsonNode claims;
        byte[] signature;
        try {
            header = JSON.readTree(Base64.getUrlDecoder().decode(parts[0]));
            claims = JSON.readTree(Base64.getUrlDecoder().decode(parts[1]));
            signature = Base64.getUrlDecoder().decode(parts[2]);
        } catch (Exception e) {
            return new Refusal(400, "invalid_request", "client_assertion is not base64url JSON: " + e.getMessage());
        }
        M2mClient client = clients.get(header.path("kid").asText(""));
        if (client == null) {
            return new Refusal(401, "invalid_client", "kid '" + header.path("kid").asText("") + "' is no certificate of"
                    + " an M2M mapping");
        }
        String alg = header.path("alg").asText("");
        try {
            Signature verifier = switch (alg) {
                case "PS256" -> {
                    Signature s = Signature.getInstance("RSASSA-PSS");
                    s.setParameter(new PSSParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, 32, 1));
                    yield s;
                }
                case "RS256" -> Signature.getInstance("SHA256withRSA");
                case "ES256" -> Signature.getInstance("SHA256withECDSAinP1363Format");
                default -> null;
            };
            if (verifier == null) {
                return new Refusal(400, "invalid_request", "alg '" + alg + "' is not PS256, RS256 or ES256");
            }
            verifier.initVerify(client.key());
            verifier.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
            if (!verifier.verify(signature)) {
                return new Refusal(401, "invalid_client", "the assertion's signature does not verify with certificate "
                        + client.certificateId());
            }
        } catch (GeneralSecurityException e) {
            return new Refusal(401, "invalid_client", "the assertion's signature does not verify: " + e.getMessage());
        }
        if (!client.clientId().equals(claims.path("iss").asText())) {
            return new Refusal(401, "invalid_client", "iss '" + claims.path("iss").asText() + "' is not the client id"
                    + " mapped to certificate " + client.certificateId());
        }
        if (!tokenUrl.toString().equals(claims.path("aud").asText())) {
            return new Refusal(400, "invalid_grant", "aud must be the token URL " + tokenUrl + ", not '"
                    + claims.path("aud").asText() + "'");
        }
        List<String> scopes = new ArrayList<>();
        JsonNode scope = claims.path("scope");
        if (scope.isArray()) {
            scope.forEach(s -> scopes.add(s.asText()));
        } else {
            for (String s : scope.asText("").split(",")) {
                scopes.add(s.strip());
            }
        }
        if (!scopes.contains("rest_webservices")) {
            return new Refusal(400, "invalid_scope", "scope must include rest_webservices, not " + scopes);
        }
        long now = clock.instant().getEpochSecond();
        long iat = claims.path("iat").asLong(-1);
        long exp = claims.path("exp").asLong(-1);
        if (iat < 0 || exp < 0 || exp <= iat || exp - iat > 3600) {
            return new Refusal(400, "invalid_grant", "iat and exp must be given, exp after iat by at most an hour");
        }
        if (iat > now + SKEW.toSeconds() || exp < now) {
            return new Refusal(400, "invalid_grant", "the assertion is not valid now (iat " + iat + ", exp " + exp
                    + ", now " + now + ")");
        }
        String token = "ns-at-" + UUID.randomUUID();
        tokens.put(token, clock.instant().plus(tokenLifetime));
        tokensIssued++;
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("access_token", token);
        answer.put("expires_in", Long.toString(tokenLifetime.toSeconds()));
        answer.put("token_type", "bearer");
        return answer;
    }

    /**
     * Checks a REST call's {@code Authorization} header.
     *
     * @param violation set to true when the header is not what NetSuite takes at all (as opposed
     *                  to a token that ran out)
     */
    Optional<Refusal> check(String method, URI uri, String authorization, boolean[] violation) {
        if (authorization == null || authorization.isBlank()) {
            violation[0] = true;
            return Optional.of(new Refusal(401, "INVALID_LOGIN", "no Authorization header"));
        }
        if (authorization.startsWith("Bearer ")) {
            Instant until = tokens.get(authorization.substring(7).strip());
            if (until == null || !clock.instant().isBefore(until)) {
                return Optional.of(new Refusal(401, "INVALID_LOGIN", "the access token is unknown or expired"));
            }
            return Optional.empty();
        }
        if (authorization.startsWith("OAuth ")) {
            return tba(method, uri, authorization.substring(6), violation);
        }
        violation[0] = true;
        return Optional.of(new Refusal(401, "INVALID_LOGIN", "Authorization is neither Bearer nor OAuth"));
    }

    private Optional<Refusal> tba(String method, URI uri, String params, boolean[] violation) {
        Map<String, String> oauth = new LinkedHashMap<>();
        Matcher m = PARAM.matcher(params);
        int at = 0;
        while (at < params.length() && m.find(at) && m.start() == at) {
            oauth.put(m.group(1), URLDecoder.decode(m.group(2).replace("+", "%2B"), StandardCharsets.UTF_8));
            at = m.end();
        }
        violation[0] = true;
        if (at != params.length()) {
            return Optional.of(new Refusal(401, "INVALID_LOGIN", "the OAuth header is not a list of name=\"value\""));
        }
        for (String name : List.of("realm", "oauth_consumer_key", "oauth_token", "oauth_signature_method",
                "oauth_timestamp", "oauth_nonce", "oauth_version", "oauth_signature")) {
            if (!oauth.containsKey(name)) {
                return Optional.of(new Refusal(401, "INVALID_LOGIN", "the OAuth header has no " + name));
            }
        }
        if (!oauth.get("realm").equals(accountId.toUpperCase(Locale.ROOT).replace('-', '_'))) {
            return Optional.of(new Refusal(401, "INVALID_LOGIN", "realm '" + oauth.get("realm") + "' is not the account"));
        }
        if (!oauth.get("oauth_signature_method").equals("HMAC-SHA256") || !oauth.get("oauth_version").equals("1.0")) {
            return Optional.of(new Refusal(401, "INVALID_LOGIN", "TBA takes HMAC-SHA256 and version 1.0"));
        }
        TbaCredentials credentials = tba.get(oauth.get("oauth_token"));
        if (credentials == null || !credentials.consumerKey().equals(oauth.get("oauth_consumer_key"))) {
            return Optional.of(new Refusal(401, "INVALID_LOGIN", "unknown token id or consumer key"));
        }
        long timestamp;
        try {
            timestamp = Long.parseLong(oauth.get("oauth_timestamp"));
        } catch (NumberFormatException e) {
            return Optional.of(new Refusal(401, "INVALID_LOGIN", "oauth_timestamp is not a number"));
        }
        if (Math.abs(clock.instant().getEpochSecond() - timestamp) > SKEW.toSeconds()) {
            return Optional.of(new Refusal(401, "INVALID_LOGIN", "oauth_timestamp is too far from now"));
        }
        if (!nonces.add(oauth.get("oauth_nonce") + "|" + timestamp)) {
            return Optional.of(new Refusal(401, "INVALID_LOGIN", "oauth_nonce was used before"));
        }
        List<String[]> all = new ArrayList<>();
        String query = uri.getRawQuery();
        if (query != null && !query.isEmpty()) {
            for (String pair : query.split("&")) {
                int eq = pair.indexOf('=');
                all.add(new String[] {
                        encode(URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8)),
                        encode(URLDecoder.decode(eq < 0 ? "" : pair.substring(eq + 1), StandardCharsets.UTF_8))});
            }
        }
        oauth.forEach((name, value) -> {
            if (name.startsWith("oauth_") && !name.equals("oauth_signature")) {
                all.add(new String[] {encode(name), encode(value)});
            }
        });
        all.sort((a, b) -> a[0].equals(b[0]) ? a[1].compareTo(b[1]) : a[0].compareTo(b[0]));
        StringBuilder normalized = new StringBuilder();
        for (String[] p : all) {
            normalized.append(normalized.isEmpty() ? "" : "&").append(p[0]).append('=').append(p[1]);
        }
        String base = method + "&" + encode("http://" + uri.getAuthority().toLowerCase(Locale.ROOT) + uri.getRawPath())
                + "&" + encode(normalized.toString());
        byte[] expected = hmac(encode(credentials.consumerSecret()) + "&" + encode(credentials.tokenSecret()), base);
        byte[] given;
        try {
            given = Base64.getDecoder().decode(oauth.get("oauth_signature"));
        } catch (IllegalArgumentException e) {
            return Optional.of(new Refusal(401, "INVALID_LOGIN", "oauth_signature is not base64"));
        }
        if (!MessageDigest.isEqual(expected, given)) {
            return Optional.of(new Refusal(401, "INVALID_LOGIN", "oauth_signature does not match the base string "
                    + base));
        }
        violation[0] = false;
        return Optional.empty();
    }

    static String encode(String value) {
        StringBuilder out = new StringBuilder();
        for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if (Character.isLetterOrDigit(c) && c < 128 || "-._~".indexOf(c) >= 0) {
                out.append(c);
            } else {
                out.append(String.format("%%%02X", b & 0xff));
            }
        }
        return out.toString();
    }

    private static byte[] hmac(String key, String text) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return mac.doFinal(text.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
