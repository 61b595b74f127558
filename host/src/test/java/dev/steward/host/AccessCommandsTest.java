package dev.steward.host;

import dev.steward.host.access.Secrets;
import dev.steward.model.Workspace;
import dev.steward.store.Store;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code steward token} and {@code steward user} on a workspace's store, as a user types them. */
class AccessCommandsTest {

    @TempDir
    Path temp;

    @Test
    void aTokenIsPrintedOnceStoredAsAHashListedAndRevoked() throws Exception {
        Path home = RunningHost.crmEmailToErp(temp.resolve("ws"), 1, 1, "");
        Run made = run(null, "token", "create", "--name", "ci", "--role", "operator", "--home", home.toString());
        assertThat(made.code).as(made.err).isZero();
        String secret = made.out.strip();
        assertThat(secret).startsWith("stw_");
        assertThat(made.err).contains("shown only this once");
        assertThat(run(null, "token", "create", "--name", "ci", "--role", "viewer", "--home", home.toString()).code).isEqualTo(1);
        assertThat(run(null, "token", "create", "--name", "x", "--role", "root", "--home", home.toString()).err)
                .contains("--role must be one of viewer, operator, author, developer, admin");

        Run listed = run(null, "token", "list", "--home", home.toString());
        assertThat(listed.out).contains("ci").contains("operator").contains("live").contains("never").doesNotContain(secret);
        try (Store store = Store.open(dev.steward.Engine.check(home).host().store(), Clock.systemUTC())) {
            assertThat(store.credentials().liveToken(Secrets.sha256(secret))).isPresent();
            assertThat(store.auditLog().recent(10).toString()).contains("token-create").contains("cli:").doesNotContain(secret);
        }
        assertThat(run(null, "token", "revoke", "ci", "--home", home.toString()).out).contains("revoked ci");
        assertThat(run(null, "token", "list", "--home", home.toString()).out).contains("revoked");
        assertThat(run(null, "token", "revoke", "ci", "--home", home.toString()).code).isEqualTo(1);
    }

    @Test
    void aUserIsAddedWithThePasswordFromStandardInput() throws Exception {
        Path home = RunningHost.crmEmailToErp(temp.resolve("ws"), 1, 1, "");
        Run added = run("correct horse battery staple\n", "user", "add", "ada", "--role", "author", "--home", home.toString());
        assertThat(added.code).as(added.err).isZero();
        assertThat(added.out).contains("added ada (author)");
        assertThat(run("too short\n", "user", "add", "bob", "--role", "viewer", "--home", home.toString()).err)
                .contains("at least 12 characters");
        assertThat(run("correct horse battery staple\n", "user", "add", "ada", "--role", "viewer", "--home", home.toString()).code)
                .isEqualTo(1);
        assertThat(run(null, "user", "list", "--home", home.toString()).out).contains("ada").contains("author")
                .doesNotContain("correct horse");
        try (Store store = Store.open(dev.steward.Engine.check(home).host().store(), Clock.systemUTC())) {
            assertThat(store.credentials().user("ada").orElseThrow().passwordHash()).startsWith("$2b$12$")
                    .doesNotContain("correct horse");
        }
        assertThat(run(null, "user", "remove", "ada", "--home", home.toString()).out).contains("removed ada");
    }

    private record Run(int code, String out, String err) {
    }

    private static synchronized Run run(String stdin, String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        InputStream oldIn = System.in;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            System.setIn(new ByteArrayInputStream((stdin == null ? "" : stdin).getBytes(StandardCharsets.UTF_8)));
            int code = Main.run(args);
            return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
            System.setIn(oldIn);
        }
    }
}
