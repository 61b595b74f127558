package dev.steward.host;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.core.ConsoleAppender;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class LogSetupTest {

    @Test
    void oneLineAMessageOnStderrWithTheLibrariesAtWarnAndTheRunLogAsAsked() {
        LoggerContext context = new LoggerContext();
        LogSetup.apply(context, "DEBUG");
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        assertThat(root.getLevel()).isEqualTo(Level.INFO);
        assertThat(root.getAppender("OUT")).isInstanceOfSatisfying(ConsoleAppender.class,
                out -> assertThat(out.getTarget()).isEqualTo("System.err"));
        assertThat(context.getLogger("org.eclipse.jetty.server.Server").getEffectiveLevel()).isEqualTo(Level.WARN);
        assertThat(context.getLogger("org.flywaydb.core.Flyway").getEffectiveLevel()).isEqualTo(Level.WARN);
        assertThat(context.getLogger("dev.steward.run.EventWorkers").getEffectiveLevel()).isEqualTo(Level.DEBUG);
        assertThat(context.getLogger("dev.steward.host.ServeCommand").getEffectiveLevel()).isEqualTo(Level.INFO);
    }

    @Test
    void theRunLogIsAtInfoUnlessAsked() {
        LoggerContext context = new LoggerContext();
        LogSetup.apply(context, null);
        assertThat(context.getLogger("dev.steward.run.EventWorkers").getEffectiveLevel()).isEqualTo(Level.INFO);
        assertThat(context.getLogger("dev.steward.run.EventWorkers").isDebugEnabled()).isFalse();
    }
}
