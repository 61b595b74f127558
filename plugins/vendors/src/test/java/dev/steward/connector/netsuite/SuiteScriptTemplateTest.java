package dev.steward.connector.netsuite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The SuiteScript template of examples/netsuite-salesforce, run by Node with N/ modules made of
 * Node's crypto (suitescript/test/check_signing.js): it signs the Standard Webhooks reference
 * vector as {@link NetSuiteWebhookFormat} does, keeps webhook-id across a retry, and posts the
 * body the format reads. Skipped where there is no {@code node}.
 */
class SuiteScriptTemplateTest {

    static final Path SCRIPT = Path.of("../../examples/netsuite-salesforce/suitescript/test/check_signing.js");

    @Test
    void theTemplateSignsAndPostsWhatTheFormatVerifies() throws Exception {
        assertThat(SCRIPT).exists();
        assumeTrue(nodeAvailable(), "node is not installed");
        Process node = new ProcessBuilder("node", SCRIPT.toString()).redirectErrorStream(true).start();
        assertThat(node.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String out = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(out).isEqualTo("ok");
        assertThat(node.exitValue()).isZero();
        // the same vector as the format's own test
        assertThat(Files.readString(SCRIPT)).contains(NetSuiteWebhookFormatTest.VECTOR_SIGNATURE)
                .contains(NetSuiteWebhookFormatTest.VECTOR_SECRET.substring(6));
    }

    private static boolean nodeAvailable() {
        try {
            Process p = new ProcessBuilder("node", "--version").redirectErrorStream(true).start();
            return p.waitFor(20, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }
}
