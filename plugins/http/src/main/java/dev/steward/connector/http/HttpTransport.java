package dev.steward.connector.http;

import dev.steward.plugin.DurationSetting;
import dev.steward.plugin.SizeSetting;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.apache.hc.client5.http.classic.methods.HttpUriRequestBase;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.ManagedHttpClientConnectionFactory;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManager;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.MessageConstraintException;
import org.apache.hc.core5.http.config.Http1Config;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.util.Timeout;

/**
 * Sends one request and reads the whole answer as text, for one system. Connections go only to
 * addresses its {@link CheckedDnsResolver} checked; redirects are never followed; no proxy is
 * used (a proxy would resolve names itself); nothing is retried here. The whole exchange, body
 * included, has a deadline of connect plus read timeout. An answer's body is read up to
 * {@code maxResponse} bytes and its head up to {@link #MAX_HEADERS} lines of
 * {@link #MAX_HEADER_LINE} bytes: past either, the connection is closed at once, never drained.
 * Thread-safe; closed with its connector.
 */
final class HttpTransport implements AutoCloseable {

    /** One request: method, absolute URI, headers, and a body with its content type, if any. */
    record Call(String method, URI uri, Map<String, String> headers, String body, String contentType) {

        Call {
            headers = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(headers));
        }

        String describe() {
            return method + " " + uri.getRawPath();
        }
    }

    /**
     * One answer: status, headers by lower-case name (first value; every {@code Set-Cookie} value,
     * joined by newlines), body as text.
     */
    record Answer(int status, Map<String, String> headers, String body) {

        Optional<String> header(String name) {
            return Optional.ofNullable(headers.get(name.toLowerCase(Locale.ROOT)));
        }
    }

    /** The answer is larger than Steward reads (body past {@code maxResponse}, or its head); reading stopped there. */
    static final class TooLargeException extends IOException {
        TooLargeException(String message) {
            super(message);
        }
    }

    /** The exchange took longer than its deadline. */
    static final class DeadlineException extends IOException {
        DeadlineException(String message) {
            super(message);
        }
    }

    private final CloseableHttpClient client;
    private final PoolingHttpClientConnectionManager connections;
    private final ScheduledThreadPoolExecutor deadlines;
    private final NetworkPolicy policy;
    private final Duration deadline;
    private final long maxResponse;

    static final int MAX_HEADERS = 200;
    static final int MAX_HEADER_LINE = 64 * 1024;

    HttpTransport(String system, HostResolver resolver, NetworkPolicy policy, Duration connectTimeout,
                  Duration readTimeout, long maxResponse) {
        this.policy = policy;
        this.deadline = connectTimeout.plus(readTimeout);
        this.maxResponse = maxResponse;
        this.connections = PoolingHttpClientConnectionManagerBuilder.create()
                .setDnsResolver(new CheckedDnsResolver(resolver, policy))
                .setConnectionFactory(ManagedHttpClientConnectionFactory.builder()
                        .http1Config(Http1Config.custom()
                                .setMaxHeaderCount(MAX_HEADERS)
                                .setMaxLineLength(MAX_HEADER_LINE)
                                .build())
                        .build())
                .setDefaultConnectionConfig(ConnectionConfig.custom()
                        .setConnectTimeout(Timeout.of(connectTimeout))
                        .setSocketTimeout(Timeout.of(readTimeout))
                        .build())
                .setMaxConnTotal(64)
                .setMaxConnPerRoute(32)
                .build();
        this.client = HttpClients.custom()
                .setConnectionManager(connections)
                .setDefaultRequestConfig(RequestConfig.custom()
                        .setConnectionRequestTimeout(Timeout.of(connectTimeout))
                        .setResponseTimeout(Timeout.of(readTimeout))
                        .setRedirectsEnabled(false)
                        .build())
                .disableRedirectHandling()
                .disableAutomaticRetries()
                .disableCookieManagement()
                .disableAuthCaching()
                .disableContentCompression()
                .setUserAgent("Steward")
                .build();
        ScheduledThreadPoolExecutor deadlines = new ScheduledThreadPoolExecutor(1, r -> {
            Thread thread = new Thread(r, "steward-http-deadline-" + system);
            thread.setDaemon(true);
            return thread;
        });
        // Nearly every exchange ends in time: its cancelled timer leaves the queue at once. Kept
        // until its deadline instead, each held its request (body included) for connect plus
        // read timeout: at a few hundred writes a second, thousands of requests that outlived
        // the young generation and were collected from the old one.
        deadlines.setRemoveOnCancelPolicy(true);
        this.deadlines = deadlines;
    }

    Answer send(Call call) throws IOException {
        refuseLiteral(call.uri());
        HttpUriRequestBase request = new HttpUriRequestBase(call.method(), call.uri());
        call.headers().forEach(request::addHeader);
        if (call.body() != null) {
            // UTF-8 bytes under the bare media type: JSON has no charset parameter (RFC 8259);
            // a type with parameters (multipart/mixed; boundary=...) is sent as given
            request.setEntity(new ByteArrayEntity(call.body().getBytes(StandardCharsets.UTF_8),
                    call.contentType().contains(";") ? ContentType.parse(call.contentType())
                            : ContentType.create(call.contentType())));
        }
        ScheduledFuture<?> timer = deadlines.schedule(request::cancel, deadline.toMillis(), TimeUnit.MILLISECONDS);
        try {
            return client.execute(request, response -> {
                Map<String, String> headers = new LinkedHashMap<>();
                for (Header header : response.getHeaders()) {
                    String name = header.getName().toLowerCase(Locale.ROOT);
                    if (name.equals("set-cookie")) {
                        // a server sets several cookies in several headers (SAP's session and XSRF cookies)
                        headers.merge(name, header.getValue(), (a, b) -> a + "\n" + b);
                    } else {
                        headers.putIfAbsent(name, header.getValue());
                    }
                }
                return new Answer(response.getCode(), headers, body(response.getEntity(), request));
            });
        } catch (TooLargeException e) {
            throw e;
        } catch (MessageConstraintException e) {
            request.cancel();
            throw new TooLargeException("its head is over Steward's limits (" + MAX_HEADERS + " header lines of at most "
                    + SizeSetting.format(MAX_HEADER_LINE) + "): " + e.getMessage());
        } catch (IOException e) {
            if (request.isCancelled()) {
                throw new DeadlineException("no complete answer within " + DurationSetting.format(deadline));
            }
            throw e;
        } finally {
            timer.cancel(false);
        }
    }

    /**
     * The body as UTF-8 text, read up to {@link #maxResponse} bytes. Past it the request is
     * cancelled, which closes the connection: closing the stream instead would read the rest
     * of the body to reuse the connection, and a hostile answer never ends.
     */
    private String body(HttpEntity entity, HttpUriRequestBase request) throws IOException {
        if (entity == null) {
            return "";
        }
        if (entity.getContentLength() > maxResponse) {
            request.cancel();
            throw new TooLargeException("the answer is longer than " + SizeSetting.format(maxResponse)
                    + " (maxResponse): its Content-Length is " + entity.getContentLength());
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        InputStream in = entity.getContent();
        for (int read; (read = in.read(buffer)) >= 0; ) {
            if (body.size() + read > maxResponse) {
                request.cancel();
                throw new TooLargeException("the answer is longer than " + SizeSetting.format(maxResponse)
                        + " (maxResponse); Steward stopped reading it");
            }
            body.write(buffer, 0, read);
        }
        return body.toString(StandardCharsets.UTF_8);
    }

    /** Deadlines of exchanges still under way, for tests. */
    int pendingDeadlines() {
        return deadlines.getQueue().size();
    }

    /** An IP literal in the URL may never reach the resolver: check it here as well. */
    private void refuseLiteral(URI uri) throws IOException {
        if (uri.getHost() == null) {
            throw new CheckedDnsResolver.RefusedAddressException("refused to connect: " + uri.getRawAuthority()
                    + " is not a host name or a plain IP address");
        }
        var literal = AddressLiteral.parse(uri.getHost());
        if (literal.isPresent()) {
            var refusal = policy.refusal(literal.get());
            if (refusal.isPresent()) {
                throw new CheckedDnsResolver.RefusedAddressException("refused to connect to " + uri.getHost()
                        + ": " + refusal.get());
            }
        }
    }

    @Override
    public void close() {
        deadlines.shutdownNow();
        client.close(CloseMode.IMMEDIATE);
    }
}
