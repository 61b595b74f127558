package dev.steward.host;

import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.util.List;

/**
 * {@code steward}: the command line. Each subcommand is one class beside this one, listed in
 * {@link #COMMANDS}; picocli builds the model of only the one invoked (its reflection over all
 * of them was a fifth of the main thread's work before {@code serve}'s ready line, bench/startup.md
 * Round 5), of all of them for anything else.
 */
@Command(name = "steward", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Runs CRM-ERP micro-integrations: webhooks in, mastership rules decide each field, connectors write.")
public final class Main implements Runnable {

    /** The subcommands, in the order the usage lists them. */
    static final List<Class<?>> COMMANDS = List.of(ServeCommand.class, ValidateCommand.class, ReadCommand.class,
            BareIntakeCommand.class, AuditCommand.class, BatchCommand.class, TokenCommand.class, UserCommand.class,
            TestCommand.class, PreviewCommand.class);

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    static int run(String... args) {
        return commandLine(args).setCaseInsensitiveEnumValuesAllowed(true).execute(args);
    }

    /**
     * The command line for these arguments: when the first names a subcommand, with only that
     * one (what it parses, prints and does is the same as with all of them); otherwise (no
     * arguments, an option such as {@code --help}, an unknown name) with every subcommand.
     */
    static CommandLine commandLine(String... args) {
        CommandLine line = new CommandLine(new Main());
        String first = args.length == 0 ? "" : args[0];
        List<Class<?>> invoked = COMMANDS.stream().filter(c -> c.getAnnotation(Command.class).name().equals(first)).toList();
        for (Class<?> command : invoked.isEmpty() ? COMMANDS : invoked) {
            line.addSubcommand(command);
        }
        return line;
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = Main.class.getPackage().getImplementationVersion();
            return new String[] {"steward " + (version == null ? "development build" : version)};
        }
    }
}
