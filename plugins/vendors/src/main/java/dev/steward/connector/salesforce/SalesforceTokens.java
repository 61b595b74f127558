package dev.steward.connector.salesforce;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.steward.connector.http.SystemHttp;
import dev.steward.plugin.ConnectorException;
import dev.steward.plugin.SystemUnavailableException;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Map;

/**
 * Access tokens from the org's OAuth token endpoint, by the client credentials or the JWT bearer
 * flow. Salesforce says nothing of a token's lifetime (it follows the session policy), so a token
 * is kept until a data call is answered {@code 401 INVALID_SESSION_ID}; then
 * {@link #invalidate} drops it and the next call fetches a new one. Neither flow issues a refresh
 * token, so nothing needs to be kept across restarts. Thread-safe: one fetch at a time.
 */
final class SalesforceTokens {

    /** A token and the base URL of the data calls it is good for (the answer's {@code instance_url}). */
    record Session(String accessToken, String instanceUrl) {
        @Override
        public String toString() {
            return "Session[instanceUrl=" + instanceUrl + "]";
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String system;
    private final SalesforceSettings settings;
    private final SystemHttp http;
    private final Clock clock;
    private Session session;
    /** Why the token endpoint last refused the credentials, until a token is had again. */
    private volatile String refused;

    SalesforceTokens(String system, SalesforceSettings settings, SystemHttp http, Clock clock) {
        this.system = system;
        this.settings = settings;
        this.http = http;
        this.clock = clock;
    }

    /** The current session, fetching one when there is none. */
    synchronized Session session() {
        if (session == null) {
            try {
                session = fetch();
                refused = null;
            } catch (ConnectorException e) {
                if (!e.retryable()) {
                    refused = e.getMessage();
                }
                throw e;
            }
        }
        return session;
    }

    /** The token endpoint's last refusal of the credentials, while no token has been had since. */
    java.util.Optional<String> refused() {
        return java.util.Optional.ofNullable(refused);
    }

    /** Forgets this session, unless another call already replaced it. */
    synchronized void invalidate(Session rejected) {
        if (rejected.equals(session)) {
            session = null;
        }
    }

    private Session fetch() {
        String form = switch (settings.auth()) {
            case SalesforceSettings.ClientCredentials cc -> "grant_type=client_credentials&client_id="
                    + encode(cc.clientId()) + "&client_secret=" + encode(cc.clientSecret());
            case SalesforceSettings.JwtBearer jwt -> "grant_type=" + encode("urn:ietf:params:oauth:grant-type:jwt-bearer")
                    + "&assertion=" + encode(JwtAssertion.sign(jwt, clock.instant()));
        };
        SystemHttp.Answer answer;
        try {
            answer = http.send("POST", settings.tokenUrl(), Map.of("Accept", "application/json"), form,
                    "application/x-www-form-urlencoded");
        } catch (IOException e) {
            throw new SystemUnavailableException(system + " could not get a Salesforce token from "
                    + settings.tokenUrl().getHost() + ": " + e.getMessage(), e);
        }
        String where = system + ": Salesforce's token endpoint " + settings.tokenUrl() + " answered " + answer.status();
        if (answer.status() >= 500 || answer.status() == 408 || answer.status() == 429) {
            throw new SystemUnavailableException(where);
        }
        JsonNode json;
        try {
            json = JSON.readTree(answer.body());
        } catch (IOException e) {
            json = null;
        }
        if (answer.status() != 200) {
            // {"error":"invalid_client","error_description":"invalid client credentials"}: never the secret
            String reason = json != null && json.hasNonNull("error")
                    ? json.path("error").asText() + ": " + json.path("error_description").asText()
                    : SalesforceAnswers.shorten(answer.body());
            throw new ConnectorException(where + " (" + reason + "); check auth in steward.yaml and the "
                    + "external client app's OAuth settings", false);
        }
        String token = json == null ? "" : json.path("access_token").asText("");
        if (token.isBlank()) {
            throw new ConnectorException(where + " without an access_token", false);
        }
        String url = json.path("instance_url").asText("").replaceAll("/+$", "");
        String instance = settings.instanceUrl().orElse(url.isBlank() ? settings.myDomain() : url);
        return new Session(token, instance);
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
