package dev.steward.connector.http;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A hostile HTTP server on 127.0.0.1 that never stops answering: an endless chunked body, or an
 * endless head. It counts what it wrote, and notices when the client hangs up.
 */
final class EndlessServer implements AutoCloseable {

    enum Kind { BODY, HEADERS }

    final AtomicLong written = new AtomicLong();
    final CountDownLatch hungUp = new CountDownLatch(1);
    private final ServerSocket socket;
    private final Thread thread;

    EndlessServer(Kind kind) throws IOException {
        socket = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
        thread = Thread.ofPlatform().daemon().name("endless-server").start(() -> serve(kind));
    }

    int port() {
        return socket.getLocalPort();
    }

    private void serve(Kind kind) {
        try (Socket client = socket.accept()) {
            readHead(client.getInputStream());
            OutputStream out = client.getOutputStream();
            if (kind == Kind.BODY) {
                write(out, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
                        + "2\r\n{\"\r\n");
                String chunk = Integer.toHexString(64 * 1024) + "\r\n" + "x".repeat(64 * 1024) + "\r\n";
                while (true) {
                    write(out, chunk);
                }
            } else {
                write(out, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n");
                for (long i = 0; ; i++) {
                    write(out, "X-Filler-" + i + ": " + "y".repeat(100) + "\r\n");
                }
            }
        } catch (IOException hungUpOrClosed) {
            hungUp.countDown();
        }
    }

    private void write(OutputStream out, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        out.write(bytes);
        written.addAndGet(bytes.length);
    }

    private static void readHead(InputStream in) throws IOException {
        int matched = 0;
        byte[] end = {'\r', '\n', '\r', '\n'};
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("the client hung up before its request ended");
            }
            matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
        thread.interrupt();
    }
}
