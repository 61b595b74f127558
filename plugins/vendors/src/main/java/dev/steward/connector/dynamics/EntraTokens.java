package dev.steward.connector.dynamics;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.steward.connector.http.SystemHttp;
import dev.steward.connector.vendor.TokenCache;
import dev.steward.plugin.ConnectorException;
import dev.steward.plugin.SystemRateLimitedException;
import dev.steward.plugin.SystemUnavailableException;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;

/**
 * Access tokens for the Dataverse Web API from Microsoft Entra ID, with the client credentials
 * grant: {@code POST {authority}/{tenant}/oauth2/v2.0/token} with {@code client_id},
 * {@code client_secret} and {@code scope={environmentUrl}/.default}. A token is kept until
 * shortly before its {@code expires_in} and shared by every request of the system;
 * {@link #invalidate} drops it when the Web API answers 401, so the next request fetches a new
 * one. The grant has no refresh token, so nothing needs to be kept across restarts.
 * Thread-safe: one fetch at a time.
 */
final class EntraTokens {

    /** Tokens are renewed this long before they expire, so none expires on its way. */
    static final Duration EARLY = Duration.ofSeconds(60);
    /** When Entra ID does not say how long a token lasts (it always does). */
    static final Duration DEFAULT_LIFETIME = Duration.ofMinutes(5);

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String system;
    private final DynamicsSettings settings;
    private final SystemHttp http;
    private final Clock clock;
    private final TokenCache cache;

    EntraTokens(String system, DynamicsSettings settings, SystemHttp http, Clock clock) {
        this.system = system;
        this.settings = settings;
        this.http = http;
        this.clock = clock;
        this.cache = new TokenCache(EARLY, clock, this::fetch);
    }

    /** A token that is still good, fetching one when there is none. */
    String token() {
        return cache.token();
    }

    /** Drops {@code refused} if it is still the current token (another thread may have renewed it). */
    void invalidate(String refused) {
        cache.invalidate(refused);
    }

    private TokenCache.Issued fetch() {
        String form = "grant_type=client_credentials"
                + "&client_id=" + encode(settings.clientId())
                + "&client_secret=" + encode(settings.clientSecret())
                + "&scope=" + encode(settings.scope());
        SystemHttp.Answer answer;
        try {
            answer = http.send("POST", settings.tokenUrl(), Map.of("Accept", "application/json"), form,
                    "application/x-www-form-urlencoded");
        } catch (IOException e) {
            throw new SystemUnavailableException(system + ": Entra ID's token endpoint " + settings.tokenUrl()
                    + " could not be reached: " + e.getMessage(), e);
        }
        String why = system + ": Entra ID answered " + answer.status() + " to the token request for client "
                + settings.clientId();
        if (answer.status() == 429) {
            throw new SystemRateLimitedException(why, ODataAnswers.retryAfter(answer, clock).orElse(null));
        }
        if (answer.status() >= 500 || answer.status() == 408) {
            throw new SystemUnavailableException(why);
        }
        JsonNode body;
        try {
            body = JSON.readTree(answer.body());
        } catch (IOException e) {
            throw new SystemUnavailableException(why + " that is not JSON", e);
        }
        if (answer.status() != 200 || !body.path("access_token").isTextual()) {
            // invalid_client (AADSTS7000215 wrong secret), unauthorized_client, invalid_scope: no retry helps
            String error = body.path("error").asText("");
            String description = body.path("error_description").asText("").lines().findFirst().orElse("");
            throw new ConnectorException(why + (error.isEmpty() ? " without a token" : ": " + error
                    + (description.isEmpty() ? "" : " (" + description + ")")), false);
        }
        long seconds = body.path("expires_in").asLong(DEFAULT_LIFETIME.toSeconds());
        return new TokenCache.Issued(body.get("access_token").asText(), clock.instant(),
                Duration.ofSeconds(Math.max(seconds, 0)));
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
