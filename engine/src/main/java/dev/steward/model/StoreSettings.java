package dev.steward.model;

/**
 * Where the event store lives. The default is an embedded H2 file under {@code data/}.
 *
 * @param url JDBC URL ({@code jdbc:h2:./data/steward} or {@code jdbc:postgresql://...})
 */
public record StoreSettings(String url, String user, String password, int poolSize) {

    public static StoreSettings embedded(java.nio.file.Path home) {
        return new StoreSettings("jdbc:h2:" + home.resolve("data").resolve("steward").toAbsolutePath(), "sa", "", 8);
    }

    public boolean isPostgres() {
        return url.startsWith("jdbc:postgresql:");
    }

    @Override
    public String toString() {
        return "StoreSettings[url=" + url + ", user=" + user + ", poolSize=" + poolSize + "]";
    }
}
