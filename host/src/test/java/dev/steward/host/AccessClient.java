package dev.steward.host;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Requests with chosen credentials (or none) for the access tests, beside {@link RunningHost}'s admin client. */
final class AccessClient {

    /** One way to present oneself: nothing, a bearer token, or a session cookie with its CSRF token. */
    record Credentials(String label, String bearer, String cookie, String csrf) {
        static final Credentials NONE = new Credentials("no credentials", null, null, null);

        static Credentials token(String label, String token) {
            return new Credentials(label, token, null, null);
        }

        static Credentials session(String label, String cookie, String csrf) {
            return new Credentials(label, null, cookie, csrf);
        }
    }

    private final RunningHost host;

    AccessClient(RunningHost host) {
        this.host = host;
    }

    HttpResponse<String> send(String method, String path, String contentType, String body, Credentials who,
                              Map<String, String> headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(host.url(path)))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        if (who.bearer() != null) {
            request.header("Authorization", "Bearer " + who.bearer());
        }
        if (who.cookie() != null) {
            request.header("Cookie", "steward_session=" + who.cookie());
            if (who.csrf() != null) {
                request.header("X-CSRF-Token", who.csrf());
            }
        }
        headers.forEach(request::header);
        return host.sendAsIs(request.build());
    }

    /** Signs in through POST /api/session; the session cookie and the CSRF token. */
    Credentials login(String user, String password) {
        HttpResponse<String> answer = send("POST", "/api/session", "application/json",
                "{\"user\":\"" + user + "\",\"password\":\"" + password + "\"}", Credentials.NONE, Map.of());
        if (answer.statusCode() != 200) {
            throw new AssertionError("sign-in of " + user + " answered " + answer.statusCode() + ": " + answer.body());
        }
        return Credentials.session("session of " + user, cookie(answer), RunningHost.json(answer).get("csrfToken").asText());
    }

    static String cookie(HttpResponse<String> answer) {
        String header = answer.headers().allValues("Set-Cookie").stream().filter(c -> c.startsWith("steward_session="))
                .findFirst().orElseThrow(() -> new AssertionError("no session cookie in " + answer.headers()));
        return header.substring("steward_session=".length(), header.indexOf(';'));
    }

    /** A raw HTTP/1.1 request, for headers java.net.http will not send (Host); its status code. */
    static int raw(int port, String requestHead) {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            OutputStream out = socket.getOutputStream();
            out.write(requestHead.replace("\n", "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            String status = new String(in.readNBytes(12), StandardCharsets.US_ASCII);
            Matcher m = Pattern.compile("HTTP/1\\.1 (\\d{3})").matcher(status);
            if (!m.find()) {
                throw new AssertionError("not an HTTP answer: " + status);
            }
            return Integer.parseInt(m.group(1));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
