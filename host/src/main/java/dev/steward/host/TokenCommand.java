package dev.steward.host;

import dev.steward.host.access.Role;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.time.Instant;
import java.util.Optional;

/** {@code steward token create|list|revoke}: API tokens for scripts and CI. */
@Command(name = "token", mixinStandardHelpOptions = true, description = "Create, list and revoke API tokens.",
        subcommands = {TokenCommand.Create.class, TokenCommand.List.class, TokenCommand.Revoke.class})
final class TokenCommand implements Runnable {

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    @Command(name = "create", mixinStandardHelpOptions = true, description = "Make a token; it is shown once, only its hash is kept.")
    static final class Create implements java.util.concurrent.Callable<Integer> {
        @Option(names = "--name", required = true, description = "What the token is for (ci, grafana).")
        String name;
        @Option(names = "--role", required = true, description = "viewer, operator, author, developer or admin.")
        String role;
        @Mixin
        AccessCommands.Home home;

        @Override
        public Integer call() {
            return AccessCommands.run(home.path, (access, actor, out, err) -> {
                Optional<Role> parsed = AccessCommands.role(role, err);
                if (parsed.isEmpty()) {
                    return 2;
                }
                var made = access.createToken(name, parsed.get(), actor);
                if (made.isEmpty()) {
                    err.println("steward: a live token is named '" + name + "' already; revoke it first or pick another name");
                    return 1;
                }
                out.println(made.get().secret());
                err.println("Token '" + name + "' (" + made.get().token().id() + ", role " + parsed.get().label()
                        + ") made. It is shown only this once: Steward keeps only its hash.");
                return 0;
            });
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Every token: name, role, created, last used.")
    static final class List implements java.util.concurrent.Callable<Integer> {
        @Mixin
        AccessCommands.Home home;

        @Override
        public Integer call() {
            return AccessCommands.run(home.path, (access, actor, out, err) -> {
                out.printf("%-16s %-20s %-10s %-8s %-24s %s%n", "ID", "NAME", "ROLE", "STATUS", "CREATED", "LAST USED");
                access.tokens().forEach(t -> out.printf("%-16s %-20s %-10s %-8s %-24s %s%n", t.id(), t.name(), t.role(),
                        t.isRevoked() ? "revoked" : "live", t.createdAt(), t.lastUsedAt().map(Instant::toString).orElse("never")));
                return 0;
            });
        }
    }

    @Command(name = "revoke", mixinStandardHelpOptions = true, description = "Revoke a live token, by name or id.")
    static final class Revoke implements java.util.concurrent.Callable<Integer> {
        @Parameters(index = "0", description = "The token's name or id.")
        String token;
        @Mixin
        AccessCommands.Home home;

        @Override
        public Integer call() {
            return AccessCommands.run(home.path, (access, actor, out, err) -> {
                var revoked = access.revokeToken(token, actor);
                if (revoked.isEmpty()) {
                    err.println("steward: no live token named or with the id '" + token + "'");
                    return 1;
                }
                out.println("revoked " + revoked.get().name() + " (" + revoked.get().id() + ")");
                return 0;
            });
        }
    }
}
