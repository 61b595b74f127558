package dev.steward.plugin;

import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * One webhook delivery as it reached Steward, for a {@link WebhookFormat}.
 *
 * @param method     the HTTP method, upper case
 * @param url        the URL the sender called, as it signed it: scheme, host, path and query
 *                   ({@code https://steward.example.com/hooks/hubspot/contact?x=1}); behind a
 *                   proxy, the host's configured public URL replaces scheme and host
 * @param headers    the request's headers (first value of each), looked up by any case
 * @param body       the body's bytes, exactly as received (at most the host's body limit)
 * @param receivedAt when the delivery arrived, by Steward's clock (for replay windows)
 */
public record WebhookRequest(String method, String url, Map<String, String> headers, byte[] body,
                             Instant receivedAt) {

    public WebhookRequest {
        TreeMap<String, String> byName = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        byName.putAll(headers);
        headers = java.util.Collections.unmodifiableMap(byName);
        body = body.clone();
    }

    /** A header by any case of its name, if present. */
    public Optional<String> header(String name) {
        return Optional.ofNullable(headers.get(name.toLowerCase(Locale.ROOT)));
    }

    @Override
    public byte[] body() {
        return body.clone();
    }

    /** The body as UTF-8 text. */
    public String text() {
        return new String(body, java.nio.charset.StandardCharsets.UTF_8);
    }
}
