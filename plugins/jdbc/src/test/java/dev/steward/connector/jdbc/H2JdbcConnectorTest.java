package dev.steward.connector.jdbc;

import java.util.Map;

/** The jdbc contract on an H2 file database in a temp folder. */
class H2JdbcConnectorTest extends JdbcConnectorContract {

    @Override
    Map<String, Object> settings() {
        return Map.of("url", "jdbc:h2:./data/erp;MODE=PostgreSQL");
    }
}
