package dev.steward.store;

import dev.steward.model.StoreSettings;
import dev.steward.testing.PostgresDatabase;
import dev.steward.testing.PostgresExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;

/** The store contract on PostgreSQL, the database several hosts share. */
@ExtendWith(PostgresExtension.class)
class PostgresStoreIT extends StoreContract {

    private PostgresDatabase database;

    @BeforeEach
    void database(PostgresDatabase database) {
        this.database = database;
    }

    @Override
    StoreSettings settings() {
        return new StoreSettings(database.url(), database.user(), database.password(), 4);
    }
}
