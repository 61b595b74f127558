package dev.steward.model;

/**
 * {@code host:}, {@code store:}, {@code loops:}, {@code access:} and the delivery settings ({@code retry:},
 * systems' limits, {@code health:}, {@code alerts:}) of {@code steward.yaml}, with defaults. Immutable.
 *
 * @param port         HTTP port (0: any free one)
 * @param maxBodyBytes largest webhook body accepted (larger: 413)
 * @param workers      worker threads processing events
 */
public record HostSettings(String bind, int port, long maxBodyBytes, int workers, StoreSettings store,
                           LoopGuard loops, DeliverySettings delivery, AccessSettings access) {

    public HostSettings(String bind, int port, long maxBodyBytes, int workers, StoreSettings store, LoopGuard loops) {
        this(bind, port, maxBodyBytes, workers, store, loops, DeliverySettings.DEFAULT, AccessSettings.DEFAULT);
    }

    public HostSettings(String bind, int port, long maxBodyBytes, int workers, StoreSettings store, LoopGuard loops,
                        DeliverySettings delivery) {
        this(bind, port, maxBodyBytes, workers, store, loops, delivery, AccessSettings.DEFAULT);
    }

    public static final long DEFAULT_MAX_BODY = 512 * 1024;
    /** The embedded store keeps a payload in a VARCHAR of at most 1,000,000 characters. */
    public static final long LIMIT_MAX_BODY = 900 * 1024;

    public HostSettings withPort(int newPort) {
        return new HostSettings(bind, newPort, maxBodyBytes, workers, store, loops, delivery, access);
    }

    public HostSettings withLoops(LoopGuard newLoops) {
        return new HostSettings(bind, port, maxBodyBytes, workers, store, newLoops, delivery, access);
    }

    public HostSettings withStore(StoreSettings newStore) {
        return new HostSettings(bind, port, maxBodyBytes, workers, newStore, loops, delivery, access);
    }

    public HostSettings withDelivery(DeliverySettings newDelivery) {
        return new HostSettings(bind, port, maxBodyBytes, workers, store, loops, newDelivery, access);
    }

    public HostSettings withAccess(AccessSettings newAccess) {
        return new HostSettings(bind, port, maxBodyBytes, workers, store, loops, delivery, newAccess);
    }
}
