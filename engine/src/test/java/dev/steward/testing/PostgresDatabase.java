package dev.steward.testing;

import dev.steward.model.StoreSettings;

/**
 * A fresh, empty place in PostgreSQL for a test: its own schema, selected in the URL with
 * {@code currentSchema}, so Flyway and every query land there.
 */
public record PostgresDatabase(String url, String user, String password, String schema) {

    public StoreSettings storeSettings() {
        return new StoreSettings(url, user, password, 4);
    }

    @Override
    public String toString() {
        return "PostgresDatabase[url=" + url + ", user=" + user + "]";
    }
}
