package dev.steward.load;

import dev.steward.model.Diagnostic;
import dev.steward.model.SignatureScheme;
import dev.steward.model.Flow;
import dev.steward.model.Step;
import dev.steward.model.Workspace;
import dev.steward.rules.RuleSetCompiler;
import dev.steward.run.Connectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Loading valid and invalid workspaces. Each invalid fixture's first line says which line the
 * error is reported at and what its message says: {@code # expect: 4: unknown system}.
 */
class WorkspaceLoaderTest {

    private static final Path FIXTURES = Path.of("src/test/resources/loading");
    private static final Pattern EXPECT = Pattern.compile("(?:#|//) expect: (\\d+): (.*)");

    private final WorkspaceLoader loader = new WorkspaceLoader(Connectors.discover(getClass().getClassLoader()),
            new RuleSetCompiler(), Map.of("CRM_HOOK_SECRET", "s3cret")::get);

    @TempDir
    Path temp;

    @Test
    void theRepositorysExampleWorkspaceLoadsWithoutProblems() {
        Workspace workspace = loader.load(Path.of(".."));

        assertThat(workspace.diagnostics()).isEmpty();
        assertThat(workspace.systems()).containsOnlyKeys("crm", "erp");
        assertThat(workspace.flows()).containsOnlyKeys("crm-customer", "erp-customer", "erp-product", "erp-product-poll", "crm-deal", "erp-order",
                "crm-deal-won");
        Flow flow = workspace.flows().get("crm-customer");
        assertThat(flow.webhook().orElseThrow().path()).isEqualTo("crm/customer");
        assertThat(flow.fields()).containsExactly(Map.entry("email", "email"), Map.entry("phone", "phone"),
                Map.entry("creditLimit", "credit_limit"));
        assertThat(flow.steps()).hasSize(2);
        assertThat(flow.steps().get(0)).isEqualTo(new Step.Rules(List.of("mastership.yaml", "customer-validation.table.yaml"),
                new dev.steward.model.SourceLocation("flows/crm-customer.yaml", 14)));
        assertThat(workspace.mastership().get("mastership.yaml").rows()).hasSize(4);
        assertThat(workspace.host().store().url()).startsWith("jdbc:h2:/").endsWith("/data/steward");
    }

    @Test
    void aLoaderForOneFlowReadsThatFlowAloneAndNoDrlFileItDoesNotUse() throws IOException {
        Path home = temp.resolve("example");
        copyTree(Path.of(".."), home, "steward.yaml", "flows", "rules", "systems", "transforms");
        // another flow broken, and a DRL file no flow uses broken: a whole load reports both
        Files.writeString(home.resolve("flows/erp-order.yaml"), "id: erp-order\nsource: nowhere\n");
        Files.writeString(home.resolve("rules/unused.drl"), "rule \"x\" when then oops(; end\n");
        Workspace whole = loader.load(home);
        assertThat(whole.brokenFlows()).containsKey("flows/erp-order.yaml");
        assertThat(whole.diagnostics()).anyMatch(d -> d.file().equals("rules/unused.drl") && d.isError());

        Workspace one = loader.withOnlyFlow("crm-customer").load(home);

        assertThat(one.flows()).containsOnlyKeys("crm-customer");
        assertThat(one.flows().get("crm-customer")).isEqualTo(whole.flows().get("crm-customer"));
        assertThat(one.brokenFlows()).isEmpty();
        assertThat(one.diagnostics()).noneMatch(d -> d.file().equals("rules/unused.drl"));
        // the flow itself broken: it is reported, as in a whole load
        Files.writeString(home.resolve("flows/crm-customer.yaml"), Files.readString(home.resolve("flows/crm-customer.yaml"))
                .replace("source: crm", "source: nowhere"));
        assertThat(loader.withOnlyFlow("crm-customer").load(home).brokenFlows()).containsOnlyKeys("flows/crm-customer.yaml");
    }

    private static void copyTree(Path from, Path to, String... names) throws IOException {
        for (String name : names) {
            Path source = from.resolve(name);
            try (Stream<Path> paths = Files.walk(source)) {
                for (Path path : (Iterable<Path>) paths::iterator) {
                    Path target = to.resolve(from.relativize(path).toString());
                    if (Files.isDirectory(path)) {
                        Files.createDirectories(target);
                    } else {
                        Files.createDirectories(target.getParent());
                        Files.copy(path, target);
                    }
                }
            }
        }
    }

    @Test
    void theBaseFixtureLoadsWithSettingsAndEntities() throws IOException {
        Path home = copyBase();
        Workspace workspace = loader.load(home);

        assertThat(workspace.diagnostics()).isEmpty();
        assertThat(workspace.host().port()).isZero();
        assertThat(workspace.systems().get("crm").setting("baseUrl")).contains("http://127.0.0.1:9101");
        assertThat(workspace.systems().get("erp").entity("customer").orElseThrow().fields())
                .containsEntry("creditLimit", "credit_limit");
    }

    @Test
    void environmentReferencesAreResolved() throws IOException {
        Path home = copyBase();
        Files.writeString(home.resolve("flows/crm-customer.yaml"), Files.readString(home.resolve("flows/crm-customer.yaml"))
                .replace("{ path: crm/customer }", "{ path: crm/customer, secret: \"${env:CRM_HOOK_SECRET}\" }"));

        Workspace workspace = loader.load(home);

        assertThat(workspace.diagnostics()).isEmpty();
        assertThat(workspace.flows().get("crm-customer").webhook().orElseThrow().secret()).contains("s3cret");
    }

    @Test
    void anUnquotedReferenceInsideBracesIsExplained() throws IOException {
        Path home = copyBase();
        Files.writeString(home.resolve("flows/crm-customer.yaml"), Files.readString(home.resolve("flows/crm-customer.yaml"))
                .replace("{ path: crm/customer }", "{ path: crm/customer, secret: ${env:CRM_HOOK_SECRET} }"));

        Workspace workspace = loader.load(home);

        assertThat(workspace.diagnostics()).anySatisfy(d -> assertThat(d.toString())
                .contains("flows/crm-customer.yaml").contains("bad YAML")
                .contains("write a ${...} reference in quotes: \"${env:NAME}\""));
    }

    @Test
    void aSecretAloneMeansStandardWebhooksAndOtherSchemesAreNamedBesideIt() throws IOException {
        Path home = copyBase();
        String flow = Files.readString(home.resolve("flows/crm-customer.yaml"));
        Files.writeString(home.resolve("flows/crm-customer.yaml"), flow.replace("{ path: crm/customer }",
                "{ path: crm/customer, secret: s3cret }"));
        Files.writeString(home.resolve("flows/github.yaml"), flow.replace("id: crm-customer", "id: github")
                .replace("{ path: crm/customer }", "{ path: gh, secret: s3cret, signature: github }"));
        Files.writeString(home.resolve("flows/slack.yaml"), flow.replace("id: crm-customer", "id: slack")
                .replace("{ path: crm/customer }", "{ path: slack, secret: s3cret, signature: { header: X-Slack-Signature,"
                        + " prefix: \"v0=\", timestamp: X-Slack-Request-Timestamp, signed: \"v0:{timestamp}:{body}\" } }"));
        Files.writeString(home.resolve("flows/shopify.yaml"), flow.replace("id: crm-customer", "id: shopify")
                .replace("{ path: crm/customer }",
                        "{ path: shop, secret: s3cret, signature: { header: X-Shopify-Hmac-Sha256, encoding: base64 } }"));

        Workspace workspace = loader.load(home);

        assertThat(workspace.diagnostics()).filteredOn(Diagnostic::isError).isEmpty();
        assertThat(workspace.flows().get("crm-customer").webhook().orElseThrow().signature()).isEqualTo(new SignatureScheme.StandardWebhooks());
        assertThat(workspace.flows().get("github").webhook().orElseThrow().signature()).isEqualTo(new SignatureScheme.GitHub());
        assertThat(workspace.flows().get("slack").webhook().orElseThrow().signature()).isEqualTo(new SignatureScheme.Hmac(
                "X-Slack-Signature", "sha256", SignatureScheme.Encoding.HEX, "v0=",
                java.util.Optional.of("X-Slack-Request-Timestamp"), "v0:{timestamp}:{body}"));
        assertThat(workspace.flows().get("shopify").webhook().orElseThrow().signature()).isEqualTo(new SignatureScheme.Hmac(
                "X-Shopify-Hmac-Sha256", "sha256", SignatureScheme.Encoding.BASE64, "", java.util.Optional.empty(), "{body}"));
    }

    @Test
    void aFlowFieldThatNoTableMastersIsAWarningNotAnError() throws IOException {
        Path home = copyBase();
        Files.writeString(home.resolve("flows/crm-customer.yaml"), Files.readString(home.resolve("flows/crm-customer.yaml"))
                .replace("creditLimit: credit_limit }", "creditLimit: credit_limit, nickname: nick }"));

        Workspace workspace = loader.load(home);

        assertThat(workspace.flows()).containsKey("crm-customer");
        assertThat(workspace.diagnostics()).anySatisfy(d -> {
            assertThat(d.severity()).isEqualTo(Diagnostic.Severity.WARNING);
            assertThat(d.message()).contains("no mastership row masters customer.nickname");
        });
    }

    @Test
    void aTransformStepKeepsItsScriptFromAFileOrInline() throws IOException {
        Path home = copyBase();
        String flow = Files.readString(home.resolve("flows/crm-customer.yaml"));
        Files.writeString(home.resolve("flows/crm-customer.yaml"), flow.replace("steps:\n", """
                steps:
                  - transform: { js: transforms/lower-email.js }
                  - transform:
                      js: |
                        function transform(record, ctx) {
                          return record;
                        }
                """));

        Workspace workspace = loader.load(home);

        assertThat(workspace.diagnostics()).isEmpty();
        List<Step> steps = workspace.flows().get("crm-customer").steps();
        assertThat(steps.get(0)).isEqualTo(new Step.Transform("js", "transforms/lower-email.js",
                Files.readString(home.resolve("transforms/lower-email.js")),
                new dev.steward.model.SourceLocation("flows/crm-customer.yaml", 9)));
        Step.Transform inline = (Step.Transform) steps.get(1);
        assertThat(inline.script()).isEqualTo("flows/crm-customer.yaml");
        assertThat(inline.source().lines().toList().get(11)).as("line 12 of the flow file is line 12 of the script")
                .isEqualTo("function transform(record, ctx) {");
        assertThat(steps.get(2)).isInstanceOf(Step.Rules.class);
    }

    @Test
    void aScriptFileThatDoesNotCompileIsReportedAtItsOwnLine() throws IOException {
        Path home = copyBase();
        Files.copy(FIXTURES.resolve("invalid/flows/transform-broken-file.yaml"), home.resolve("flows/broken.yaml"));

        Workspace workspace = loader.load(home);

        assertThat(workspace.brokenFlows()).containsKey("flows/broken.yaml");
        assertThat(workspace.diagnostics()).anySatisfy(d -> {
            assertThat(d.file()).isEqualTo("transforms/broken.js");
            assertThat(d.line()).isEqualTo(3);
            assertThat(d.column()).isPositive();
            assertThat(d.isError()).isTrue();
        });
    }

    @Test
    void anInlineScriptsErrorPointsAtTheFlowFilesLineAndColumn() throws IOException {
        Path home = copyBase();
        Path fixture = FIXTURES.resolve("invalid/flows/transform-inline-syntax-error.yaml");
        Files.copy(fixture, home.resolve("flows/inline.yaml"));
        String line13 = Files.readAllLines(fixture).get(12);

        Workspace workspace = loader.load(home);

        assertThat(workspace.diagnostics()).filteredOn(d -> d.file().equals("flows/inline.yaml")).singleElement()
                .satisfies(d -> {
                    assertThat(d.line()).isEqualTo(13);
                    assertThat(d.column()).as(d.toString()).isGreaterThan(line13.indexOf("record"))
                            .isLessThanOrEqualTo(line13.length() + 1);
                });
    }

    @Test
    void aMissingStewardYamlIsOneClearError() {
        Workspace workspace = loader.load(temp);

        assertThat(workspace.diagnostics()).singleElement().satisfies(d -> {
            assertThat(d.file()).isEqualTo("steward.yaml");
            assertThat(d.message()).startsWith("not found in");
        });
    }

    static Stream<Path> invalidFlows() throws IOException {
        return fixtures("flows");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidFlows")
    void anInvalidFlowIsSetAsideWithItsLineAndMessage(Path fixture) throws IOException {
        Path home = copyBase();
        String name = fixture.getFileName().toString();
        Files.copy(fixture, home.resolve("flows").resolve(name));

        Workspace workspace = loader.load(home);

        assertExpected(fixture, workspace, "flows/" + name);
        assertThat(workspace.brokenFlows()).containsKey("flows/" + name);
        assertThat(workspace.flows()).as("the valid flow still loads").containsKey("crm-customer");
    }

    @Test
    void anInitScriptThatRunsCodeIsAnErrorAtItsOwnFileAndLine() throws IOException {
        Path home = copyBase();
        Files.createDirectories(home.resolve("systems"));
        Files.writeString(home.resolve("systems/erp.sql"), """
                CREATE TABLE IF NOT EXISTS customers (crm_id VARCHAR(64) PRIMARY KEY);
                cReAtE -- split over lines
                  /* and commented */ ALIAS EXEC FOR "java.lang.Runtime.exec";
                """);
        Files.writeString(home.resolve("steward.yaml"), Files.readString(home.resolve("steward.yaml"))
                .replace("url: jdbc:h2:./data/erp", "url: jdbc:h2:./data/erp\n    init: systems/erp.sql"));

        Workspace workspace = loader.load(home);

        assertThat(workspace.diagnostics()).first().satisfies(d -> {
            assertThat(d.file()).isEqualTo("systems/erp.sql");
            assertThat(d.line()).isEqualTo(2);
            assertThat(d.column()).isEqualTo(1);
            assertThat(d.message()).isEqualTo("system 'erp': CREATE ALIAS runs Java code and is not allowed in an init script");
        });
        assertThat(workspace.systems()).doesNotContainKey("erp");
    }

    @Test
    void twoMastersArePointedAtByLineAndColumnLikeEveryOtherProblem() throws IOException {
        Path home = copyBase();
        Files.writeString(home.resolve("rules/second.yaml"), """
                # the ERP claims a field the CRM masters
                - { entity: customer, fields: [email], master: erp, subscribers: [crm] }
                """);

        Workspace workspace = loader.load(home);

        assertThat(workspace.diagnostics()).filteredOn(d -> d.message().contains("two masters")).singleElement()
                .satisfies(d -> {
                    assertThat(d.file()).isEqualTo("rules/second.yaml");
                    assertThat(d.line()).isEqualTo(2);
                    assertThat(d.column()).isEqualTo(3);
                });
    }

    @Test
    void noDiagnosticEchoesAValueReadFromTheEnvironment() throws IOException {
        Path home = copyBase();
        Files.writeString(home.resolve("steward.yaml"), """
                host:
                  port: ${env:CRM_HOOK_SECRET}
                  maxBody: "${env:CRM_HOOK_SECRET}KiB"
                loops: { window: "${env:CRM_HOOK_SECRET}" }
                systems:
                  crm:
                    connector: http
                    baseUrl: http://127.0.0.1:9101
                    entities:
                      customer: { path: "/customers/{key}", fields: { email: email } }
                  erp:
                    connector: jdbc
                    url: "jdbc:h2:./data/erp;${env:CRM_HOOK_SECRET}=1"
                    poolSize: ${env:CRM_HOOK_SECRET}
                    connectTimeout: ${env:CRM_HOOK_SECRET}
                    entities:
                      customer: { table: customers, key: crm_id, fields: { email: email } }
                """);

        Workspace workspace = loader.load(home);

        assertThat(workspace.diagnostics()).filteredOn(d -> d.file().equals("steward.yaml")).hasSizeGreaterThanOrEqualTo(5)
                .allSatisfy(d -> assertThat(d.message()).doesNotContainIgnoringCase("s3cret"));
        assertThat(workspace.diagnostics()).anySatisfy(d -> assertThat(d.message())
                .contains("poolSize must be a whole number from 1 to 100, not '${env:CRM_HOOK_SECRET}'"));
    }

    @Test
    void theStoreLeaseIsThirtySecondsUnlessSetAndABadOneIsADiagnosticWithItsLine() throws IOException {
        Path home = copyBase();
        String base = Files.readString(FIXTURES.resolve("base/steward.yaml"));
        assertThat(loader.load(home).host().store().lease()).isEqualTo(java.time.Duration.ofSeconds(30));

        Files.writeString(home.resolve("steward.yaml"), "store: { lease: 10s }\n" + base);
        Workspace workspace = loader.load(home);
        assertThat(workspace.diagnostics()).isEmpty();
        assertThat(workspace.host().store().lease()).isEqualTo(java.time.Duration.ofSeconds(10));

        Files.writeString(home.resolve("steward.yaml"), "store:\n  lease: 1s\n" + base);
        workspace = loader.load(home);
        assertThat(workspace.diagnostics()).singleElement().satisfies(d -> {
            assertThat(d.file()).isEqualTo("steward.yaml");
            assertThat(d.line()).isEqualTo(2);
            assertThat(d.message()).contains("store.lease must be from 3s to 1h");
        });
        assertThat(workspace.host().store().lease()).isEqualTo(java.time.Duration.ofSeconds(30));
    }

    @Test
    void aStoreFileUnderDataIsRelativeToTheWorkspaceWithOrWithoutDotSlash() throws IOException {
        Path home = copyBase();
        for (String url : List.of("jdbc:h2:./data/store", "jdbc:h2:data/store", "jdbc:h2:file:data/store")) {
            Files.writeString(home.resolve("steward.yaml"), "store: { url: \"" + url + "\" }\n"
                    + Files.readString(FIXTURES.resolve("base/steward.yaml")));

            Workspace workspace = loader.load(home);

            assertThat(workspace.diagnostics()).as(url).isEmpty();
            assertThat(workspace.host().store().url()).as(url).endsWith(home.toAbsolutePath().normalize().resolve("data/store").toString());
        }
    }

    static Stream<Path> invalidSettings() throws IOException {
        return fixtures("steward");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidSettings")
    void anInvalidStewardYamlPointsAtItsLine(Path fixture) throws IOException {
        Path home = copyBase();
        Files.copy(fixture, home.resolve("steward.yaml"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);

        assertExpected(fixture, loader.load(home), "steward.yaml");
    }

    static Stream<Path> invalidRules() throws IOException {
        return fixtures("rules");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidRules")
    void anInvalidRuleFilePointsAtItsLine(Path fixture) throws IOException {
        Path home = copyBase();
        String name = fixture.getFileName().toString();
        Files.copy(fixture, home.resolve("rules").resolve(name));

        assertExpected(fixture, loader.load(home), "rules/" + name);
    }

    private static void assertExpected(Path fixture, Workspace workspace, String file) throws IOException {
        Matcher expect = EXPECT.matcher(Files.readAllLines(fixture).get(0));
        assertThat(expect.matches()).as("first line of " + fixture + " says what to expect").isTrue();
        int line = Integer.parseInt(expect.group(1));
        String message = expect.group(2);
        assertThat(workspace.diagnostics()).as("diagnostics of " + fixture).anySatisfy(d -> {
            assertThat(d.file()).isEqualTo(file);
            assertThat(d.severity()).isEqualTo(Diagnostic.Severity.ERROR);
            assertThat(d.line()).isEqualTo(line);
            assertThat(d.message()).contains(message);
        });
    }

    @Test
    void draftsAreReadInPlaceOfTheFilesAndNothingIsWritten() throws IOException {
        Path home = copyBase();
        String flow = Files.readString(home.resolve("flows/crm-customer.yaml"));
        Map<String, String> drafts = Map.of(
                "flows/crm-customer.yaml", flow.replace("crm/customer", "crm/draft"),
                "flows/second.yaml", flow.replace("id: crm-customer", "id: second").replace("crm/customer", "crm/second")
                        .replace("  - rules: [mastership.yaml, validation.drl]\n", "  - transform: { js: transforms/draft.js }\n"
                                + "  - rules: [mastership.yaml, validation.drl]\n"),
                "transforms/draft.js", "function transform(record) { return record; }");

        Workspace workspace = loader.withDrafts(drafts).load(home);

        assertThat(workspace.diagnostics()).filteredOn(Diagnostic::isError).isEmpty();
        assertThat(workspace.flows().get("crm-customer").webhook().orElseThrow().path()).isEqualTo("crm/draft");
        assertThat(workspace.flows()).containsKey("second");
        assertThat(Files.readString(home.resolve("flows/crm-customer.yaml"))).isEqualTo(flow);
        assertThat(home.resolve("flows/second.yaml")).doesNotExist();
        assertThat(home.resolve("transforms/draft.js")).doesNotExist();
        assertThat(loader.load(home).flows()).containsOnlyKeys("crm-customer");
    }

    @Test
    void aDraftWithAnErrorIsReportedAtItsLine() throws IOException {
        Path home = copyBase();
        String flow = Files.readString(home.resolve("flows/crm-customer.yaml"));

        Workspace workspace = loader.withDrafts(Map.of("flows/crm-customer.yaml", flow.replace("to: [erp]", "to: [nowhere]")))
                .load(home);

        assertThat(workspace.brokenFlows()).containsKey("flows/crm-customer.yaml");
        assertThat(workspace.diagnostics()).anySatisfy(d -> {
            assertThat(d.file()).isEqualTo("flows/crm-customer.yaml");
            assertThat(d.line()).isEqualTo(10);
            assertThat(d.message()).contains("nowhere");
        });
    }

    private static Stream<Path> fixtures(String folder) throws IOException {
        try (Stream<Path> files = Files.list(FIXTURES.resolve("invalid").resolve(folder))) {
            return files.sorted().toList().stream();
        }
    }

    private Path copyBase() throws IOException {
        Path home = temp.resolve("workspace");
        Path base = FIXTURES.resolve("base");
        try (Stream<Path> files = Files.walk(base)) {
            for (Path source : files.toList()) {
                Path target = home.resolve(base.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(source, target);
                }
            }
        }
        return home;
    }
}
