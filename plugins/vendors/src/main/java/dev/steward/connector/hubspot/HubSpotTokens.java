package dev.steward.connector.hubspot;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.steward.connector.http.SystemHttp;
import dev.steward.plugin.ConnectorException;
import dev.steward.plugin.SecretStore;
import dev.steward.plugin.SystemRateLimitedException;
import dev.steward.plugin.SystemUnavailableException;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * The bearer token of a hubspot system: a private app's fixed token, or OAuth access tokens
 * got with the refresh token grant ({@code POST /oauth/v1/token}). An access token lasts 30
 * minutes; it is renewed five minutes early (or at half its life when shorter), and dropped when
 * HubSpot answers 401 so the next call fetches one. A refresh token HubSpot rotates is kept in
 * the system's {@link SecretStore} under {@value #REFRESH_TOKEN}, so a restart or another host
 * uses the new one. Thread-safe: one refresh at a time.
 */
final class HubSpotTokens {

    /** The secret name of the rotated refresh token. */
    static final String REFRESH_TOKEN = "refreshToken";
    static final Duration EARLY = Duration.ofMinutes(5);

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String system;
    private final HubSpotSettings.Auth auth;
    private final URI tokenUrl;
    private final SystemHttp http;
    private final SecretStore secrets;
    private final Clock clock;
    private String accessToken;
    private Instant renewAt = Instant.MIN;

    HubSpotTokens(String system, HubSpotSettings.Auth auth, URI tokenUrl, SystemHttp http, SecretStore secrets,
                  Clock clock) {
        this.system = system;
        this.auth = auth;
        this.tokenUrl = tokenUrl;
        this.http = http;
        this.secrets = secrets;
        this.clock = clock;
    }

    /** Whether a 401 may be cured by fetching another token. */
    boolean renewable() {
        return auth instanceof HubSpotSettings.OAuth;
    }

    /** A token that is still good, refreshing when there is none. */
    synchronized String token() {
        if (auth instanceof HubSpotSettings.PrivateAppToken(String token)) {
            return token;
        }
        if (accessToken == null || !clock.instant().isBefore(renewAt)) {
            refresh((HubSpotSettings.OAuth) auth);
        }
        return accessToken;
    }

    /** Forgets a token HubSpot refused, unless another call already replaced it. */
    synchronized void rejected(String token) {
        if (token.equals(accessToken)) {
            accessToken = null;
        }
    }

    private void refresh(HubSpotSettings.OAuth oauth) {
        Optional<String> stored = secrets.get(REFRESH_TOKEN);
        String refreshToken = stored.orElse(oauth.refreshToken());
        Optional<Grant> grant = grant(oauth, refreshToken);
        if (grant.isEmpty() && stored.isPresent() && !stored.get().equals(oauth.refreshToken())) {
            // the kept token is stale (the app was installed again): the configured one is newer
            refreshToken = oauth.refreshToken();
            grant = grant(oauth, refreshToken);
        }
        if (grant.isEmpty()) {
            throw new ConnectorException(system + ": HubSpot refused the OAuth refresh token (revoked, or from another"
                    + " app); install the app again and set auth.oauth.refreshToken", false);
        }
        Instant now = clock.instant();
        Duration lifetime = grant.get().lifetime();
        Duration early = lifetime.dividedBy(2).compareTo(EARLY) < 0 ? lifetime.dividedBy(2) : EARLY;
        accessToken = grant.get().accessToken();
        renewAt = now.plus(lifetime).minus(early);
        String rotated = grant.get().refreshToken();
        if (rotated != null && !rotated.equals(refreshToken)) {
            if (!secrets.replace(REFRESH_TOKEN, stored, rotated)) {
                secrets.put(REFRESH_TOKEN, rotated);
            }
        }
    }

    private record Grant(String accessToken, Duration lifetime, String refreshToken) {
    }

    /** The grant, or empty when HubSpot refused the refresh token. */
    private Optional<Grant> grant(HubSpotSettings.OAuth oauth, String refreshToken) {
        String form = "grant_type=refresh_token&client_id=" + enc(oauth.clientId()) + "&client_secret="
                + enc(oauth.clientSecret()) + "&refresh_token=" + enc(refreshToken);
        SystemHttp.Answer answer;
        try {
            answer = http.send("POST", tokenUrl, Map.of("Accept", "application/json"), form,
                    "application/x-www-form-urlencoded");
        } catch (IOException e) {
            throw new SystemUnavailableException(system + ": HubSpot's token endpoint " + tokenUrl + " " + e.getMessage(), e);
        }
        if (answer.status() == 429) {
            throw new SystemRateLimitedException(system + ": HubSpot's token endpoint answered 429", Duration.ofSeconds(10));
        }
        if (answer.status() >= 500 || answer.status() == 408) {
            throw new SystemUnavailableException(system + ": HubSpot's token endpoint answered " + answer.status());
        }
        if (answer.status() == 400 || answer.status() == 401 || answer.status() == 403) {
            return Optional.empty();
        }
        try {
            JsonNode body = JSON.readTree(answer.body());
            String access = body.path("access_token").asText("");
            if (answer.status() != 200 || access.isBlank()) {
                throw new ConnectorException(system + ": HubSpot's token endpoint answered " + answer.status()
                        + " without an access_token", false);
            }
            long seconds = body.path("expires_in").asLong(1800);
            String refresh = body.path("refresh_token").asText(null);
            return Optional.of(new Grant(access, Duration.ofSeconds(Math.max(seconds, 2)), refresh));
        } catch (IOException e) {
            throw new ConnectorException(system + ": HubSpot's token endpoint answered no JSON: " + e.getMessage(), false);
        }
    }

    private static String enc(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
