package dev.steward.host;

import dev.steward.model.HostSettings.Listener;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Where the host listens, checked on the real sockets: loopback by default, and the hooks
 * listener that carries {@code /hooks} and {@code /health} and nothing else.
 */
class ListenersIT {

    @TempDir
    Path temp;
    RunningHost host;
    final List<HostServer> servers = new ArrayList<>();
    final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @AfterEach
    void stop() {
        servers.forEach(HostServer::close);
        if (host != null) {
            host.close();
        }
    }

    @Test
    void byDefaultTheSocketIsBoundToLoopback() throws IOException {
        host = new RunningHost(RunningHost.crmEmailToErp(temp.resolve("w"), 1, 1, ""));
        assertThat(host.workspace.host().bind()).as("no host.bind in steward.yaml").isEqualTo("127.0.0.1");
        HostServer server = start(new Listener(host.workspace.host().bind(), 0), Optional.empty());

        InetSocketAddress bound = server.address();
        assertThat(bound.getAddress().isLoopbackAddress()).as("bound to " + bound).isTrue();
        assertThat(connects(InetAddress.getLoopbackAddress(), bound.getPort())).isTrue();
        // What the kernel says is listening on that port, not what the host says: no traffic leaves loopback.
        assertThat(ListeningSockets.localAddresses(bound.getPort())).as("listening sockets on port " + bound.getPort())
                .isNotEmpty().allSatisfy(address -> assertThat(address.isLoopbackAddress()).as(address.toString()).isTrue());

        // The same check tells a host told to listen on every interface: the loopback above is the bind's doing.
        HostServer everywhere = start(new Listener("0.0.0.0", 0), Optional.empty());
        assertThat(everywhere.address().getAddress().isAnyLocalAddress()).isTrue();
        assertThat(ListeningSockets.localAddresses(everywhere.port()))
                .isNotEmpty().allSatisfy(address -> assertThat(address.isAnyLocalAddress()).as(address.toString()).isTrue());
    }

    @Test
    void theStartLineNamesTheAddressesTheSocketsAreBoundTo() throws IOException {
        host = new RunningHost(RunningHost.crmEmailToErp(temp.resolve("w"), 1, 1, ""));
        HostServer server = start(new Listener("127.0.0.1", 0), Optional.of(new Listener("127.0.0.1", 0)));

        String line = ServeCommand.startLine(host.workspace, server, 5);

        assertThat(line).contains(" on http://127.0.0.1:" + server.port() + ", webhooks also on http://127.0.0.1:"
                + server.hooksAddress().orElseThrow().getPort() + " ");
        assertThat(ServeCommand.url(new InetSocketAddress("::1", 8443))).isEqualTo("http://[0:0:0:0:0:0:0:1]:8443");
    }

    @Test
    void theStartLineNamesTheFlowsThatTakeUnsignedWebhooksOnPurpose() throws IOException {
        Path home = RunningHost.crmEmailToErp(temp.resolve("w"), 1, 1, "");
        Path flow = home.resolve("flows/crm-customer.yaml");
        java.nio.file.Files.writeString(flow, java.nio.file.Files.readString(flow)
                .replace("{ path: crm/customer }", "{ path: crm/customer, signature: none }"));
        host = new RunningHost(home);

        assertThat(ServeCommand.startLine(host.workspace, host.server, 5))
                .contains("; unsigned webhooks (signature: none) taken by crm-customer in 5 ms");
    }

    @Test
    void theHooksListenerTakesWebhooksAndAnswersHealthButNothingElse() throws IOException {
        host = new RunningHost(RunningHost.crmEmailToErp(temp.resolve("w"), 1, 1, ""));
        HostServer server = start(new Listener("127.0.0.1", 0), Optional.of(new Listener("127.0.0.1", 0)));
        int hooks = server.hooksAddress().orElseThrow().getPort();
        assertThat(hooks).isNotEqualTo(server.port());

        HttpResponse<String> delivered = post(hooks, "/hooks/crm/customer", "{\"id\":\"C-1\",\"email\":\"a@example.com\"}");
        assertThat(delivered.statusCode()).as(delivered.body()).isEqualTo(202);
        assertThat(RunningHost.json(delivered).path("eventId").asText()).isNotEmpty();
        assertThat(get(hooks, "/health").statusCode()).isEqualTo(200);
        for (String path : List.of("/api/events", "/api/flows", "/metrics", "/editor/", "/editor/index.html", "/")) {
            HttpResponse<String> refused = get(hooks, path);
            assertThat(refused.statusCode()).as(path).isEqualTo(404);
            assertThat(refused.body()).as(path).doesNotContain("C-1");
        }
        assertThat(post(hooks, "/api/dead-letters/replay", "{}").statusCode()).isEqualTo(404);

        // The admin listener carries all of it, webhooks included.
        assertThat(get(server.port(), "/api/events").statusCode()).isEqualTo(200);
        assertThat(get(server.port(), "/metrics").statusCode()).isEqualTo(200);
        assertThat(post(server.port(), "/hooks/crm/customer", "{\"id\":\"C-2\",\"email\":\"b@example.com\"}").statusCode())
                .isEqualTo(202);
    }

    @Test
    void aStoppingHostAnswersWebhooks503WithRetryAfterOnBothListeners() throws IOException {
        host = new RunningHost(RunningHost.crmEmailToErp(temp.resolve("w"), 1, 1, ""));
        HostServer server = start(new Listener("127.0.0.1", 0), Optional.of(new Listener("127.0.0.1", 0)));

        assertThat(server.stopTakingWebhooks(Duration.ofSeconds(5))).isTrue();

        for (int port : List.of(server.port(), server.hooksAddress().orElseThrow().getPort())) {
            HttpResponse<String> refused = post(port, "/hooks/crm/customer", "{\"id\":\"C-3\",\"email\":\"c@example.com\"}");
            assertThat(refused.statusCode()).isEqualTo(503);
            assertThat(refused.headers().firstValue("Retry-After")).contains(HookGate.RETRY_AFTER_SECONDS);
            assertThat(refused.body()).contains("stopping");
        }
        assertThat(get(server.port(), "/api/events").statusCode()).as("the API answers until the listeners close").isEqualTo(200);
    }

    @Test
    void aListenerThatCannotBindIsAnErrorAndLeavesNoOtherListenerOpen() throws IOException {
        host = new RunningHost(RunningHost.crmEmailToErp(temp.resolve("w"), 1, 1, ""));
        int taken = host.server.port();
        int free;
        try (java.net.ServerSocket probe = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            free = probe.getLocalPort();
        }

        assertThatThrownBy(() -> start(new Listener("127.0.0.1", free), Optional.of(new Listener("127.0.0.1", taken))))
                .isInstanceOf(RuntimeException.class);
        assertThat(connects(InetAddress.getLoopbackAddress(), free)).as("the admin listener was closed again").isFalse();
    }

    private HostServer start(Listener admin, Optional<Listener> hooks) {
        HostServer server = HostServer.start(host.engine, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
                Clock.systemUTC(), admin, hooks, host.access);
        servers.add(server);
        return server;
    }

    private static boolean connects(InetAddress address, int port) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(address, port), 2_000);
            return true;
        } catch (ConnectException refused) {
            return false;
        }
    }

    private HttpResponse<String> get(int port, String path) {
        return send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Authorization", "Bearer " + host.adminToken).GET().build());
    }

    private HttpResponse<String> post(int port, String path, String body) {
        return send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Content-Type", "application/json").header("webhook-id", "d-" + body.hashCode())
                .header("Authorization", "Bearer " + host.adminToken)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    private HttpResponse<String> send(HttpRequest request) {
        try {
            return client.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
