package dev.steward.connector.http;

import dev.steward.plugin.ConfigProblem;
import dev.steward.plugin.SystemConfig;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The http connector's transport for other connector plugins (vendor presets such as
 * {@code hubspot} or {@code netsuite}): one request at a time, sent only to addresses the
 * system's network policy allows ({@code allowLinkLocal}, {@code allowedNetworks}, the
 * deployment's {@code STEWARD_ALLOWED_NETWORKS}), never through a proxy, never following a
 * redirect, with the system's {@code connectTimeout}, {@code readTimeout} and
 * {@code maxResponse}. Nothing is retried here: a plugin maps answers to
 * {@link dev.steward.plugin.ConnectorException}s and Steward retries.
 *
 * <p>Thread-safe; close it with the connector that opened it.
 */
public final class SystemHttp implements AutoCloseable {

    /**
     * One answer: status, headers by lower-case name (first value; every {@code Set-Cookie}
     * value, joined by newlines, since a server sets each cookie in its own header), body as text.
     */
    public record Answer(int status, Map<String, String> headers, String body) {

        /** A header of the answer, by any case of its name. */
        public Optional<String> header(String name) {
            return Optional.ofNullable(headers.get(name.toLowerCase(Locale.ROOT)));
        }
    }

    private final HttpTransport transport;

    private SystemHttp(HttpTransport transport) {
        this.transport = transport;
    }

    /**
     * Checks the transport settings of a system ({@code connectTimeout}, {@code readTimeout},
     * {@code maxResponse}, {@code allowLinkLocal}, {@code allowedNetworks}) and that
     * {@code url} (the system's base URL) names a host the policy allows, without connecting.
     *
     * @param urlSetting the setting {@code url} came from, for the problem's path
     */
    public static List<ConfigProblem> validate(SystemConfig config, String urlSetting, String url) {
        List<ConfigProblem> problems = new java.util.ArrayList<>();
        settings(config, urlSetting, url, problems);
        return problems;
    }

    /**
     * Opens the transport of one system.
     *
     * @throws IllegalArgumentException when {@link #validate} would report a problem
     */
    public static SystemHttp open(SystemConfig config, String urlSetting, String url) {
        List<ConfigProblem> problems = new java.util.ArrayList<>();
        Transport settings = settings(config, urlSetting, url, problems);
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("system " + config.name() + " is not valid: "
                    + problems.getFirst().path() + ": " + problems.getFirst().message());
        }
        return new SystemHttp(new HttpTransport(config.name(), HostResolver.system(), settings.policy(),
                settings.connectTimeout(), settings.readTimeout(), settings.maxResponse()));
    }

    /**
     * Sends one request and reads the whole answer.
     *
     * @param headers     request headers (not {@code Content-Type}, given apart)
     * @param body        the body, or null for none
     * @param contentType the body's content type, or null without a body
     * @throws IOException when the system could not be reached, did not answer in time, or
     *                     answered more than {@code maxResponse}; the message says which
     */
    public Answer send(String method, URI uri, Map<String, String> headers, String body, String contentType)
            throws IOException {
        HttpTransport.Answer answer = transport.send(new HttpTransport.Call(method, uri, headers, body, contentType));
        return new Answer(answer.status(), answer.headers(), answer.body());
    }

    @Override
    public void close() {
        transport.close();
    }

    private record Transport(Duration connectTimeout, Duration readTimeout, NetworkPolicy policy, long maxResponse) {
    }

    private static Transport settings(SystemConfig config, String urlSetting, String url, List<ConfigProblem> problems) {
        HttpSettings.Transport t = HttpSettings.transport(config, System.getenv(NetworkPolicy.ENV), urlSetting, url,
                problems);
        return new Transport(t.connectTimeout(), t.readTimeout(), t.policy(), t.maxResponse());
    }
}
