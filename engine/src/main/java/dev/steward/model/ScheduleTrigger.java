package dev.steward.model;

import com.cronutils.model.Cron;
import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;

import java.time.Instant;
import java.time.ZoneId;
import java.util.Optional;

/**
 * {@code trigger.schedule} of a flow: each time the cron expression matches (in {@code zone}),
 * one event, whose payload is the tick's time, so the flow's steps run once per tick.
 *
 * @param cron the expression as written: five fields (minute hour day-of-month month
 *             day-of-week, as crontab) or six with seconds first (as Spring)
 * @param zone the time zone the expression is read in; UTC unless the flow names one
 */
public record ScheduleTrigger(String cron, ZoneId zone) implements Trigger {

    private static final CronParser UNIX = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));
    private static final CronParser WITH_SECONDS = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.SPRING));

    @Override
    public String kind() {
        return "schedule";
    }

    /** The first tick strictly after {@code after}, or empty if the expression never matches again. */
    public Optional<Instant> nextAfter(Instant after) {
        return ExecutionTime.forCron(parse(cron)).nextExecution(after.atZone(zone)).map(t -> t.toInstant());
    }

    /** The latest tick at or before {@code at}, or empty if the expression never matched before it. */
    public Optional<Instant> latestUpTo(Instant at) {
        // lastExecution is strictly before its argument; a tick exactly at 'at' counts
        return ExecutionTime.forCron(parse(cron)).lastExecution(at.plusMillis(1).atZone(zone)).map(t -> t.toInstant());
    }

    /**
     * The expression parsed by the parser for its field count.
     *
     * @throws IllegalArgumentException with the parser's reason when it is not a cron expression
     */
    public static Cron parse(String cron) {
        String[] fields = cron.trim().split("\\s+");
        if (fields.length == 5) {
            return UNIX.parse(cron.trim());
        }
        if (fields.length == 6) {
            return WITH_SECONDS.parse(cron.trim());
        }
        throw new IllegalArgumentException("it has " + fields.length + " fields; write five (minute hour day month"
                + " weekday, like \"0 2 * * *\") or six with seconds first (\"*/10 * * * * *\")");
    }
}
