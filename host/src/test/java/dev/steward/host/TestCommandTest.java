package dev.steward.host;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code steward test}: the example workspace's scenarios, a failing one, and the JUnit XML. */
class TestCommandTest {

    @TempDir
    Path temp;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private PrintStream originalOut;

    @BeforeEach
    void capture() {
        originalOut = System.out;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restore() {
        System.setOut(originalOut);
    }

    @Test
    void theExampleWorkspacesScenariosPass() throws IOException {
        Path report = temp.resolve("junit.xml");

        int code = Main.run("test", "--home", "..", "--junit", report.toString());

        String printed = out.toString(StandardCharsets.UTF_8);
        assertThat(printed).contains("rules/tests/deals.yaml:5: PASS The ERP cancelling an order reaches the CRM's deal")
                .contains("rules/tests/customer-validation.yaml:5: PASS An email without an @ is invalid")
                .contains("12 scenarios: 12 passed, 0 failed");
        assertThat(code).as(printed).isZero();
        assertThat(Files.readString(report)).startsWith("<?xml").contains("<testsuites name=\"steward test\" tests=\"12\" failures=\"0\">")
                .contains("<testcase classname=\"rules/tests/deals.yaml\" name=\"The ERP cancelling an order reaches the CRM&apos;s deal\"");
    }

    @Test
    void aFailingScenarioPrintsTheDifferenceExitsOneAndIsAFailureInTheReport() throws IOException {
        Path home = copyExample();
        Files.writeString(home.resolve("rules/tests/wrong.yaml"), """
                flow: crm-customer
                scenarios:
                  - name: The CRM may set a credit limit
                    known: { creditLimit: 5000 }
                    payload: { id: C-1, credit_limit: 9000, email: ann@example.com }
                    expect:
                      creditLimit: accept
                      email: { decision: accept, by: "rules/mastership.yaml:12" }
                      phone: accept
                """);
        Path report = temp.resolve("junit.xml");

        int code = Main.run("test", "--home", home.toString(), "--junit", report.toString(), "rules/tests/wrong.yaml");

        String printed = out.toString(StandardCharsets.UTF_8);
        assertThat(code).isEqualTo(1);
        assertThat(printed).contains("rules/tests/wrong.yaml:3: FAIL The CRM may set a credit limit\n"
                + "    creditLimit: expected accept, got reject \"ERP manages fiscal risk and accounting.\" by rules/mastership.yaml:17\n"
                + "    phone: expected accept, but the payload has no phone (the flow reads it from 'phone')\n")
                .contains("1 scenarios: 0 passed, 1 failed");
        assertThat(Files.readString(report)).contains("failures=\"1\"")
                .contains("<failure message=\"creditLimit: expected accept, got reject &quot;ERP manages");
    }

    @Test
    void aBrokenScenarioFileIsAnErrorAtItsLine() throws IOException {
        Path home = copyExample();
        Files.writeString(home.resolve("rules/tests/broken.yaml"), """
                flow: crm-customer
                scenarios:
                  - name: typo
                    payload: { id: C-1 }
                    expect: { email: accepted }
                """);

        int code = Main.run("test", "--home", home.toString(), "rules/tests/broken.yaml");

        assertThat(code).isEqualTo(1);
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("rules/tests/broken.yaml:5:22: error: a decision is accept,"
                + " reject, invalid, suppress or unchanged, not 'accepted'");
    }

    private Path copyExample() throws IOException {
        Path home = temp.resolve("workspace");
        for (String dir : new String[] {"flows", "rules", "rules/tests", "transforms", "systems"}) {
            Files.createDirectories(home.resolve(dir));
            try (Stream<Path> files = Files.list(Path.of("..", dir))) {
                for (Path file : files.filter(Files::isRegularFile).toList()) {
                    Files.copy(file, home.resolve(dir).resolve(file.getFileName()));
                }
            }
        }
        Files.copy(Path.of("../steward.yaml"), home.resolve("steward.yaml"));
        return home;
    }
}
