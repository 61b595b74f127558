package dev.steward.host;

import io.javalin.http.Context;

import java.io.IOException;
import java.time.Duration;

/**
 * Lets webhooks through to the {@link HookHandler} until the host starts to stop; from then on a
 * delivery gets {@code 503} with {@code Retry-After}, which senders take as "send again later",
 * and {@link #close} waits for the deliveries already inside to be stored and answered.
 * Thread-safe.
 */
final class HookGate {

    static final String RETRY_AFTER_SECONDS = "30";

    private final HookHandler handler;
    private final Object lock = new Object();
    private int inside;
    private boolean closed;

    HookGate(HookHandler handler) {
        this.handler = handler;
    }

    void handle(Context ctx) throws IOException {
        synchronized (lock) {
            if (closed) {
                ctx.header("Retry-After", RETRY_AFTER_SECONDS);
                Json.error(ctx, 503, "this host is stopping; send the delivery again later");
                return;
            }
            inside++;
        }
        try {
            handler.handle(ctx);
        } finally {
            synchronized (lock) {
                inside--;
                lock.notifyAll();
            }
        }
    }

    /** Takes no more deliveries; returns once those inside are answered, or after {@code within}. */
    boolean close(Duration within) {
        long deadline = System.nanoTime() + within.toNanos();
        synchronized (lock) {
            closed = true;
            while (inside > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                try {
                    lock.wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
            return true;
        }
    }
}
