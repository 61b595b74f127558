package dev.steward.host;

import dev.steward.host.access.Access;
import dev.steward.host.access.Passwords;
import dev.steward.host.access.Role;
import dev.steward.AccessBook;
import dev.steward.Engine;
import dev.steward.UnavailableException;
import dev.steward.model.Workspace;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Optional;

/**
 * What {@code steward token} and {@code steward user} share: they open the workspace's store
 * directly (the host need not run; with the embedded store it must not, since H2 lets one process
 * open the file) and act as {@code cli:<login name>} in the audit log.
 */
final class AccessCommands {

    private AccessCommands() {
    }

    /** The {@code --home} option every {@code token} and {@code user} subcommand takes. */
    static final class Home {
        @picocli.CommandLine.Option(names = "--home", description = "The workspace folder (default: the current one).",
                defaultValue = ".")
        Path path;
    }

    interface Work {
        int run(Access access, String actor, PrintWriter out, PrintWriter err);
    }

    static int run(Path home, Work work) {
        PrintWriter out = new PrintWriter(System.out, true);
        PrintWriter err = new PrintWriter(System.err, true);
        if (!java.nio.file.Files.isDirectory(home)) {
            err.println("steward: no workspace folder " + home.toAbsolutePath());
            return 2;
        }
        Clock clock = Clock.systemUTC();
        Workspace workspace = Engine.check(home);
        AccessBook book;
        try {
            book = Engine.openAccess(workspace, clock);
        } catch (UnavailableException e) {
            err.println("steward: cannot open the store: " + ServeCommand.rootMessage(e));
            err.println("  With the embedded store, stop `steward serve` first, or use the API (POST /api/tokens, POST /api/users)"
                    + " with an admin token.");
            return 2;
        }
        try (book) {
            Access access = new Access(book, workspace.host().access(), Optional.empty(), clock, new SecureRandom(),
                    Passwords.COST);
            return work.run(access, "cli:" + System.getProperty("user.name", "unknown"), out, err);
        } catch (IllegalArgumentException e) {
            err.println("steward: " + e.getMessage());
            return 2;
        }
    }

    static Optional<Role> role(String text, PrintWriter err) {
        Optional<Role> role = Role.parse(text);
        if (role.isEmpty()) {
            err.println("steward: --role must be one of " + Role.choices() + ", not '" + text + "'");
        }
        return role;
    }
}
