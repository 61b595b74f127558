package dev.steward.host;

import com.fasterxml.jackson.databind.JsonNode;
import dev.steward.Engine;
import dev.steward.api.DryRun;
import dev.steward.run.RetryPolicy;
import dev.steward.run.RunTrace;
import dev.steward.run.Values;
import dev.steward.testing.PostgresDatabase;
import dev.steward.testing.PostgresExtension;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code steward batch} as a user runs it, on the example workspace: real H2 databases for the
 * store and the ERP, a real PostgreSQL ERP, an ERP over real HTTP on 127.0.0.1.
 */
class BatchIT {

    @TempDir
    Path temp;
    @RegisterExtension
    final ConsoleCapture console = new ConsoleCapture();
    private final ByteArrayOutputStream out = console.out;
    private final ByteArrayOutputStream err = console.err;

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void aBatchWritesEachRecordOnceWithTheFieldsItsFlowMayWriteAndLaterWebhooksAreEchoes() throws Exception {
        Path home = RunningHost.copyExample(temp.resolve("workspace"));
        Path input = BatchWorld.customers(temp.resolve("in/customers.csv"), 2500, 0);
        BatchWorld.execute(home, "erp", "RUNSCRIPT FROM '" + home.resolve("systems/erp.sql") + "'");
        BatchWorld.execute(home, "erp", "CREATE TABLE write_log (k VARCHAR(64)); CREATE TRIGGER count_writes AFTER INSERT,"
                + " UPDATE ON customers FOR EACH ROW CALL 'dev.steward.host.WriteCounter'");

        int code = Main.run("batch", "--home", home.toString(), "--flow", "crm-customer", "--input", input.toString(),
                "--chunk", "400");

        assertThat(code).as(err()).isZero();
        assertThat(out()).contains("2,500 records, 2,500 written, 0 unchanged, 0 rejected");
        assertThat(BatchWorld.count(home, "erp", "SELECT COUNT(*) FROM customers WHERE crm_id LIKE 'K-%'")).isEqualTo(2500);
        // The ERP masters the credit limit: the CRM's file never writes it.
        assertThat(BatchWorld.count(home, "erp", "SELECT COUNT(*) FROM customers WHERE crm_id LIKE 'K-%'"
                + " AND credit_limit IS NULL AND email = 'c' || CAST(SUBSTRING(crm_id, 3) AS INT) || '@example.com'"))
                .isEqualTo(2500);
        assertThat(BatchWorld.count(home, "erp", "SELECT COUNT(*) FROM write_log")).isEqualTo(2500);
        assertThat(BatchWorld.count(home, "erp", "SELECT COUNT(DISTINCT k) FROM write_log")).isEqualTo(2500);
        // Records new to Steward: one store row each, moved into the ledger when next read.
        assertThat(BatchWorld.count(home, "steward", "SELECT COUNT(*) FROM batch_records")).isEqualTo(2500);

        // The same batch again finds nothing new to write.
        out.reset();
        code = Main.run("batch", "--home", home.toString(), "--flow", "crm-customer", "--input", input.toString());
        assertThat(code).as(err()).isZero();
        assertThat(out()).contains("2,500 records, 0 written, 2,500 unchanged, 0 rejected");
        assertThat(BatchWorld.count(home, "erp", "SELECT COUNT(*) FROM write_log")).isEqualTo(2500);
        assertThat(BatchWorld.count(home, "steward", "SELECT COUNT(*) FROM batch_records")).isZero();
        assertThat(BatchWorld.count(home, "steward", "SELECT COUNT(*) FROM writes WHERE system_name = 'erp'")).isEqualTo(5000);
        assertThat(BatchWorld.count(home, "steward", "SELECT COUNT(*) FROM known_values WHERE system_name = 'crm'"))
                .isEqualTo(7500);

        // The ERP's webhook about its new values is Steward's own write coming back.
        try (Engine engine = Engine.open(home, new Engine.Options(Clock.systemUTC(), new SplittableRandom(),
                new SimpleMeterRegistry(), "test", RetryPolicy.DEFAULT, false))) {
            DryRun echo = engine.preview(engine.workspace().flows().get("erp-customer"),
                    "{\"crm_id\":\"K-00042\",\"email\":\"c42@example.com\",\"phone\":\"+1 555 42\"}"
                            .getBytes(StandardCharsets.UTF_8));
            assertThat(echo.trace().decisions()).extracting(RunTrace.FieldDecision::decision)
                    .containsOnly("suppress");
            assertThat(echo.trace().writes()).allMatch(w -> w.fields().isEmpty());
        }
    }

    @Test
    void aRejectedCsvRowKeepsInTheRejectsFileTheColumnsItsFlowDoesNotRead() throws Exception {
        Path home = RunningHost.copyExample(temp.resolve("workspace"));
        Path input = temp.resolve("in/customers.csv");
        Files.createDirectories(input.getParent());
        Files.writeString(input, """
                id,name,email,phone,credit_limit,segment.tier
                C-1,First,c1@example.com,+1 1,100,gold
                C-2,Second,not an email,+1 2,200,silver
                """);

        int code = Main.run("batch", "--home", home.toString(), "--flow", "crm-customer", "--input", input.toString());

        assertThat(code).isEqualTo(1);
        List<String> rejects = Files.readAllLines(Path.of(input + ".rejects.jsonl"));
        assertThat(rejects).hasSize(1);
        assertThat(Values.JSON.readTree(rejects.getFirst()).get("payload").toString()).isEqualTo(
                "{\"id\":\"C-2\",\"name\":\"Second\",\"email\":\"not an email\",\"phone\":\"+1 2\",\"credit_limit\":200,"
                        + "\"segment\":{\"tier\":\"silver\"}}");
        assertThat(BatchWorld.count(home, "erp", "SELECT COUNT(*) FROM customers WHERE crm_id = 'C-1'"
                + " AND email = 'c1@example.com'")).isOne();
    }

    @Test
    void rejectedRecordsGoToTheRejectsFileWithReasonsAndTheExitCodeSaysHowMany() throws Exception {
        Path home = RunningHost.copyExample(temp.resolve("workspace"));
        Path input = temp.resolve("in/customers.jsonl");
        Files.createDirectories(input.getParent());
        Files.writeString(input, """
                {"id":"J-1","email":"j1@example.com","phone":"+1 1"}
                {"id":"J-2","email":"not an email","phone":"+1 2"}
                {"email":"nokey@example.com"}
                this is not json

                {"id":"J-3","email":"j3@example.com","credit_limit":-5}
                {"id":"J-4","email":"j4@example.com","phone":"+1 4"}
                """);

        int code = Main.run("batch", "--home", home.toString(), "--flow", "crm-customer", "--input", input.toString());

        assertThat(code).isEqualTo(1);
        assertThat(err()).contains("steward: 4 records rejected; see " + input + ".rejects.jsonl");
        List<JsonNode> rejects = Files.readAllLines(Path.of(input + ".rejects.jsonl")).stream().map(line -> {
            try {
                return Values.JSON.readTree(line);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }).toList();
        assertThat(rejects).extracting(r -> r.get("at").asText() + " " + r.path("key").asText("-") + " "
                + r.get("reason").asText()).containsExactly(
                input + ":2 J-2 quarantined, nothing written: email: email 'not an email' is not an email address",
                input + ":3 - no record key at 'id'",
                input + ":4 - the line is not JSON: Unrecognized token 'this': was expecting (JSON String, Number, Array,"
                        + " Object or token 'null', 'true' or 'false')",
                input + ":6 J-3 quarantined, nothing written: creditLimit: credit limit -5 is not between 0 and 10,000,000");
        assertThat(rejects.getFirst().get("payload").get("email").asText()).isEqualTo("not an email");
        assertThat(BatchWorld.count(home, "erp", "SELECT COUNT(*) FROM customers WHERE crm_id IN ('J-1', 'J-4')")).isEqualTo(2);
        assertThat(BatchWorld.count(home, "erp", "SELECT COUNT(*) FROM customers WHERE crm_id IN ('J-2', 'J-3')")).isZero();
    }

    @Test
    void aDryRunReportsTheFirstSyncAndWritesNothing() throws Exception {
        Path home = RunningHost.copyExample(temp.resolve("workspace"));
        BatchWorld.execute(home, "erp", "RUNSCRIPT FROM '" + home.resolve("systems/erp.sql") + "'");
        BatchWorld.execute(home, "erp", "INSERT INTO customers (crm_id, email, phone, credit_limit) VALUES"
                + " ('K-00002', 'old2@example.com', '+1 555 2', 1002), ('K-00003', 'c3@example.com', '+1 555 3', 99)");
        Path input = BatchWorld.customers(temp.resolve("in/customers.csv"), 10, 5);
        Files.writeString(input, Files.readString(input) + "K-00001,Again,again@example.com,+1,1\nK-00011,Short\n");

        int code = Main.run("batch", "--home", home.toString(), "--flow", "crm-customer", "--input", input.toString(),
                "--dry-run");

        assertThat(code).isEqualTo(1);
        assertThat(out()).contains("first-sync report (nothing written): 12 records",
                "  erp: 2 matched by key, 9 missing",
                "  duplicate keys: 1", "    K-00001 (" + input + ":12)",
                "mastership conflicts (a subscriber holds another value than the master): 2",
                "    K-00002 email: crm (master) has c2@example.com, erp has old2@example.com",
                "    K-00003 creditLimit: erp (master) has 99, crm has 1003",
                "  invalid records: 3",
                input + ":6 K-00005: quarantined, nothing written: email: email 'no-email-5' is not an email address",
                input + ":13: the row has 2 cells, the header 5");
        assertThat(err()).contains("3 records would be rejected");
        assertThat(Files.exists(Path.of(input + ".rejects.jsonl"))).isFalse();
        assertThat(BatchWorld.count(home, "erp", "SELECT COUNT(*) FROM customers WHERE crm_id LIKE 'K-%'")).isEqualTo(2);
        assertThat(BatchWorld.count(home, "erp", "SELECT COUNT(*) FROM customers WHERE email = 'old2@example.com'")).isOne();
        for (String table : List.of("known_values", "writes", "recent_writes", "batch_records", "batches", "events")) {
            assertThat(BatchWorld.count(home, "steward", "SELECT COUNT(*) FROM " + table)).as(table).isZero();
        }
    }

    @Test
    void anHttpTargetGetsOneRequestPerRecordWithinTheConcurrencyAndItsRateLimit() throws Exception {
        try (BatchWorld.HttpSystem erp = new BatchWorld.HttpSystem()) {
            Path home = BatchWorld.httpErp(temp.resolve("workspace"), erp.port(), 400);
            Path input = BatchWorld.customers(temp.resolve("in/customers.csv"), 300, 0);
            long started = System.nanoTime();

            int code = Main.run("batch", "--home", home.toString(), "--flow", "crm-customer", "--input", input.toString(),
                    "--chunk", "100", "--concurrency", "3");

            double seconds = (System.nanoTime() - started) / 1e9;
            assertThat(code).as(err()).isZero();
            assertThat(erp.patchesByKey()).hasSize(300).allSatisfy((key, n) -> assertThat(n).as(key).isOne());
            assertThat(erp.records.get("K-00007").toString()).isEqualTo("{\"email\":\"c7@example.com\",\"phone\":\"+1 555 7\"}");
            assertThat(erp.mostInFlight.get()).isBetween(1, 3);
            // 300 writes at 400 a second with a burst of 10 take at least (300 - 10) / 400 s.
            assertThat(seconds).isGreaterThan(0.7);
        }
    }
}
