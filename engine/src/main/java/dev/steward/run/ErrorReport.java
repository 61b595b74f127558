package dev.steward.run;

import dev.steward.store.StoredEvent;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Failed and quarantined events grouped by flow, system and {@link FailureCause}: what keeps
 * failing, how often, since when, and a few events to look at.
 */
public final class ErrorReport {

    /** How many event ids a group shows. */
    public static final int SAMPLES = 5;

    /**
     * One kind of failure.
     *
     * @param status    {@code failed} (dead letters) or {@code invalid} (quarantined)
     * @param samples   the newest events of the group, at most {@link #SAMPLES}
     * @param lastError the newest event's error as it was, before normalising
     */
    public record Group(String flow, String system, String status, String cause, long count, Instant firstSeen,
                        Instant lastSeen, List<String> samples, String lastError) {
    }

    private record Key(String flow, String system, String status, String cause) {
    }

    private ErrorReport() {
    }

    /** The groups of the given events, the largest first, then the most recent. */
    public static List<Group> of(List<StoredEvent> events) {
        Map<Key, List<StoredEvent>> groups = new LinkedHashMap<>();
        for (StoredEvent event : events) {
            FailureCause cause = FailureCause.of(event);
            Key key = new Key(event.flowId(), cause.system(), event.status().name().toLowerCase(Locale.ROOT), cause.cause());
            groups.computeIfAbsent(key, k -> new ArrayList<>()).add(event);
        }
        List<Group> out = new ArrayList<>();
        groups.forEach((key, members) -> {
            List<StoredEvent> newestFirst = new ArrayList<>(members);
            newestFirst.sort(Comparator.comparing(ErrorReport::seen).thenComparingLong(StoredEvent::seq).reversed());
            out.add(new Group(key.flow(), key.system(), key.status(), key.cause(), members.size(),
                    seen(newestFirst.getLast()), seen(newestFirst.getFirst()),
                    newestFirst.stream().limit(SAMPLES).map(StoredEvent::id).toList(), newestFirst.getFirst().error()));
        });
        out.sort(Comparator.comparingLong(Group::count).reversed().thenComparing(Group::lastSeen, Comparator.reverseOrder()));
        return out;
    }

    /** Whether an event's cause or its error contains the text, ignoring case: the bulk replay's filter. */
    public static boolean causeContains(StoredEvent event, String text) {
        String wanted = text.toLowerCase(Locale.ROOT);
        return FailureCause.of(event).cause().toLowerCase(Locale.ROOT).contains(wanted)
                || (event.error() != null && event.error().toLowerCase(Locale.ROOT).contains(wanted));
    }

    private static Instant seen(StoredEvent event) {
        return event.finishedAt() != null ? event.finishedAt() : event.receivedAt();
    }
}
