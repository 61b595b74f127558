package dev.steward.host;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.spi.ContextAwareBase;

/**
 * Steward's logging, set up in code (found by Logback through {@link java.util.ServiceLoader}):
 * one line per message on stderr, {@code HH:mm:ss.SSS LEVEL logger [flow event] message}; the
 * libraries' chatter (Jetty, Javalin, Drools, KIE, Hikari, Flyway) at WARN; the one line per
 * run at DEBUG, which {@code STEWARD_RUN_LOG=DEBUG} turns on. Reading the same from a
 * {@code logback.xml} was a tenth of the host's start (an XML parser and Logback's model of it).
 * A {@code logback.xml} or {@code logback-test.xml} on the class path, or
 * {@code -Dlogback.configurationFile=...}, takes over from this.
 */
public final class LogSetup extends ContextAwareBase implements Configurator {

    static final String PATTERN = "%d{HH:mm:ss.SSS} %-5level %logger{20} [%X{flow:-} %X{event:-}] %msg%n";

    @Override
    public ExecutionStatus configure(LoggerContext context) {
        ClassLoader classes = LogSetup.class.getClassLoader();
        if (System.getProperty("logback.configurationFile") != null || classes.getResource("logback-test.xml") != null
                || classes.getResource("logback.xml") != null) {
            return ExecutionStatus.INVOKE_NEXT_IF_ANY;
        }
        apply(context, System.getenv("STEWARD_RUN_LOG"));
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }

    /** Sets {@code context} up as described above, the run log at {@code runLog} (a level name; null: INFO). */
    static void apply(LoggerContext context, String runLog) {
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern(PATTERN);
        encoder.start();
        ConsoleAppender<ILoggingEvent> out = new ConsoleAppender<>();
        out.setContext(context);
        out.setName("OUT");
        out.setTarget("System.err");
        out.setEncoder(encoder);
        out.start();
        for (String quiet : new String[] {"org.eclipse.jetty", "io.javalin", "org.drools", "org.kie", "com.zaxxer.hikari",
                "org.flywaydb"}) {
            context.getLogger(quiet).setLevel(Level.WARN);
        }
        context.getLogger(dev.steward.Engine.RUN_LOG)
                .setLevel(Level.toLevel(runLog == null || runLog.isBlank() ? "INFO" : runLog.strip(), Level.INFO));
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.INFO);
        root.addAppender(out);
    }
}
