package dev.steward.host;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The CLI as a user runs it: exit codes and what it prints. */
class CommandLineTest {

    @TempDir
    Path temp;
    @RegisterExtension
    final ConsoleCapture console = new ConsoleCapture();
    private final ByteArrayOutputStream out = console.out;
    private final ByteArrayOutputStream err = console.err;

    @Test
    void aNamedSubcommandIsTheOnlyOneBuiltAndAnythingElseGetsThemAll() {
        assertThat(Main.commandLine("serve", "--port", "0").getSubcommands()).containsOnlyKeys("serve");
        assertThat(Main.commandLine("validate").getSubcommands()).containsOnlyKeys("validate");
        assertThat(Main.commandLine().getSubcommands()).hasSize(Main.COMMANDS.size()).containsKeys("serve", "user", "preview");
        assertThat(Main.commandLine("--help").getSubcommands()).hasSize(Main.COMMANDS.size());
        assertThat(Main.commandLine("serv").getSubcommands()).hasSize(Main.COMMANDS.size());

        assertThat(Main.run(new String[0])).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("serve", "validate", "token", "user", "preview")
                .doesNotContain("bare-intake");
        assertThat(Main.run("serv")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("serv");
        assertThat(Main.run("serve", "--help")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("--home", "--port", "--bind");
    }

    @Test
    void validateAcceptsTheExampleWorkspace() {
        int code = Main.run("validate", "--home", "..");

        assertThat(code).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("7 flows valid, 0 with errors; 0 errors");
    }

    @Test
    void validatePrintsFileLineMessagesAndFails() throws IOException {
        Path home = RunningHost.copyExample(temp.resolve("workspace"));
        Files.writeString(home.resolve("flows/crm-customer.yaml"), Files.readString(home.resolve("flows/crm-customer.yaml"))
                .replace("to: [erp]", "to: [erpp]"));
        Files.writeString(home.resolve("rules/customer-validation.drl"), Files.readString(home.resolve("rules/customer-validation.drl"))
                .replace("then\n    $c.invalid(\"email", "then\n    $c.invalidate(\"email"));
        Files.writeString(home.resolve("rules/customer-validation.table.yaml"), Files.readString(
                home.resolve("rules/customer-validation.table.yaml")).replace("[0..10000000]", "[0..ten]"));

        int code = Main.run("validate", "--home", home.toString());

        String printed = out.toString(StandardCharsets.UTF_8);
        assertThat(code).isEqualTo(1);
        assertThat(printed).contains("flows/crm-customer.yaml:15:").contains("unknown system 'erpp'");
        assertThat(printed).contains("rules/customer-validation.drl:");
        assertThat(printed).contains("rules/customer-validation.table.yaml:15:29: error: 'ten' is not a value; write text in double quotes: \"ten\"");
        assertThat(printed).contains("5 flows valid, 2 with errors");
    }

    @Test
    void validateFindsAMissingInitScriptThatServeWouldDieOn() throws IOException {
        Path home = RunningHost.copyExample(temp.resolve("workspace"));
        Files.delete(home.resolve("systems/erp.sql"));

        int code = Main.run("validate", "--home", home.toString());

        assertThat(code).isEqualTo(1);
        assertThat(out.toString(StandardCharsets.UTF_8))
                .contains("steward.yaml:29:11: error: system 'erp': init script systems/erp.sql does not exist in the workspace");
    }

    @Test
    void serveSaysInOneLineWhyItCannotStartWithoutAStackTrace() throws IOException {
        Path home = RunningHost.copyExample(temp.resolve("workspace"));
        Files.writeString(home.resolve("systems/erp.sql"), "CREATE TABLE customers (crm_id VARCHAR(64) PRIMARY KEY);\n"
                + "CREATE TABLEE items (sku VARCHAR(64));\n");
        assertThat(Main.run("validate", "--home", home.toString())).as("SQL the database refuses is found only by serve")
                .isZero();

        int code = Main.run("serve", "--home", home.toString(), "--port", "0", "--bind", "127.0.0.1");

        String printed = out.toString(StandardCharsets.UTF_8) + err.toString(StandardCharsets.UTF_8);
        assertThat(code).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("steward: cannot start: erp refused to run init script "
                + "systems/erp.sql, statement at line 2");
        assertThat(printed).doesNotContain("\tat ").doesNotContain("Exception in");
    }

    @Test
    void aStoreThatCannotOpenIsTheFailureServeReportsThoughTheConnectorsFailedMeanwhile() throws IOException {
        // the store opens on its own thread while the connectors open (bench/startup.md, Round 5):
        // when both fail, the store's failure is the one reported, as when the store was opened first
        Path home = RunningHost.copyExample(temp.resolve("workspace"));
        Files.createDirectories(home.resolve("data"));
        Files.writeString(home.resolve("data/blocked"), "a file where the store's folder would be\n");
        Files.writeString(home.resolve("steward.yaml"), Files.readString(home.resolve("steward.yaml"))
                .replace("url: jdbc:h2:./data/steward", "url: jdbc:h2:./data/blocked/steward"));
        Files.writeString(home.resolve("systems/erp.sql"), "CREATE TABLEE items (sku VARCHAR(64));\n");

        int code = Main.run("serve", "--home", home.toString(), "--port", "0", "--bind", "127.0.0.1");

        assertThat(code).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("steward: cannot start: Cannot create the event store folder")
                .doesNotContain("init script");
    }

    @Test
    void readShowsARecordThroughItsConnectorWhenNoHostRuns() throws IOException {
        Path home = RunningHost.copyExample(temp.resolve("workspace"));

        int code = Main.run("read", "erp", "customer", "C-1001", "--home", home.toString(), "--url", "http://127.0.0.1:1");
        assertThat(code).as("an unreachable --url is an error, not a silent fallback").isEqualTo(2);

        Files.writeString(home.resolve("steward.yaml"), Files.readString(home.resolve("steward.yaml")).replace("port: 8080", "port: 1"));
        code = Main.run("read", "erp", "customer", "C-1001", "--home", home.toString());
        assertThat(code).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("\"creditLimit\" : 5000").contains("\"exists\" : true");
    }

    @Test
    void readAsksARunningHost() throws IOException {
        Path home = RunningHost.copyExample(temp.resolve("workspace"));
        try (RunningHost host = new RunningHost(home)) {
            ReadCommand anonymous = new ReadCommand();
            anonymous.env = name -> null;
            assertThat(new picocli.CommandLine(anonymous).execute("crm", "product", "SKU-42", "--home", home.toString(),
                    "--url", host.url(""))).as("the host asks for a token").isEqualTo(2);
            ReadCommand read = new ReadCommand();
            read.env = Map.of("STEWARD_TOKEN", host.adminToken)::get;
            int code = new picocli.CommandLine(read).execute("crm", "product", "SKU-42", "--home", home.toString(),
                    "--url", host.url(""));

            assertThat(code).isZero();
            assertThat(out.toString(StandardCharsets.UTF_8)).contains("\"inventoryQty\" : 3");
        }
    }
}
