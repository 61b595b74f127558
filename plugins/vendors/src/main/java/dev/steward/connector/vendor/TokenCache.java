package dev.steward.connector.vendor;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Supplier;

/**
 * One cached OAuth access token of a connector: fetched when there is none or it is due, renewed
 * {@code early} before it ends (at half its life when that is shorter), and dropped when the API
 * refuses it. The vendor supplies the fetch (its token request and its errors). Thread-safe: one
 * fetch at a time.
 */
public final class TokenCache {

    /** A token the vendor issued: its value, when it was asked for, and how long it lasts. */
    public record Issued(String token, Instant at, Duration lifetime) {
    }

    private final Duration early;
    private final Clock clock;
    private final Supplier<Issued> fetch;
    private String token;
    private Instant renewAt = Instant.MIN;

    public TokenCache(Duration early, Clock clock, Supplier<Issued> fetch) {
        this.early = early;
        this.clock = clock;
        this.fetch = fetch;
    }

    /** A token that is still good, fetching one when there is none. */
    public synchronized String token() {
        if (token == null || !clock.instant().isBefore(renewAt)) {
            Issued issued = fetch.get();
            Duration lifetime = issued.lifetime();
            Duration margin = lifetime.compareTo(early.multipliedBy(2)) > 0 ? early : lifetime.dividedBy(2);
            token = issued.token();
            renewAt = issued.at().plus(lifetime).minus(margin);
        }
        return token;
    }

    /** Drops {@code refused} if it is still the current token (another thread may have renewed it). */
    public synchronized void invalidate(String refused) {
        if (refused.equals(token)) {
            token = null;
        }
    }
}
