package dev.steward.connector.quickbooks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.steward.connector.http.SystemHttp;
import dev.steward.plugin.SecretStore;
import dev.steward.plugin.SystemUnavailableException;
import dev.steward.plugin.WriteRefusedException;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Access tokens for one QuickBooks company, from Intuit's token endpoint with the refresh token
 * grant (client authenticated with HTTP Basic). Intuit rotates the refresh token: each answer may
 * carry a new one, and the old one stops working. The current refresh token lives in the system's
 * {@link SecretStore} (encrypted in Steward's store, shared by every host), so a restart or another
 * host goes on from the last rotation; it is seeded from the configured {@code refreshToken} when
 * the store has none, or when the configured one changed (an operator re-authorized the app).
 *
 * <p>Two hosts refreshing at once: the store's {@link SecretStore#replace} lets one rotation win;
 * the loser's refresh is refused with {@code invalid_grant}, and it then reads the winner's token
 * from the store and refreshes with that. A refresh token refused while it is still the stored one
 * (revoked, expired, lost) is an operator alert: a permanent error saying to re-authorize, logged
 * once, the token never shown.
 *
 * <p>Thread-safe: one refresh at a time per connector.
 */
final class QuickBooksTokens {

    static final String REFRESH_TOKEN = "refreshToken";
    /** A hash of the configured refresh token last seeded, to notice a new one in steward.yaml. */
    static final String SEEDED = "refreshTokenSeeded";
    /** Tokens are renewed this long before they expire. */
    static final Duration EARLY = Duration.ofMinutes(2);
    private static final int ATTEMPTS = 3;
    /** How long a refused refresh waits for another host's rotation to reach the store. */
    private static final Duration SETTLE = Duration.ofSeconds(1);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String system;
    private final QuickBooksSettings settings;
    private final SystemHttp http;
    private final SecretStore store;
    private final Clock clock;
    private final System.Logger logger;
    private final AtomicBoolean alerted = new AtomicBoolean();
    private String accessToken;
    private Instant renewAt = Instant.MIN;
    private String refused;
    private volatile String alert;

    QuickBooksTokens(String system, QuickBooksSettings settings, SystemHttp http, SecretStore store, Clock clock,
                     System.Logger logger) {
        this.system = system;
        this.settings = settings;
        this.http = http;
        this.store = store;
        this.clock = clock;
        this.logger = logger;
        seed();
    }

    private void seed() {
        String seeded = hash(settings.refreshToken());
        Optional<String> last = store.get(SEEDED);
        if (store.get(REFRESH_TOKEN).isEmpty() || last.isEmpty() || !last.get().equals(seeded)) {
            Optional<String> before = store.get(REFRESH_TOKEN);
            // replace, not put: a host that rotated meanwhile keeps its (newer) token
            if (store.replace(REFRESH_TOKEN, before, settings.refreshToken())) {
                store.put(SEEDED, seeded);
            }
        }
    }

    /** An access token that is still good, refreshing when there is none. */
    synchronized String accessToken() {
        if (accessToken == null || !clock.instant().isBefore(renewAt)) {
            refresh();
        }
        return accessToken;
    }

    /** Forgets this access token (QuickBooks answered 401), unless another request replaced it. */
    synchronized void invalidate(String rejected) {
        if (rejected.equals(accessToken)) {
            accessToken = null;
        }
    }

    private void refresh() {
        for (int attempt = 1; ; attempt++) {
            String current = store.get(REFRESH_TOKEN).orElse(settings.refreshToken());
            if (current.equals(refused)) {
                throw lost("still refused; nothing new was stored since");
            }
            SystemHttp.Answer answer = post(current);
            if (answer.status() == 200) {
                accept(current, answer);
                return;
            }
            String error = error(answer.body());
            if (answer.status() >= 500 || answer.status() == 429 || answer.status() == 408) {
                throw new SystemUnavailableException(system + ": Intuit's token endpoint answered " + answer.status());
            }
            if (!error.equals("invalid_grant")) {
                throw new WriteRefusedException(system + ": Intuit's token endpoint refused the app's credentials ("
                        + answer.status() + " " + error + "): check clientId and clientSecret of system " + system
                        + " against the app's keys on developer.intuit.com", answer.status(), error);
            }
            if (rotatedElsewhere(current) && attempt < ATTEMPTS) {
                continue; // another host rotated the token meanwhile: go on from its token
            }
            refused = current;
            throw lost("invalid_grant");
        }
    }

    /**
     * Whether another host (or connector) stored a newer refresh token than {@code used}: it may have
     * rotated it a moment ago and not stored it yet, so this waits a little for it.
     */
    private boolean rotatedElsewhere(String used) {
        long until = System.nanoTime() + SETTLE.toNanos();
        while (true) {
            Optional<String> now = store.get(REFRESH_TOKEN);
            if (now.isPresent() && !now.get().equals(used)) {
                return true;
            }
            if (System.nanoTime() >= until) {
                return false;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
    }

    private void accept(String used, SystemHttp.Answer answer) {
        JsonNode json;
        try {
            json = JSON.readTree(answer.body());
        } catch (IOException e) {
            throw new SystemUnavailableException(system + ": Intuit's token endpoint answered 200 with no JSON");
        }
        String access = json.path("access_token").asText("");
        if (access.isBlank()) {
            throw new SystemUnavailableException(system + ": Intuit's token endpoint answered without an access_token");
        }
        String next = json.path("refresh_token").asText("");
        if (!next.isBlank() && !next.equals(used) && !store.replace(REFRESH_TOKEN, Optional.of(used), next)) {
            // another host stored its rotation first; its token is the chain from now on
            logger.log(System.Logger.Level.DEBUG, system + ": another host rotated the refresh token at the same time");
        }
        long seconds = json.path("expires_in").asLong(3600);
        Duration lifetime = Duration.ofSeconds(Math.max(1, seconds));
        Duration early = lifetime.compareTo(EARLY.multipliedBy(2)) > 0 ? EARLY : lifetime.dividedBy(2);
        accessToken = access;
        renewAt = clock.instant().plus(lifetime).minus(early);
        refused = null;
        alert = null;
        alerted.set(false);
    }

    /** The operator alert while the refresh token stays refused (for {@code /health}); empty otherwise. */
    Optional<String> alert() {
        return Optional.ofNullable(alert);
    }

    private WriteRefusedException lost(String why) {
        String message = "QuickBooks refused the refresh token of system " + system + " (" + why + "): it was revoked,"
                + " expired or lost. Re-authorize Steward's app for company " + settings.realmId()
                + " (Connect to QuickBooks, or developer.intuit.com > OAuth 2.0 Playground) and put the new refresh"
                + " token in refreshToken of system " + system + " in steward.yaml; Steward takes it on the next load";
        if (alerted.compareAndSet(false, true)) {
            logger.log(System.Logger.Level.ERROR, message);
        }
        alert = message;
        return new WriteRefusedException(message, 400, "invalid_grant");
    }

    private SystemHttp.Answer post(String refreshToken) {
        String pair = settings.clientId() + ":" + settings.clientSecret();
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Authorization", "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8)));
        headers.put("Accept", "application/json");
        String form = "grant_type=refresh_token&refresh_token=" + URLEncoder.encode(refreshToken, StandardCharsets.UTF_8);
        try {
            return http.send("POST", settings.tokenUrl(), headers, form, "application/x-www-form-urlencoded");
        } catch (IOException e) {
            throw new SystemUnavailableException(system + " could not reach Intuit's token endpoint "
                    + settings.tokenUrl().getHost() + ": " + e.getMessage(), e);
        }
    }

    private static String error(String body) {
        try {
            return JSON.readTree(body).path("error").asText("unknown error");
        } catch (IOException e) {
            return "unknown error";
        }
    }

    static String hash(String value) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(value.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
