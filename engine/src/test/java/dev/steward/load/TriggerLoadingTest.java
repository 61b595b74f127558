package dev.steward.load;

import dev.steward.model.Diagnostic;
import dev.steward.model.PollTrigger;
import dev.steward.model.ScheduleTrigger;
import dev.steward.model.Workspace;
import dev.steward.rules.RuleSetCompiler;
import dev.steward.run.Connectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code trigger: { poll }} and {@code trigger: { schedule }}: what loads, and each mistake at its line. */
class TriggerLoadingTest {

    private static final Path BASE = Path.of("src/test/resources/loading/base");
    private static final String FILE = "flows/polled.yaml";

    private final WorkspaceLoader loader = new WorkspaceLoader(Connectors.discover(getClass().getClassLoader()),
            new RuleSetCompiler(), Map.<String, String>of()::get);

    @TempDir
    Path temp;

    /** A flow from the erp (jdbc, so it lists) whose trigger block is {@code trigger}, at line 3. */
    private Workspace load(String source, String trigger) throws IOException {
        try (Stream<Path> files = Files.walk(BASE)) {
            for (Path file : files.toList()) {
                Path target = temp.resolve(BASE.relativize(file).toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(file, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        Files.writeString(temp.resolve(FILE), """
                id: polled
                description: a flow under test
                trigger:
                %s
                source: %s
                entity: customer
                key: crm_id
                fields: { email: email }
                steps:
                  - rules: [mastership.yaml]
                """.formatted(trigger.indent(2).stripTrailing(), source));
        return loader.load(temp);
    }

    private static Optional<Diagnostic> problem(Workspace workspace) {
        return workspace.diagnostics().stream().filter(d -> d.file().equals(FILE) && d.isError()).findFirst();
    }

    @Test
    void aPollLoadsWithTheFlowsSystemAndEntity() throws IOException {
        Workspace workspace = load("erp", "poll: { every: 30s, since: email }");
        assertThat(problem(workspace)).isEmpty();
        assertThat(workspace.flows().get("polled").trigger())
                .isEqualTo(new PollTrigger("erp", "customer", Duration.ofSeconds(30), Optional.of("email")));
        assertThat(workspace.flows().get("polled").webhook()).isEmpty();
    }

    @Test
    void aPollWithoutSinceUsesTheCursorAndSaysSo() throws IOException {
        Workspace workspace = load("erp", "poll: { system: erp, entity: customer, every: 5m }");
        assertThat(workspace.flows().get("polled").trigger())
                .isEqualTo(new PollTrigger("erp", "customer", Duration.ofMinutes(5), Optional.empty()));
        assertThat(workspace.diagnostics()).filteredOn(d -> d.file().equals(FILE)).singleElement()
                .satisfies(d -> assertThat(d.message()).contains("since: cursor"));
        assertThat(load("erp", "poll: { every: 5m, since: cursor }").diagnostics())
                .filteredOn(d -> d.file().equals(FILE)).isEmpty();
    }

    @Test
    void aScheduleLoadsInItsZone() throws IOException {
        Workspace workspace = load("erp", "schedule: { cron: \"0 2 * * *\", zone: Europe/Paris }");
        assertThat(problem(workspace)).isEmpty();
        assertThat(workspace.flows().get("polled").trigger()).isEqualTo(new ScheduleTrigger("0 2 * * *", ZoneId.of("Europe/Paris")));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "bad every      | erp | 'poll: { every: often, since: email }'             | 4 | 'every ''often'' is not a duration'",
        "every too short| erp | 'poll: { every: 100ms, since: email }'             | 4 | between 1s and 1d",
        "no every       | erp | 'poll: { since: email }'                           | 4 | needs 'every'",
        "unknown entity | erp | 'poll: { entity: invoice, every: 1m }'             | 4 | ' but the flow''s entity is ''customer'''",
        "other system   | erp | 'poll: { system: crm, every: 1m }'                 | 4 | ' but the flow''s source is ''erp'''",
        "no list        | crm | 'poll: { every: 1m, since: email }'                | 4 | 'cannot list customer records, so it cannot be polled: give the entity a list block'",
        "unknown since  | erp | 'poll: { every: 1m, since: updatedAt }'            | 4 | 'since names ''updatedAt'', which is not a field of erp.customer'",
        "bad cron       | erp | 'schedule: { cron: \"0 2 * *\" }'                  | 4 | 'is not a cron expression: it has 4 fields'",
        "bad cron value | erp | 'schedule: { cron: \"0 25 * * *\" }'               | 4 | is not a cron expression",
        "bad zone       | erp | 'schedule: { cron: \"0 2 * * *\", zone: Mars/Base }'| 4 | is not a time zone",
        "two triggers   | erp | 'schedule: { cron: \"0 2 * * *\" }\npoll: { every: 1m }' | 4 | 'a trigger is one of'",
    })
    void aMistakeIsAnErrorAtItsLine(String name, String source, String trigger, int line, String message) throws IOException {
        Workspace workspace = load(source, trigger.replace("\\n", "\n"));
        assertThat(workspace.flows()).doesNotContainKey("polled");
        assertThat(problem(workspace)).hasValueSatisfying(d -> {
            assertThat(d.message()).contains(message);
            assertThat(d.line()).isEqualTo(line);
        });
    }
}
