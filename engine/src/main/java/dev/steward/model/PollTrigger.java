package dev.steward.model;

import java.time.Duration;
import java.util.Optional;

/**
 * {@code trigger.poll} of a flow: every {@code every}, the host that holds the trigger's lease
 * lists the entity's records through the system's connector and stores one event per record
 * that changed since the last poll.
 *
 * @param system the system polled (the flow's {@code source})
 * @param entity the entity polled (the flow's {@code entity})
 * @param every  the time from one poll's start to the next
 * @param since  the canonical field whose value grows with every change of a record (an
 *               {@code updatedAt} stamp, a version number): a poll takes the records whose value
 *               is at least the highest one seen so far. Empty for {@code since: cursor}: the
 *               listing resumes from the connector's cursor where the last poll ended, which
 *               sees new records of a system that lists in insertion order
 */
public record PollTrigger(String system, String entity, Duration every, Optional<String> since) implements Trigger {

    @Override
    public String kind() {
        return "poll";
    }

    /** The cursor, not the period: a new {@code every} keeps the position. */
    @Override
    public String stateKey() {
        return "poll " + system + " " + entity + " since " + since.orElse("cursor");
    }
}
