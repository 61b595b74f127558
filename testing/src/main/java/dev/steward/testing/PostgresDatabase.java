package dev.steward.testing;

/**
 * A fresh, empty place in PostgreSQL for a test: its own schema, selected in the URL with
 * {@code currentSchema}, so Flyway and every query land there. Immutable.
 */
public record PostgresDatabase(String url, String user, String password, String schema) {

    @Override
    public String toString() {
        return "PostgresDatabase[url=" + url + ", user=" + user + "]";
    }
}
