package dev.steward.host.editor;

import dev.steward.Engine;
import dev.steward.model.Diagnostic;
import dev.steward.model.Workspace;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The flow schema and the flow loader agree: at every level where the loader refuses an
 * unknown key, the keys it expects are the keys the schema offers there. A new key in the
 * loader without one in the schema (or the reverse) fails here.
 */
class FlowSchemaTest {

    private static final Pattern EXPECTED = Pattern.compile("unknown key 'zzz' in .* \\(expected one of: ([^)]*)\\)");

    @TempDir
    Path temp;

    @Test
    void theSchemaOffersExactlyTheKeysTheLoaderTakesAtEachLevel() throws Exception {
        Path home = EditorHost.copyExample(temp.resolve("ws"));
        Files.writeString(home.resolve("flows/probe.yaml"), """
                id: probe
                zzz: 1
                trigger: { zzz: 1, webhook: { path: probe, zzz: 1 } }
                source: crm
                entity: customer
                key: id
                fields: { email: email }
                retry: { zzz: 1 }
                steps:
                  - { zzz: 1 }
                  - sync: { to: [erp], zzz: 1 }
                  - filter: { when: email is empty, zzz: 1 }
                  - call: { system: erp, action: createOrder, zzz: 1 }
                  - branch: [ { when: email is empty, steps: [], zzz: 1 } ]
                """);
        Files.writeString(home.resolve("flows/probe-poll.yaml"), """
                id: probe-poll
                trigger: { poll: { system: erp, entity: customer, every: 1m, zzz: 1 } }
                source: erp
                entity: customer
                key: id
                fields: { email: email }
                steps: []
                """);
        Files.writeString(home.resolve("flows/probe-schedule.yaml"), """
                id: probe-schedule
                trigger: { schedule: { cron: "0 2 * * *", zzz: 1 } }
                source: erp
                entity: customer
                key: id
                fields: { email: email }
                steps: []
                """);
        Workspace workspace = Engine.check(home);
        List<Set<String>> loader = new ArrayList<>();
        for (Diagnostic d : workspace.diagnostics()) {
            Matcher m = EXPECTED.matcher(d.message());
            if (d.file().startsWith("flows/probe") && m.find()) {
                loader.add(new HashSet<>(List.of(m.group(1).split(",\\s*"))));
            }
        }
        assertThat(loader).as("the loader's answers to the probes").hasSize(11);

        List<Set<String>> schema = new ArrayList<>();
        collect(FlowSchema.of(workspace), schema);
        assertThat(schema).containsAll(loader);
        assertThat(FlowSchema.of(workspace)).extractingByKey("properties").asInstanceOf(
                org.assertj.core.api.InstanceOfAssertFactories.MAP).extractingByKey("source")
                .asString().contains("crm").contains("erp");
    }

    @SuppressWarnings("unchecked")
    private static void collect(Object node, List<Set<String>> out) {
        if (node instanceof Map<?, ?> map) {
            if (map.get("properties") instanceof Map<?, ?> properties && Boolean.FALSE.equals(map.get("additionalProperties"))) {
                out.add(new HashSet<>((Set<String>) properties.keySet()));
            }
            map.values().forEach(v -> collect(v, out));
        } else if (node instanceof List<?> list) {
            list.forEach(v -> collect(v, out));
        }
    }
}
