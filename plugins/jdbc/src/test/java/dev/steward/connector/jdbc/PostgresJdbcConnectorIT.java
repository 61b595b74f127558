package dev.steward.connector.jdbc;

import dev.steward.testing.PostgresDatabase;
import dev.steward.testing.PostgresExtension;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;

/** The jdbc contract on PostgreSQL: a fresh schema of the test harness's cluster per test. */
@ExtendWith(PostgresExtension.class)
class PostgresJdbcConnectorIT extends JdbcConnectorContract {

    private PostgresDatabase database;

    /** Overrides the contract's {@code @BeforeEach}: PostgreSQL needs its database first. */
    @Override
    void open() {
    }

    @BeforeEach
    void openOn(PostgresDatabase database) throws java.io.IOException {
        this.database = database;
        super.open();
    }

    @Override
    Map<String, Object> settings() {
        Map<String, Object> settings = new HashMap<>();
        settings.put("url", database.url());
        settings.put("user", database.user());
        if (database.password() != null) {
            settings.put("password", database.password());
        }
        return settings;
    }
}
