package dev.steward.connector.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Init scripts that run code or touch files are refused at the right line, however they are
 * spelled. Each invalid fixture's first line says the line and message to expect:
 * {@code -- expect: 3: CREATE ALIAS runs Java code}.
 */
class InitScriptCheckTest {

    private static final Path FIXTURES = Path.of("src/test/resources/init");
    private static final Pattern EXPECT = Pattern.compile("-- expect: (\\d+): (.*)");

    static Stream<Path> invalid() throws IOException {
        return fixtures("invalid");
    }

    static Stream<Path> valid() throws IOException {
        return fixtures("valid");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalid")
    void aScriptThatRunsCodeOrTouchesFilesIsRefusedAtItsLine(Path fixture) throws IOException {
        String script = Files.readString(fixture);
        Matcher expect = EXPECT.matcher(script.lines().findFirst().orElseThrow());
        assertThat(expect.matches()).as("first line of " + fixture + " says what to expect").isTrue();

        List<InitScriptCheck.Finding> findings = InitScriptCheck.check(script);

        assertThat(findings).as(fixture.toString()).anySatisfy(f -> {
            assertThat(f.line()).isEqualTo(Integer.parseInt(expect.group(1)));
            assertThat(f.column()).isPositive();
            assertThat(f.message()).contains(expect.group(2));
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("valid")
    void aScriptThatOnlyCreatesAndSeedsTablesPasses(Path fixture) throws IOException {
        assertThat(InitScriptCheck.check(Files.readString(fixture))).isEmpty();
    }

    private static Stream<Path> fixtures(String folder) throws IOException {
        try (Stream<Path> files = Files.list(FIXTURES.resolve(folder))) {
            return files.sorted().toList().stream();
        }
    }
}
