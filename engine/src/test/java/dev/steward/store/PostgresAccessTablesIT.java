package dev.steward.store;

import dev.steward.model.StoreSettings;
import dev.steward.testing.PostgresDatabase;
import dev.steward.testing.PostgresExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;

/** The access tables on PostgreSQL, which several hosts share (so do their sessions). */
@ExtendWith(PostgresExtension.class)
class PostgresAccessTablesIT extends AccessTablesContract {

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
