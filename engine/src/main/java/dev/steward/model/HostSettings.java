package dev.steward.model;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Optional;

/**
 * {@code host:}, {@code store:}, {@code loops:}, {@code access:} and the delivery settings ({@code retry:},
 * systems' limits, {@code health:}, {@code alerts:}) of {@code steward.yaml}, with defaults. Immutable.
 *
 * @param bind          the address the admin listener (API, editor, metrics, and webhooks too) listens on
 * @param port          its HTTP port (0: any free one)
 * @param maxBodyBytes  largest webhook body accepted (larger: 413)
 * @param workers       worker threads processing events
 * @param hooks         a second listener that carries only {@code /hooks} and {@code /health}, if set
 * @param shutdownGrace how long a stopping host lets running events finish before it hands them back
 */
public record HostSettings(String bind, int port, long maxBodyBytes, int workers, StoreSettings store,
                           LoopGuard loops, DeliverySettings delivery, Optional<Listener> hooks,
                           Duration shutdownGrace, AccessSettings access) {

    /** Where a listener listens. */
    public record Listener(String bind, int port) {
    }

    public HostSettings(String bind, int port, long maxBodyBytes, int workers, StoreSettings store, LoopGuard loops) {
        this(bind, port, maxBodyBytes, workers, store, loops, DeliverySettings.DEFAULT);
    }

    public HostSettings(String bind, int port, long maxBodyBytes, int workers, StoreSettings store, LoopGuard loops,
                        DeliverySettings delivery) {
        this(bind, port, maxBodyBytes, workers, store, loops, delivery, Optional.empty(), DEFAULT_SHUTDOWN_GRACE,
                AccessSettings.DEFAULT);
    }

    public static final String DEFAULT_BIND = "127.0.0.1";
    public static final Duration DEFAULT_SHUTDOWN_GRACE = Duration.ofSeconds(10);
    public static final long DEFAULT_MAX_BODY = 512 * 1024;
    /**
     * Worker threads by default: a run mostly waits for its targets (an HTTP round trip to a
     * vendor takes tens to hundreds of milliseconds), so far more runs go at once than there are
     * cores; a system's rate limit still caps its calls.
     */
    public static final int DEFAULT_WORKERS = 16;
    /** The embedded store keeps a payload in a VARCHAR of at most 1,000,000 characters. */
    public static final long LIMIT_MAX_BODY = 900 * 1024;

    public HostSettings withPort(int newPort) {
        return new HostSettings(bind, newPort, maxBodyBytes, workers, store, loops, delivery, hooks, shutdownGrace, access);
    }

    public HostSettings withBind(String newBind) {
        return new HostSettings(newBind, port, maxBodyBytes, workers, store, loops, delivery, hooks, shutdownGrace, access);
    }

    public HostSettings withLoops(LoopGuard newLoops) {
        return new HostSettings(bind, port, maxBodyBytes, workers, store, newLoops, delivery, hooks, shutdownGrace, access);
    }

    public HostSettings withStore(StoreSettings newStore) {
        return new HostSettings(bind, port, maxBodyBytes, workers, newStore, loops, delivery, hooks, shutdownGrace, access);
    }

    public HostSettings withDelivery(DeliverySettings newDelivery) {
        return new HostSettings(bind, port, maxBodyBytes, workers, store, loops, newDelivery, hooks, shutdownGrace, access);
    }

    public HostSettings withAccess(AccessSettings newAccess) {
        return new HostSettings(bind, port, maxBodyBytes, workers, store, loops, delivery, hooks, shutdownGrace, newAccess);
    }

    /**
     * Whether senders beyond this machine can reach {@code /hooks}: the admin listener (which
     * carries them too) or the hooks listener listens on an address other than loopback.
     */
    public boolean hooksPublic() {
        return !isLoopback(bind) || hooks.map(listener -> !isLoopback(listener.bind())).orElse(false);
    }

    /**
     * {@code localhost} or a literal loopback address ({@code 127.0.0.0/8}, {@code ::1}). Any other
     * name counts as public: it is not resolved, since what it resolves to may change.
     */
    public static boolean isLoopback(String address) {
        String a = address.trim();
        if (a.equalsIgnoreCase("localhost")) {
            return true;
        }
        if (!a.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}|\\[?[0-9A-Fa-f.]*:[0-9A-Fa-f:.]*]?")) {
            return false;
        }
        try {
            // a literal address: getByName parses it without asking DNS
            return InetAddress.getByName(a.startsWith("[") ? a.substring(1, a.length() - 1) : a).isLoopbackAddress();
        } catch (UnknownHostException | IndexOutOfBoundsException e) {
            return false;
        }
    }
}
