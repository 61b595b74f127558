package dev.steward.host;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The sample third-party connector (examples/connector-csv), built as its own jar and dropped in
 * a workspace's connectors/ folder, runs a flow on a real host: both systems are CSV files written
 * through it, and a JavaScript transform tidies the record first. A broken jar beside it is a
 * diagnostic, and the host runs anyway.
 */
class PluginJarIT {

    @TempDir
    Path temp;

    @Test
    void aFlowRunsThroughAConnectorLoadedFromAPluginJar() throws IOException {
        Path home = workspace();
        Files.writeString(home.resolve("connectors/broken.jar"), "not a jar at all");

        assertThatThrownBy(() -> Class.forName("com.example.steward.csv.CsvConnectorFactory"))
                .as("the sample connector is not on the host's class path: it can only come from the jar")
                .isInstanceOf(ClassNotFoundException.class);
        try (RunningHost host = new RunningHost(home)) {
            assertThat(host.workspace.flows()).containsKey("crm-customer");
            assertThat(host.workspace.diagnostics()).singleElement().satisfies(d -> {
                assertThat(d.file()).isEqualTo("connectors/broken.jar");
                assertThat(d.message()).startsWith("is not a readable jar");
            });
            assertThat(host.getJson("/api/diagnostics").toString()).contains("connectors/broken.jar");

            JsonNode event = host.deliver("crm/customer",
                    "{\"id\":\"C-1\",\"email\":\" Ada@Example.COM \",\"phone\":\"+44 20 7946 0001\"}", "plugin-1");

            assertThat(event.path("status").asText()).as(event.toString()).isEqualTo("succeeded");
            assertThat(event.path("trace").path("steps").get(0).path("step").asText()).isEqualTo("transform");
            assertThat(Files.readString(home.resolve("data/sheet/customers.csv")))
                    .isEqualTo("crm_id,e_mail,phone\r\nC-1,ada@example.com,+442079460001\r\n");
            JsonNode record = host.getJson("/api/systems/sheet/customer/C-1");
            assertThat(record.path("fields").path("email").asText()).isEqualTo("ada@example.com");
            assertThat(record.path("fields").path("phone").asText()).isEqualTo("+442079460001");
        }
    }

    @Test
    void aSecondPluginOfTheSameTypeIsRefusedWithADiagnostic() throws IOException {
        Path home = workspace();
        Files.copy(home.resolve("connectors/csv.jar"), home.resolve("connectors/sheets.jar"));

        try (RunningHost host = new RunningHost(home)) {
            assertThat(host.workspace.diagnostics()).singleElement().satisfies(d -> {
                assertThat(d.file()).isEqualTo("connectors/sheets.jar");
                assertThat(d.isError()).isTrue();
                assertThat(d.message()).contains("connector type 'csv'").contains("already declared by connectors/csv.jar");
            });
            assertThat(host.workspace.flows()).containsKey("crm-customer");
        }
    }

    private Path workspace() throws IOException {
        Path home = temp.resolve("workspace");
        for (String folder : new String[] {"flows", "rules", "connectors"}) {
            Files.createDirectories(home.resolve(folder));
        }
        Path jar = Path.of(System.getProperty("steward.sample.connector.jar", "missing"));
        assertThat(jar).as("the sample connector's jar (set by the host's pom)").isRegularFile();
        Files.copy(jar, home.resolve("connectors/csv.jar"));
        Files.writeString(home.resolve("steward.yaml"), """
                host: { port: 0 }
                systems:
                  crm:
                    connector: csv
                    folder: data/crm
                    entities:
                      customer: { file: customers.csv, key: id, fields: { email: email, phone: phone } }
                  sheet:
                    connector: csv
                    folder: data/sheet
                    entities:
                      customer: { file: customers.csv, key: crm_id, fields: { email: e_mail, phone: phone } }
                """);
        Files.writeString(home.resolve("rules/mastership.yaml"), """
                - { entity: customer, fields: [email, phone], master: crm, subscribers: [sheet], reason: CRM owns contacts. }
                """);
        Files.writeString(home.resolve("flows/crm-customer.yaml"), """
                id: crm-customer
                trigger: { webhook: { path: crm/customer } }
                source: crm
                entity: customer
                key: id
                fields: { email: email, phone: phone }
                steps:
                  - transform:
                      js: |
                        function transform(record, ctx) {
                          record.email = record.email.trim().toLowerCase();
                          record.phone = record.phone.replace(/\\s+/g, '');
                          return record;
                        }
                  - rules: [mastership.yaml]
                  - sync: { to: [sheet] }
                """);
        return home;
    }
}
