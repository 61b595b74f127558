package dev.steward.host;

import dev.steward.testing.PostgresDatabase;
import dev.steward.testing.PostgresExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code steward batch} into an ERP on a real PostgreSQL (a fresh schema of the test cluster). */
@ExtendWith(PostgresExtension.class)
class BatchPostgresIT {

    @TempDir
    Path temp;

    @Test
    void aBatchIntoPostgresWritesEachRecordOnceWithTheFieldsItsFlowMayWrite(PostgresDatabase database) throws Exception {
        try (Connection c = connect(database); Statement statement = c.createStatement()) {
            statement.execute("CREATE TABLE customers (crm_id VARCHAR(64) PRIMARY KEY, email VARCHAR(200), phone VARCHAR(50),"
                    + " credit_limit NUMERIC(14, 2), writes INT NOT NULL DEFAULT 0)");
            // Counts the writes of each row in the writing transaction.
            statement.execute("CREATE FUNCTION count_write() RETURNS trigger AS $$ BEGIN NEW.writes := COALESCE(OLD.writes, 0) + 1;"
                    + " RETURN NEW; END $$ LANGUAGE plpgsql");
            statement.execute("CREATE TRIGGER count_writes BEFORE INSERT OR UPDATE ON customers FOR EACH ROW EXECUTE FUNCTION"
                    + " count_write()");
        }
        Path home = RunningHost.copyExample(temp.resolve("workspace"));
        String yaml = Files.readString(home.resolve("steward.yaml"));
        Files.writeString(home.resolve("steward.yaml"), yaml.substring(0, yaml.indexOf("  erp:")) + """
                  erp:
                    connector: jdbc
                    url: "%s"
                    user: "%s"
                    password: "%s"
                    entities:
                      customer: { table: customers, key: crm_id, fields: { email: email, phone: phone, creditLimit: credit_limit } }
                """.formatted(database.url(), database.user(), database.password() == null ? "" : database.password()));
        Path input = BatchWorld.customers(temp.resolve("in/customers.csv"), 3000, 1000);

        int code = Main.run("batch", "--home", home.toString(), "--flow", "crm-customer", "--input", input.toString());

        assertThat(code).isEqualTo(1);
        try (Connection c = connect(database); Statement statement = c.createStatement();
             ResultSet rows = statement.executeQuery("SELECT COUNT(*), SUM(writes), COUNT(credit_limit),"
                     + " COUNT(*) FILTER (WHERE email = 'c' || CAST(SUBSTRING(crm_id, 3) AS INT) || '@example.com')"
                     + " FROM customers")) {
            rows.next();
            assertThat(rows.getLong(1)).isEqualTo(2997);
            assertThat(rows.getLong(2)).isEqualTo(2997);
            assertThat(rows.getLong(3)).isZero();
            assertThat(rows.getLong(4)).isEqualTo(2997);
        }
        assertThat(Files.readAllLines(Path.of(input + ".rejects.jsonl"))).hasSize(3);
    }

    private static Connection connect(PostgresDatabase database) throws java.sql.SQLException {
        return DriverManager.getConnection(database.url(), database.user(), database.password());
    }
}
