package dev.steward.host;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

import java.util.concurrent.CountDownLatch;

/**
 * SIGTERM and SIGINT taken as a request to stop, in place of the JVM's own handling (which runs
 * the shutdown hooks at once, all together, and exits with 143 whatever they do). The host then
 * stops in its own order and {@code serve} returns 0. {@code sun.misc.Signal} is the JDK's only
 * way to do this; it lives in the {@code jdk.unsupported} module, kept for exactly such uses.
 */
final class StopSignals {

    private static final Logger LOG = LoggerFactory.getLogger(StopSignals.class);

    private StopSignals() {
    }

    /** A latch counted down by the first SIGTERM or SIGINT. */
    static CountDownLatch install() {
        CountDownLatch requested = new CountDownLatch(1);
        for (String name : new String[] {"TERM", "INT"}) {
            try {
                Signal.handle(new Signal(name), signal -> {
                    LOG.info("SIG{} received: stopping", signal.getName());
                    requested.countDown();
                });
            } catch (IllegalArgumentException notOnThisSystem) {
                // the JVM (e.g. with -Xrs) or the platform keeps this signal: the shutdown hook stops the host
            }
        }
        return requested;
    }
}
