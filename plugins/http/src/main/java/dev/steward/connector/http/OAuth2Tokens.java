package dev.steward.connector.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.steward.plugin.ConnectorException;
import dev.steward.plugin.SystemUnavailableException;
import dev.steward.plugin.WriteRefusedException;
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

/**
 * Access tokens from an OAuth2 token endpoint with the client credentials grant (RFC 6749,
 * section 4.4), the client authenticating with HTTP Basic. A token is kept until shortly
 * before it expires and shared by every request of the system; {@link #invalidate} drops it
 * when the system answers 401, so the next request fetches a new one. Thread-safe: one fetch
 * at a time.
 */
final class OAuth2Tokens {

    /** Settings of {@code auth: {oauth2: {...}}}. Immutable; the secret is never logged. */
    record Settings(URI tokenUrl, String clientId, String clientSecret, String scope) {

        @Override
        public String toString() {
            return "OAuth2[tokenUrl=" + tokenUrl + ", clientId=" + clientId + "]";
        }
    }

    /** Tokens are renewed this long before they expire, so none expires on its way. */
    static final Duration EARLY = Duration.ofSeconds(30);
    /** For a token endpoint that does not say how long a token lasts. */
    static final Duration DEFAULT_LIFETIME = Duration.ofMinutes(5);

    private final String system;
    private final Settings settings;
    private final HttpTransport transport;
    private final Clock clock;
    private String token;
    private Instant renewAt = Instant.MIN;

    OAuth2Tokens(String system, Settings settings, HttpTransport transport, Clock clock) {
        this.system = system;
        this.settings = settings;
        this.transport = transport;
        this.clock = clock;
    }

    /** A token that is still good, fetching one when there is none. */
    synchronized String token() {
        if (token == null || !clock.instant().isBefore(renewAt)) {
            fetch();
        }
        return token;
    }

    /** Forgets this token, unless another request already replaced it. */
    synchronized void invalidate(String rejected) {
        if (rejected.equals(token)) {
            token = null;
        }
    }

    private void fetch() {
        String pair = URLEncoder.encode(settings.clientId(), StandardCharsets.UTF_8) + ":"
                + URLEncoder.encode(settings.clientSecret(), StandardCharsets.UTF_8);
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Authorization", "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8)));
        headers.put("Accept", "application/json");
        String form = "grant_type=client_credentials" + (settings.scope() == null || settings.scope().isBlank() ? ""
                : "&scope=" + URLEncoder.encode(settings.scope(), StandardCharsets.UTF_8));
        HttpTransport.Call call = new HttpTransport.Call("POST", settings.tokenUrl(), headers, form,
                "application/x-www-form-urlencoded");
        HttpTransport.Answer answer;
        try {
            answer = transport.send(call);
        } catch (HttpTransport.TooLargeException e) {
            throw new ConnectorException(system + "'s OAuth2 token endpoint answered " + call.describe()
                    + " with too much: " + e.getMessage(), false, e);
        } catch (IOException e) {
            throw new SystemUnavailableException(system + " could not get an OAuth2 token from "
                    + settings.tokenUrl().getHost() + ": " + e.getMessage(), e);
        }
        String where = system + "'s OAuth2 token endpoint answered " + answer.status() + " to " + call.describe();
        if (answer.status() >= 500 || answer.status() == 408 || answer.status() == 429) {
            throw new SystemUnavailableException(where);
        }
        if (answer.status() != 200) {
            // the body of a refusal names the problem (invalid_client, invalid_scope), never the secret
            String body = HttpConnector.shorten(answer.body());
            throw new WriteRefusedException(where + (body.isEmpty() ? "" : ": " + body), answer.status(), body);
        }
        JsonNode json;
        try {
            json = NestedFields.JSON.readTree(answer.body());
        } catch (IOException e) {
            json = null;
        }
        JsonNode accessToken = json == null ? null : json.get("access_token");
        if (accessToken == null || !accessToken.isTextual() || accessToken.asText().isBlank()) {
            throw new WriteRefusedException(where + " without an access_token", answer.status(), "no access_token");
        }
        Duration lifetime = json.hasNonNull("expires_in") && json.get("expires_in").canConvertToLong()
                ? Duration.ofSeconds(json.get("expires_in").asLong()) : DEFAULT_LIFETIME;
        Duration early = lifetime.compareTo(EARLY.multipliedBy(2)) > 0 ? EARLY : lifetime.dividedBy(2);
        token = accessToken.asText();
        renewAt = clock.instant().plus(lifetime).minus(early);
    }
}
