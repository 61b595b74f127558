package com.example.steward.csv;

import dev.steward.plugin.ConnectorContext;
import dev.steward.plugin.EntityConfig;
import dev.steward.plugin.SystemConfig;
import dev.steward.plugin.WriteOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class CsvConnectorTest {

    @TempDir
    Path workspace;

    private final EntityConfig customer = new EntityConfig("customer", Map.of("file", "customers.csv", "key", "id"),
            Map.of("email", "email", "note", "note"));

    @Test
    void writesReadsAndListsRowsOfAFileInTheWorkspace() throws Exception {
        var connector = new CsvConnectorFactory().create(system(), context());
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("email", "a@b.example");
        fields.put("note", "said \"hi\", then left");
        connector.upsert(customer, "C-2", fields, new WriteOptions("k", "e"));
        connector.upsert(customer, "C-1", Map.of("email", "c@d.example"), new WriteOptions("k", "e"));
        connector.upsert(customer, "C-2", Map.of("email", "new@b.example"), new WriteOptions("k", "e"));

        assertThat(Files.readString(workspace.resolve("data/customers.csv")))
                .isEqualTo("id,email,note\r\nC-2,new@b.example,\"said \"\"hi\"\", then left\"\r\nC-1,c@d.example,\r\n");
        assertThat(connector.read(customer, "C-2")).contains(Map.of("email", "new@b.example", "note", "said \"hi\", then left"));
        Map<String, Object> withNull = new LinkedHashMap<>();
        withNull.put("email", "c@d.example");
        withNull.put("note", null);
        assertThat(connector.read(customer, "C-1")).contains(withNull);
        assertThat(connector.read(customer, "C-3")).isEmpty();
        var first = connector.list(customer, Optional.empty(), 1);
        assertThat(first.records()).extracting(r -> r.key()).containsExactly("C-1");
        assertThat(connector.list(customer, first.next(), 5).records()).extracting(r -> r.key()).containsExactly("C-2");
    }

    @Test
    void settingsAreCheckedWithoutTouchingFiles() {
        var problems = new CsvConnectorFactory().validate(new SystemConfig("sheet", "csv", Map.of("folder", "../outside"),
                Map.of("customer", new EntityConfig("customer", Map.of("file", "x.txt"), Map.of()))));

        assertThat(problems).extracting(p -> p.path()).containsExactly("folder", "entities.customer", "entities.customer");
    }

    @Test
    void parsesQuotedCellsAcrossLines() {
        assertThat(Csv.parse("a,\"b\nc\",\"\"\r\n1,2,3\n")).isEqualTo(List.of(List.of("a", "b\nc", ""), List.of("1", "2", "3")));
    }

    private SystemConfig system() {
        return new SystemConfig("sheet", "csv", Map.of(), Map.of("customer", customer));
    }

    private ConnectorContext context() {
        return new ConnectorContext() {
            public System.Logger logger() {
                return System.getLogger("test");
            }

            public Clock clock() {
                return Clock.systemUTC();
            }

            public HttpClient httpClient() {
                return HttpClient.newHttpClient();
            }

            public Optional<String> secret(String name) {
                return Optional.empty();
            }

            public Path workspace() {
                return workspace;
            }
        };
    }
}
