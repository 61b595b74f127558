package dev.steward.connector.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.steward.plugin.Connector;
import dev.steward.plugin.EntityConfig;
import dev.steward.plugin.SystemConfig;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.ResourceBundle;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A database that does not answer at start is said to be unreachable, never "ready". */
class UnreachableDatabaseTest {

    private static final EntityConfig CUSTOMER = new EntityConfig("customer",
            Map.of("table", "customers", "key", "crm_id"), Map.of("email", "email"));

    @TempDir
    Path workspace;

    private final List<String> logged = new CopyOnWriteArrayList<>();

    @Test
    void aDatabaseThatDoesNotAnswerIsReportedUnreachableNotReady() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        try (Connector erp = create("jdbc:postgresql://127.0.0.1:" + closedPort + "/erp", "250ms")) {
            assertThat(erp.unreachable()).hasValueSatisfying(why -> assertThat(why)
                    .startsWith("the database cannot be reached"));
        }
        assertThat(logged).noneMatch(line -> line.contains("ready"));
        assertThat(logged).anyMatch(line -> line.startsWith("WARNING erp: the database cannot be reached"));
    }

    @Test
    void aDatabaseThatAnswersIsReady() {
        try (Connector erp = create("jdbc:h2:./data/erp", "10s")) {
            assertThat(erp.unreachable()).isEmpty();
        }
        assertThat(logged).containsExactly("INFO erp: jdbc pool of 5 ready");
    }

    private Connector create(String url, String connectTimeout) {
        SystemConfig config = new SystemConfig("erp", "jdbc", Map.of("url", url, "connectTimeout", connectTimeout),
                Map.of("customer", CUSTOMER));
        TestContext real = new TestContext(workspace);
        return new JdbcConnectorFactory().create(config, new dev.steward.plugin.ConnectorContext() {
            @Override
            public System.Logger logger() {
                return new Captured();
            }

            @Override
            public java.time.Clock clock() {
                return real.clock();
            }

            @Override
            public java.net.http.HttpClient httpClient() {
                return real.httpClient();
            }

            @Override
            public java.util.Optional<String> secret(String name) {
                return real.secret(name);
            }

            @Override
            public Path workspace() {
                return workspace;
            }
        });
    }

    /** Keeps each line as "LEVEL message" with its parameters filled in. */
    private final class Captured implements System.Logger {
        @Override
        public String getName() {
            return "captured";
        }

        @Override
        public boolean isLoggable(Level level) {
            return true;
        }

        @Override
        public void log(Level level, ResourceBundle bundle, String message, Throwable thrown) {
            logged.add(level + " " + message);
        }

        @Override
        public void log(Level level, ResourceBundle bundle, String format, Object... params) {
            logged.add(level + " " + java.text.MessageFormat.format(format, params));
        }
    }
}
