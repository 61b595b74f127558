package dev.steward.connector.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.steward.plugin.Connector;
import dev.steward.plugin.EntityConfig;
import dev.steward.plugin.SystemConfig;
import dev.steward.plugin.SystemUnavailableException;
import dev.steward.plugin.WriteOptions;
import dev.steward.plugin.WriteRefusedException;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JdbcConnectorTest {

    static final WriteOptions OPTIONS = new WriteOptions("evt-1:erp", "evt-1");
    static final EntityConfig CUSTOMER = new EntityConfig("customer",
            Map.of("table", "customers", "key", "crm_id"),
            ordered("email", "email", "phone", "phone", "creditLimit", "credit_limit"));

    @TempDir
    Path workspace;

    private final List<Connector> opened = new ArrayList<>();

    @BeforeEach
    void copyExampleScript() throws IOException {
        // the example workspace's own script, so the demo's ERP is what these tests write to
        Files.createDirectories(workspace.resolve("systems"));
        Files.copy(Path.of("../../systems/erp.sql"), workspace.resolve("systems/erp.sql"));
    }

    @AfterEach
    void close() {
        opened.forEach(Connector::close);
    }

    @Test
    void initScriptCreatesAndSeedsTheTables() {
        Connector erp = erp("jdbc:h2:./data/erp");

        assertThat(erp.read(CUSTOMER, "C-1001")).contains(ordered(
                "email", "ada@old.example",
                "phone", "+44 20 7946 0001",
                "credit_limit", new BigDecimal("5000.00")));
    }

    @Test
    void initScriptRunsAgainWithoutHarm() {
        erp("jdbc:h2:./data/erp").close();
        opened.clear();
        Connector again = erp("jdbc:h2:./data/erp");

        assertThat(again.read(CUSTOMER, "C-1001")).isPresent();
    }

    @Test
    void relativeH2UrlsLiveInTheWorkspaceNotTheWorkingDirectory() {
        erp("jdbc:h2:./data/erp");
        erp("jdbc:h2:file:./data/other;MODE=PostgreSQL");

        assertThat(workspace.resolve("data/erp.mv.db")).exists();
        assertThat(workspace.resolve("data/other.mv.db")).exists();
        assertThat(Path.of("data")).doesNotExist();
    }

    @Test
    void resolvesOnlyRelativeH2Files() {
        JdbcSettings settings = new JdbcSettings("jdbc:h2:./data/erp;AUTO_SERVER=TRUE", null, null, null, 1,
                JdbcSettings.DEFAULT_CONNECT_TIMEOUT);
        assertThat(settings.resolvedUrl(workspace))
                .isEqualTo("jdbc:h2:file:" + workspace.toAbsolutePath().resolve("data/erp").toString()
                        .replace('\\', '/') + ";AUTO_SERVER=TRUE");
        assertThat(new JdbcSettings("jdbc:h2:data/erp", null, null, null, 1, JdbcSettings.DEFAULT_CONNECT_TIMEOUT)
                .resolvedUrl(workspace)).as("H2 refuses a path implicitly relative to its own folder; Steward's is the workspace")
                .isEqualTo("jdbc:h2:file:" + workspace.toAbsolutePath().resolve("data/erp").toString().replace('\\', '/'));
        for (String unchanged : List.of("jdbc:h2:mem:erp", "jdbc:h2:~/erp", "jdbc:h2:/srv/erp",
                "jdbc:postgresql://127.0.0.1/erp")) {
            assertThat(new JdbcSettings(unchanged, null, null, null, 1, JdbcSettings.DEFAULT_CONNECT_TIMEOUT)
                    .resolvedUrl(workspace)).isEqualTo(unchanged);
        }
    }

    @Test
    void insertsAMissingRecordThenUpdatesIt() {
        Connector erp = erp("jdbc:h2:./data/erp");

        erp.upsert(CUSTOMER, "C-2", Map.of("email", "grace@example.com"), OPTIONS);
        erp.upsert(CUSTOMER, "C-2", Map.of("credit_limit", new BigDecimal("1234.56")), OPTIONS);

        Map<String, Object> expected = new LinkedHashMap<>();
        expected.put("email", "grace@example.com");
        expected.put("phone", null);
        expected.put("credit_limit", new BigDecimal("1234.56"));
        assertThat(erp.read(CUSTOMER, "C-2")).contains(expected);
    }

    @Test
    void updatesOnlyTheGivenColumns() throws SQLException {
        Connector erp = erp("jdbc:h2:./data/erp");

        erp.upsert(CUSTOMER, "C-1001", Map.of("email", "ada@new.example"), OPTIONS);

        erp.close();
        opened.clear();
        try (Connection db = DriverManager.getConnection("jdbc:h2:" + workspace.resolve("data/erp"));
             ResultSet rs = db.createStatement().executeQuery(
                     "SELECT account_no, email, phone, credit_limit FROM customers WHERE crm_id = 'C-1001'")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString("account_no")).isEqualTo("A-0001");
            assertThat(rs.getString("email")).isEqualTo("ada@new.example");
            assertThat(rs.getString("phone")).isEqualTo("+44 20 7946 0001");
            assertThat(rs.getBigDecimal("credit_limit")).isEqualByComparingTo("5000");
        }
    }

    @Test
    void readOfAMissingKeyIsEmpty() {
        assertThat(erp("jdbc:h2:./data/erp").read(CUSTOMER, "nobody")).isEmpty();
    }

    @Test
    void keysAreBoundNotConcatenated() {
        Connector erp = erp("jdbc:h2:./data/erp");
        String key = "x' OR '1'='1";

        assertThat(erp.read(CUSTOMER, key)).isEmpty();
        erp.upsert(CUSTOMER, key, Map.of("email", "quote@example.com"), OPTIONS);

        assertThat(erp.read(CUSTOMER, key)).hasValueSatisfying(r -> assertThat(r).containsEntry("email",
                "quote@example.com"));
        assertThat(erp.read(CUSTOMER, "C-1001")).hasValueSatisfying(r -> assertThat(r).containsEntry("email",
                "ada@old.example"));
    }

    @Test
    void aConstraintViolationRefusesTheWrite() throws IOException {
        Files.writeString(workspace.resolve("systems/limits.sql"), """
                CREATE TABLE IF NOT EXISTS accounts (
                  id VARCHAR(20) PRIMARY KEY,
                  credit_limit DECIMAL(10, 2) CHECK (credit_limit >= 0)
                );
                """);
        EntityConfig account = new EntityConfig("account", Map.of("table", "accounts", "key", "id"),
                Map.of("creditLimit", "credit_limit"));
        Connector db = connect("jdbc:h2:./data/limits", "systems/limits.sql", account);

        WriteRefusedException e = catchThrowableOfType(WriteRefusedException.class, () ->
                db.upsert(account, "A-1", Map.of("credit_limit", new BigDecimal("-1")), OPTIONS));

        assertThat(e.status()).isZero();
        assertThat(e.retryable()).isFalse();
        assertThat(e.answer()).containsIgnoringCase("check constraint");
        assertThat(e).hasMessageStartingWith("erp refused to write account A-1: ");
        assertThat(db.read(account, "A-1")).isEmpty();
    }

    @Test
    void aValueTooLongForItsColumnRefusesTheWrite() {
        Connector erp = erp("jdbc:h2:./data/erp");

        assertThatThrownBy(() -> erp.upsert(CUSTOMER, "C-1001", Map.of("phone", "9".repeat(80)), OPTIONS))
                .isInstanceOf(WriteRefusedException.class)
                .hasMessageContaining("PHONE");
    }

    @Test
    void keywordNamesAndTypesReadAsPlainValues() throws IOException {
        Files.writeString(workspace.resolve("systems/odd.sql"), """
                CREATE TABLE IF NOT EXISTS "ORDER" (
                  "KEY" VARCHAR(20) PRIMARY KEY,
                  "VALUE" INTEGER,
                  placed DATE,
                  changed TIMESTAMP,
                  note CLOB,
                  paid BOOLEAN,
                  total BIGINT,
                  ratio DOUBLE PRECISION
                );
                INSERT INTO "ORDER" VALUES ('O-1', 3, DATE '2025-03-01',
                  TIMESTAMP '2025-03-01 12:30:00', 'a long note; with a semicolon', TRUE, 9000000000, 0.5);
                """);
        EntityConfig order = new EntityConfig("order", Map.of("table", "order", "key", "key"), ordered(
                "value", "value", "placed", "placed", "changed", "changed", "note", "note",
                "paid", "paid", "total", "total", "ratio", "ratio"));
        Connector db = connect("jdbc:h2:./data/odd", "systems/odd.sql", order);

        db.upsert(order, "O-2", Map.of("value", 4), OPTIONS);

        assertThat(db.read(order, "O-1")).hasValueSatisfying(r -> assertThat(r).containsExactlyEntriesOf(ordered(
                "value", 3, "placed", "2025-03-01", "changed", "2025-03-01T12:30", "note",
                "a long note; with a semicolon", "paid", true, "total", 9_000_000_000L, "ratio", 0.5)));
        assertThat(db.read(order, "O-2")).hasValueSatisfying(r -> assertThat(r).containsEntry("value", 4));
    }

    @Test
    void concurrentFirstWritesOfOneKeyAllSucceed() throws Exception {
        Connector erp = erp("jdbc:h2:./data/erp");
        int writers = 6;
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        try {
            for (int round = 0; round < 10; round++) {
                String key = "race-" + round;
                CountDownLatch start = new CountDownLatch(1);
                List<Future<?>> done = new ArrayList<>();
                for (int w = 0; w < writers; w++) {
                    String email = "w" + w + "@example.com";
                    done.add(pool.submit(() -> {
                        start.await();
                        erp.upsert(CUSTOMER, key, Map.of("email", email), OPTIONS);
                        return null;
                    }));
                }
                start.countDown();
                for (Future<?> each : done) {
                    each.get(20, TimeUnit.SECONDS);
                }
                assertThat(erp.read(CUSTOMER, key)).hasValueSatisfying(r ->
                        assertThat((String) r.get("email")).matches("w\\d@example.com"));
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void anUnreachableDatabaseIsUnavailable() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        Map<String, Object> settings = Map.of("url", "jdbc:h2:tcp://127.0.0.1:" + closedPort + "/erp",
                "connectTimeout", "300ms");
        Connector db = new JdbcConnectorFactory().create(
                new SystemConfig("erp", "jdbc", settings, Map.of("customer", CUSTOMER)), new TestContext(workspace));
        opened.add(db);

        assertThatThrownBy(() -> db.read(CUSTOMER, "C-1001"))
                .isInstanceOf(SystemUnavailableException.class)
                .hasMessageStartingWith("erp could not read customer C-1001");
    }

    private Connector erp(String url) {
        return connect(url, "systems/erp.sql", CUSTOMER);
    }

    private Connector connect(String url, String init, EntityConfig entity) {
        Map<String, Object> settings = new HashMap<>(Map.of("url", url, "init", init));
        Connector connector = new JdbcConnectorFactory().create(
                new SystemConfig("erp", "jdbc", settings, Map.of(entity.name(), entity)),
                new TestContext(workspace));
        opened.add(connector);
        return connector;
    }

    @SuppressWarnings("unchecked")
    static <V> Map<String, V> ordered(Object... pairs) {
        Map<String, V> map = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            map.put((String) pairs[i], (V) pairs[i + 1]);
        }
        return map;
    }
}
