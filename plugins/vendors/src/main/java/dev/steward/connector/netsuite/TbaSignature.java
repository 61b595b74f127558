package dev.steward.connector.netsuite;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * NetSuite token-based authentication: an OAuth 1.0a {@code Authorization} header signed with
 * HMAC-SHA256 (RFC 5849, section 3.4: the signature base string of method, base URI and the
 * sorted, percent-encoded parameters; the key {@code consumerSecret&tokenSecret}), with the
 * account id as {@code realm}. Stateless.
 */
final class TbaSignature {

    private TbaSignature() {
    }

    /** A parameter, already decoded. */
    record Param(String name, String value) {
    }

    /**
     * The {@code Authorization} header for one request.
     *
     * @param formParams the body's parameters when it is {@code application/x-www-form-urlencoded}
     *                   (they are signed too); empty for JSON bodies
     */
    static String header(String realm, NetSuiteSettings.Tba tba, String method, URI uri, List<Param> formParams,
                         String nonce, long timestamp) {
        Map<String, String> oauth = new LinkedHashMap<>();
        oauth.put("oauth_consumer_key", tba.consumerKey());
        oauth.put("oauth_token", tba.tokenId());
        oauth.put("oauth_signature_method", "HMAC-SHA256");
        oauth.put("oauth_timestamp", Long.toString(timestamp));
        oauth.put("oauth_nonce", nonce);
        oauth.put("oauth_version", "1.0");
        List<Param> params = new ArrayList<>(formParams);
        oauth.forEach((name, value) -> params.add(new Param(name, value)));
        String base = baseString(method, uri, params);
        String signature = hmacSha256(encode(tba.consumerSecret()) + "&" + encode(tba.tokenSecret()), base);
        StringBuilder header = new StringBuilder("OAuth realm=\"").append(encode(realm)).append('"');
        oauth.forEach((name, value) -> header.append(", ").append(name).append("=\"").append(encode(value)).append('"'));
        header.append(", oauth_signature=\"").append(encode(signature)).append('"');
        return header.toString();
    }

    /**
     * The signature base string (RFC 5849, section 3.4.1): the method, the base string URI
     * (scheme and host in lower case, default port left out, no query) and the normalized
     * parameters (the query's and {@code params}, each encoded, sorted by name then value).
     */
    static String baseString(String method, URI uri, List<Param> params) {
        List<Param> all = new ArrayList<>(query(uri.getRawQuery()));
        all.addAll(params);
        List<String[]> encoded = new ArrayList<>();
        for (Param p : all) {
            encoded.add(new String[] {encode(p.name()), encode(p.value())});
        }
        encoded.sort(Comparator.<String[], String>comparing(p -> p[0]).thenComparing(p -> p[1]));
        StringBuilder normalized = new StringBuilder();
        for (String[] p : encoded) {
            if (!normalized.isEmpty()) {
                normalized.append('&');
            }
            normalized.append(p[0]).append('=').append(p[1]);
        }
        return method.toUpperCase(Locale.ROOT) + "&" + encode(baseUri(uri)) + "&" + encode(normalized.toString());
    }

    static String baseUri(URI uri) {
        String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
        int port = uri.getPort();
        boolean defaultPort = port == -1 || (scheme.equals("http") && port == 80) || (scheme.equals("https") && port == 443);
        return scheme + "://" + uri.getHost().toLowerCase(Locale.ROOT) + (defaultPort ? "" : ":" + port)
                + (uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath());
    }

    /** Query or form parameters, decoded ({@code +} is a space, as forms write it). */
    static List<Param> query(String raw) {
        List<Param> params = new ArrayList<>();
        if (raw == null || raw.isEmpty()) {
            return params;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String name = eq < 0 ? pair : pair.substring(0, eq);
            String value = eq < 0 ? "" : pair.substring(eq + 1);
            params.add(new Param(URLDecoder.decode(name, StandardCharsets.UTF_8),
                    URLDecoder.decode(value, StandardCharsets.UTF_8)));
        }
        return params;
    }

    /** Percent-encoding of RFC 5849, section 3.6: everything but ALPHA, DIGIT, '-', '.', '_', '~'. */
    static String encode(String value) {
        StringBuilder out = new StringBuilder();
        for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '.' || c == '_' || c == '~') {
                out.append((char) c);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return out.toString();
    }

    static String hmacSha256(String key, String text) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return Base64.getEncoder().encodeToString(mac.doFinal(text.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is missing from this JDK", e);
        }
    }
}
