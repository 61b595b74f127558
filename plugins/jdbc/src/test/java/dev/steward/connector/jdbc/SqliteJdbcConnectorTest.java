package dev.steward.connector.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The jdbc contract on a SQLite file in a temp folder. */
class SqliteJdbcConnectorTest extends JdbcConnectorContract {

    @Override
    Map<String, Object> settings() {
        return Map.of("url", "jdbc:sqlite:data/erp.db?busy_timeout=5000");
    }

    @Test
    void theFileLivesInTheWorkspace() {
        db.upsert(ACCOUNT, "A-1", Map.of("email", "a@example.com"), OPTIONS);

        assertThat(workspace.resolve("data/erp.db")).isNotEmptyFile();
    }
}
