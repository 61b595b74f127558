package dev.steward.host;

import dev.steward.host.access.Role;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;

/** {@code steward user add|list|remove}: people who sign in to the editor. */
@Command(name = "user", mixinStandardHelpOptions = true, description = "Add, list and remove users.",
        subcommands = {UserCommand.Add.class, UserCommand.List.class, UserCommand.Remove.class})
final class UserCommand implements Runnable {

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    @Command(name = "add", mixinStandardHelpOptions = true,
            description = "Add a user (or, with --reset, set an existing one's role and password). The password is asked"
                    + " for on the terminal, or read as one line from standard input.")
    static final class Add implements java.util.concurrent.Callable<Integer> {
        @Parameters(index = "0", description = "The user's name.")
        String name;
        @Option(names = "--role", required = true, description = "viewer, operator, author, developer or admin.")
        String role;
        @Option(names = "--reset", description = "The user exists: set its role and password (its sessions end).")
        boolean reset;
        @Mixin
        AccessCommands.Home home;

        @Override
        public Integer call() throws IOException {
            Optional<String> password = readPassword();
            if (password.isEmpty()) {
                System.err.println("steward: no password given (the two entries must match)");
                return 2;
            }
            return AccessCommands.run(home.path, (access, actor, out, err) -> {
                Optional<Role> parsed = AccessCommands.role(role, err);
                if (parsed.isEmpty()) {
                    return 2;
                }
                boolean done = reset ? access.resetUser(name, parsed.get(), password.get(), actor)
                        : access.addUser(name, parsed.get(), password.get(), actor);
                if (!done) {
                    err.println(reset ? "steward: no user '" + name + "'" : "steward: there is a user '" + name + "' already (--reset changes it)");
                    return 1;
                }
                out.println((reset ? "updated " : "added ") + name + " (" + parsed.get().label() + ")");
                return 0;
            });
        }

        private static Optional<String> readPassword() throws IOException {
            Console console = System.console();
            if (interactive(console)) {
                char[] first = console.readPassword("Password: ");
                char[] second = console.readPassword("Again: ");
                if (first == null || second == null || !Arrays.equals(first, second)) {
                    return Optional.empty();
                }
                return Optional.of(new String(first));
            }
            String line = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
            return Optional.ofNullable(line).filter(l -> !l.isEmpty());
        }
    }

    /** Console.isTerminal() arrived in JDK 22 (where System.console() is no longer null when redirected). */
    static boolean interactive(Console console) {
        if (console == null) {
            return false;
        }
        try {
            return (Boolean) Console.class.getMethod("isTerminal").invoke(console);
        } catch (ReflectiveOperationException e) {
            return true;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Every user and its role.")
    static final class List implements java.util.concurrent.Callable<Integer> {
        @Mixin
        AccessCommands.Home home;

        @Override
        public Integer call() {
            return AccessCommands.run(home.path, (access, actor, out, err) -> {
                out.printf("%-24s %-10s %s%n", "NAME", "ROLE", "CREATED");
                access.users().forEach(u -> out.printf("%-24s %-10s %s%n", u.name(), u.role(), u.createdAt()));
                return 0;
            });
        }
    }

    @Command(name = "remove", mixinStandardHelpOptions = true, description = "Remove a user; its sessions end.")
    static final class Remove implements java.util.concurrent.Callable<Integer> {
        @Parameters(index = "0", description = "The user's name.")
        String name;
        @Mixin
        AccessCommands.Home home;

        @Override
        public Integer call() {
            return AccessCommands.run(home.path, (access, actor, out, err) -> {
                if (!access.removeUser(name, actor)) {
                    err.println("steward: no user '" + name + "'");
                    return 1;
                }
                out.println("removed " + name);
                return 0;
            });
        }
    }
}
