package dev.steward.connector.netsuite;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.steward.connector.http.SystemHttp;
import dev.steward.connector.vendor.TokenCache;
import dev.steward.plugin.ConnectorException;
import dev.steward.plugin.SystemRateLimitedException;
import dev.steward.plugin.SystemUnavailableException;
import dev.steward.plugin.WriteRefusedException;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * Access tokens from NetSuite's OAuth 2.0 token endpoint with the client credentials grant and
 * a signed JWT assertion ({@link ClientAssertion}). NetSuite gives no refresh token: a token
 * lasts an hour, and shortly before it ends a new assertion buys the next. {@link #invalidate}
 * drops a token NetSuite refused (401), so the next request signs a new assertion. Thread-safe:
 * one fetch at a time.
 */
final class M2mTokens {

    /** Tokens are renewed this long before they end, so none ends on its way. */
    static final Duration EARLY = Duration.ofMinutes(2);
    static final Duration DEFAULT_LIFETIME = Duration.ofHours(1);

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String system;
    private final NetSuiteSettings.M2m m2m;
    private final SystemHttp http;
    private final Clock clock;
    private final TokenCache cache;

    M2mTokens(String system, NetSuiteSettings.M2m m2m, SystemHttp http, Clock clock) {
        this.system = system;
        this.m2m = m2m;
        this.http = http;
        this.clock = clock;
        this.cache = new TokenCache(EARLY, clock, this::fetch);
    }

    /** A token that is still good, fetching one when there is none. */
    String token() {
        return cache.token();
    }

    /** Forgets this token, unless another request already replaced it. */
    void invalidate(String rejected) {
        cache.invalidate(rejected);
    }

    private TokenCache.Issued fetch() {
        Instant now = clock.instant();
        String form = "grant_type=client_credentials"
                + "&client_assertion_type=" + URLEncoder.encode("urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                StandardCharsets.UTF_8)
                + "&client_assertion=" + URLEncoder.encode(ClientAssertion.sign(m2m, now), StandardCharsets.UTF_8);
        String call = "POST " + m2m.tokenUrl().getPath();
        SystemHttp.Answer answer;
        try {
            answer = http.send("POST", m2m.tokenUrl(), Map.of("Accept", "application/json"), form,
                    "application/x-www-form-urlencoded");
        } catch (IOException e) {
            throw new SystemUnavailableException(system + " could not get a NetSuite access token from "
                    + m2m.tokenUrl().getHost() + ": " + e.getMessage(), e);
        }
        String where = system + "'s NetSuite token endpoint answered " + answer.status() + " to " + call;
        if (answer.status() == 429) {
            throw new SystemRateLimitedException(where, null);
        }
        if (answer.status() >= 500 || answer.status() == 408) {
            throw new SystemUnavailableException(where);
        }
        String body = NetSuiteErrors.shorten(answer.body());
        if (answer.status() != 200) {
            // invalid_client, invalid_grant: the client id, certificate id, key or clock is wrong
            throw new WriteRefusedException(where + (body.isEmpty() ? "" : ": " + body)
                    + " (check auth.m2m: clientId, certificateId, the private key of that certificate, and the"
                    + " host's clock)", answer.status(), body);
        }
        JsonNode json;
        try {
            json = JSON.readTree(answer.body());
        } catch (IOException e) {
            json = null;
        }
        JsonNode accessToken = json == null ? null : json.get("access_token");
        if (accessToken == null || !accessToken.isTextual() || accessToken.asText().isBlank()) {
            throw new ConnectorException(where + " without an access_token", false);
        }
        Duration lifetime = DEFAULT_LIFETIME;
        JsonNode expiresIn = json.get("expires_in");
        // NetSuite sends expires_in as a string ("3600")
        if (expiresIn != null && expiresIn.asLong(0) > 0) {
            lifetime = Duration.ofSeconds(expiresIn.asLong());
        }
        return new TokenCache.Issued(accessToken.asText(), now, lifetime);
    }
}
