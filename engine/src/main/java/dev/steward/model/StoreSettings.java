package dev.steward.model;

/**
 * Where the event store lives. The default is an embedded H2 file under {@code data/}.
 *
 * @param url JDBC URL ({@code jdbc:h2:./data/steward} or {@code jdbc:postgresql://...})
 * @param lease how long a host's claim of an event lasts without a heartbeat ({@code store.lease});
 *     a live host renews its runs' leases every third of it, so this bounds how long the events
 *     of a host that died or froze wait before another host takes them over
 */
public record StoreSettings(String url, String user, String password, int poolSize, java.time.Duration lease) {

    /** The default {@code store.lease}. */
    public static final java.time.Duration DEFAULT_LEASE = java.time.Duration.ofSeconds(30);

    public StoreSettings(String url, String user, String password, int poolSize) {
        this(url, user, password, poolSize, DEFAULT_LEASE);
    }

    public StoreSettings {
        if (lease == null || lease.toMillis() < 1_000) {
            throw new IllegalArgumentException("store.lease must be at least 1 s, not " + lease);
        }
    }

    public static StoreSettings embedded(java.nio.file.Path home) {
        return new StoreSettings("jdbc:h2:" + home.resolve("data").resolve("steward").toAbsolutePath(), "sa", "", 8);
    }

    public boolean isPostgres() {
        return url.startsWith("jdbc:postgresql:");
    }

    @Override
    public String toString() {
        return "StoreSettings[url=" + url + ", user=" + user + ", poolSize=" + poolSize + ", lease=" + lease + "]";
    }
}
