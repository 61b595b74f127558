package dev.steward.host;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code steward}: the command line. Each subcommand is one class beside this one. */
@Command(name = "steward", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Runs CRM-ERP micro-integrations: webhooks in, mastership rules decide each field, connectors write.",
        subcommands = {ServeCommand.class, ValidateCommand.class, ReadCommand.class, BareIntakeCommand.class,
                AuditCommand.class, BatchCommand.class,
                TokenCommand.class, UserCommand.class, TestCommand.class, PreviewCommand.class})
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    static int run(String... args) {
        return new CommandLine(new Main()).setCaseInsensitiveEnumValuesAllowed(true).execute(args);
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
