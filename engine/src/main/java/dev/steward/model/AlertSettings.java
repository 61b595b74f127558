package dev.steward.model;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * {@code alerts:} of {@code steward.yaml}: where to POST a JSON alert on every dead letter and
 * whenever health turns degraded or recovers. Immutable.
 *
 * @param url     none: no alerts are sent
 * @param timeout for connecting and for the answer
 * @param headers sent with each alert (an authorization header, for example)
 */
public record AlertSettings(Optional<URI> url, Duration timeout, Map<String, String> headers) {

    public static final AlertSettings NONE = new AlertSettings(Optional.empty(), Duration.ofSeconds(5), Map.of());

    public AlertSettings {
        headers = Map.copyOf(headers);
    }
}
