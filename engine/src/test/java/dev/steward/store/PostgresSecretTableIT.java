package dev.steward.store;

import dev.steward.model.StoreSettings;
import dev.steward.testing.PostgresDatabase;
import dev.steward.testing.PostgresExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;

/** The secrets contract on PostgreSQL, which several hosts share. */
@ExtendWith(PostgresExtension.class)
class PostgresSecretTableIT extends SecretTableContract {

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
