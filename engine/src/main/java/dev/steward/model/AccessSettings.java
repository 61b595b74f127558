package dev.steward.model;

import java.net.URI;
import java.time.Duration;
import java.util.Optional;

/**
 * Who may reach the host: {@code host.publicUrl}, {@code metrics.public} and {@code access:} of
 * {@code steward.yaml}, with defaults. Immutable.
 *
 * @param publicUrl     the address users and proxies reach the host at; requests naming another
 *                      host (in {@code Host} or {@code Origin}) than it or a loopback name are refused
 * @param metricsPublic {@code /metrics} answers without a token
 * @param sessionIdle   a browser session ends after this long without a request
 * @param sessionMax    a browser session ends this long after sign-in, however busy
 * @param maxFailures   wrong passwords in a row (per user, and per address) before sign-in is locked
 * @param lockout       how long a locked user or address waits
 */
public record AccessSettings(Optional<URI> publicUrl, boolean metricsPublic, Duration sessionIdle, Duration sessionMax,
                             int maxFailures, Duration lockout) {

    public static final AccessSettings DEFAULT = new AccessSettings(Optional.empty(), false, Duration.ofMinutes(30),
            Duration.ofHours(12), 5, Duration.ofMinutes(15));

    public AccessSettings withPublicUrl(Optional<URI> url) {
        return new AccessSettings(url, metricsPublic, sessionIdle, sessionMax, maxFailures, lockout);
    }

    public AccessSettings withMetricsPublic(boolean open) {
        return new AccessSettings(publicUrl, open, sessionIdle, sessionMax, maxFailures, lockout);
    }

    /** Behind TLS: the public URL says https, so cookies are marked Secure whatever the proxy forwards. */
    public boolean publicHttps() {
        return publicUrl.map(u -> "https".equalsIgnoreCase(u.getScheme())).orElse(false);
    }
}
