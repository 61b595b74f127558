package dev.steward.connector.sap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.steward.connector.http.SystemHttp;
import dev.steward.plugin.ConnectorException;
import dev.steward.plugin.SystemUnavailableException;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One system's conversation with S/4HANA Cloud: it authenticates every call (the communication
 * user's basic auth, or an OAuth 2.0 client-credentials token cached until shortly before it
 * expires), keeps the session cookies the system sets, and does the CSRF dance for modifying
 * calls: a {@code GET} of the service root with {@code X-CSRF-Token: Fetch} gives a token and
 * the {@code sap-XSRF_<SID>_<client>} cookie; both go on every {@code POST}, {@code PATCH},
 * {@code MERGE} and {@code DELETE}; a {@code 403} with {@code X-CSRF-Token: Required} (the token
 * expired with its session) fetches once more and sends the write again.
 *
 * <p>Thread-safe: the token and cookies are replaced under a lock, and a token found stale by
 * several threads at once is fetched again only once.
 */
final class SapSession {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> MODIFYING = Set.of("POST", "PUT", "PATCH", "MERGE", "DELETE");
    /** Tokens are renewed this long before they expire, so that none expires in flight. */
    private static final Duration TOKEN_MARGIN = Duration.ofSeconds(30);

    private final String system;
    private final SystemHttp http;
    private final SapSettings.Auth auth;
    private final Clock clock;
    private final ReentrantLock lock = new ReentrantLock();
    /** Cookie name to value, as the system last set them; replaced whole under the lock. */
    private volatile Map<String, String> cookies = Map.of();
    private volatile String csrfToken;
    private volatile String accessToken;
    private volatile Instant accessTokenExpires = Instant.MIN;

    SapSession(String system, SystemHttp http, SapSettings.Auth auth, Clock clock) {
        this.system = system;
        this.http = http;
        this.auth = auth;
        this.clock = clock;
    }

    /**
     * Sends one call with auth, cookies and, for a modifying call, the CSRF token; answers
     * whatever the system answered after at most one token refetch and one OAuth renewal.
     *
     * @param csrfUri where to fetch a CSRF token (the service root of the call's service)
     * @throws SystemUnavailableException when the system cannot be reached
     */
    SystemHttp.Answer send(String method, URI uri, Map<String, String> headers, String body, URI csrfUri) {
        boolean modifying = MODIFYING.contains(method);
        String usedToken = modifying ? csrfToken(csrfUri, null) : null;
        SystemHttp.Answer answer = once(method, uri, headers, body, usedToken);
        if (answer.status() == 401 && auth instanceof SapSettings.OAuth2) {
            accessToken = null; // revoked or expired early: one more try with a new token
            answer = once(method, uri, headers, body, usedToken);
        }
        if (modifying && csrfRequired(answer)) {
            usedToken = csrfToken(csrfUri, usedToken);
            answer = once(method, uri, headers, body, usedToken);
        }
        return answer;
    }

    /** Whether the answer says the CSRF token (or its cookie) was missing or no longer valid. */
    static boolean csrfRequired(SystemHttp.Answer answer) {
        return answer.status() == 403 && answer.header("x-csrf-token").map("Required"::equalsIgnoreCase).orElse(false);
    }

    private SystemHttp.Answer once(String method, URI uri, Map<String, String> headers, String body, String token) {
        Map<String, String> all = new LinkedHashMap<>(headers);
        all.put("Authorization", authorization());
        all.putIfAbsent("Accept", "application/json");
        String cookie = cookieHeader();
        if (!cookie.isEmpty()) {
            all.put("Cookie", cookie);
        }
        if (token != null) {
            all.put("X-CSRF-Token", token);
        }
        String sendMethod = method;
        if (method.equals("MERGE")) {
            // MERGE is not an HTTP method every proxy passes; SAP Gateway takes it tunnelled
            sendMethod = "POST";
            all.put("X-HTTP-Method", "MERGE");
        }
        SystemHttp.Answer answer = exchange(sendMethod, uri, all, body, body == null ? null : "application/json");
        keepCookies(answer);
        return answer;
    }

    /** The current CSRF token, fetched when there is none or when {@code stale} is the current one. */
    private String csrfToken(URI csrfUri, String stale) {
        String token = csrfToken;
        if (token != null && !token.equals(stale)) {
            return token;
        }
        lock.lock();
        try {
            if (csrfToken != null && !csrfToken.equals(stale)) {
                return csrfToken; // another thread fetched it meanwhile
            }
            Map<String, String> headers = new LinkedHashMap<>();
            headers.put("Authorization", authorization());
            headers.put("Accept", "application/json");
            headers.put("X-CSRF-Token", "Fetch");
            // a token belongs to a session: start a new one rather than send the expired session's cookies
            SystemHttp.Answer answer = exchange("GET", csrfUri, headers, null, null);
            if (answer.status() == 401 && auth instanceof SapSettings.OAuth2) {
                accessToken = null;
                headers.put("Authorization", authorization());
                answer = exchange("GET", csrfUri, headers, null, null);
            }
            if (answer.status() >= 300) {
                throw SapErrors.forAnswer(system, "GET " + csrfUri.getRawPath() + " (CSRF token fetch)", answer, clock,
                        false);
            }
            String fresh = answer.header("x-csrf-token").filter(t -> !t.isBlank() && !t.equalsIgnoreCase("Required"))
                    .orElseThrow(() -> new ConnectorException(system + " answered the CSRF token fetch (GET "
                            + csrfUri.getRawPath() + " with X-CSRF-Token: Fetch) without a token: is this an SAP OData"
                            + " service?", false));
            cookies = Map.of();
            keepCookies(answer);
            csrfToken = fresh;
            return fresh;
        } finally {
            lock.unlock();
        }
    }

    private String authorization() {
        if (auth instanceof SapSettings.Basic basic) {
            return basicHeader(basic.user(), basic.password());
        }
        SapSettings.OAuth2 oauth = (SapSettings.OAuth2) auth;
        String token = accessToken;
        if (token != null && clock.instant().isBefore(accessTokenExpires)) {
            return "Bearer " + token;
        }
        lock.lock();
        try {
            if (accessToken != null && clock.instant().isBefore(accessTokenExpires)) {
                return "Bearer " + accessToken;
            }
            StringBuilder form = new StringBuilder("grant_type=client_credentials");
            if (oauth.scope() != null) {
                form.append("&scope=").append(URLEncoder.encode(oauth.scope(), StandardCharsets.UTF_8));
            }
            Map<String, String> headers = Map.of("Authorization", basicHeader(oauth.clientId(), oauth.clientSecret()),
                    "Accept", "application/json");
            SystemHttp.Answer answer = exchange("POST", oauth.tokenUrl(), headers, form.toString(),
                    "application/x-www-form-urlencoded");
            if (answer.status() != 200) {
                throw SapErrors.forAnswer(system, "POST " + oauth.tokenUrl().getRawPath() + " (OAuth token)", answer,
                        clock, false);
            }
            JsonNode body;
            try {
                body = JSON.readTree(answer.body());
            } catch (IOException e) {
                body = null;
            }
            if (body == null || !body.path("access_token").isTextual()) {
                throw new ConnectorException(system + "'s token URL answered without an access_token", false);
            }
            long expiresIn = body.path("expires_in").asLong(3600);
            accessToken = body.get("access_token").asText();
            accessTokenExpires = clock.instant().plusSeconds(expiresIn).minus(TOKEN_MARGIN);
            return "Bearer " + accessToken;
        } finally {
            lock.unlock();
        }
    }

    private SystemHttp.Answer exchange(String method, URI uri, Map<String, String> headers, String body,
                                       String contentType) {
        try {
            return http.send(method, uri, headers, body, contentType);
        } catch (IOException e) {
            throw new SystemUnavailableException(system + " could not be reached for " + method + " "
                    + uri.getRawPath() + ": " + e.getMessage(), e);
        }
    }

    private void keepCookies(SystemHttp.Answer answer) {
        String set = answer.headers().get("set-cookie");
        if (set == null) {
            return;
        }
        lock.lock();
        try {
            Map<String, String> jar = new TreeMap<>(cookies);
            for (String line : set.split("\n")) {
                String[] parts = line.split(";");
                int eq = parts[0].indexOf('=');
                if (eq <= 0) {
                    continue;
                }
                String name = parts[0].substring(0, eq).strip();
                String value = parts[0].substring(eq + 1).strip();
                boolean removed = value.isEmpty();
                for (int i = 1; i < parts.length; i++) {
                    String attribute = parts[i].strip().toLowerCase(java.util.Locale.ROOT);
                    if (attribute.equals("max-age=0") || attribute.startsWith("max-age=-")) {
                        removed = true;
                    }
                }
                if (removed) {
                    jar.remove(name);
                } else {
                    jar.put(name, value);
                }
            }
            cookies = Map.copyOf(jar);
        } finally {
            lock.unlock();
        }
    }

    private String cookieHeader() {
        StringBuilder header = new StringBuilder();
        new TreeMap<>(cookies).forEach((name, value) -> {
            if (!header.isEmpty()) {
                header.append("; ");
            }
            header.append(name).append('=').append(value);
        });
        return header.toString();
    }

    private static String basicHeader(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }
}
