package dev.steward;

import com.fasterxml.jackson.databind.JsonNode;
import dev.steward.api.Preview;
import dev.steward.api.Validation;
import dev.steward.model.Flow;
import dev.steward.model.Step;
import dev.steward.model.Workspace;
import dev.steward.run.DecisionReplay;
import dev.steward.run.Values;
import dev.steward.store.RecordKey;
import dev.steward.store.RecordState;
import dev.steward.store.Store;
import dev.steward.store.StoredEvent;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Replays stored events through two configurations' decisions and counts where they differ
 * ({@link Engine#previewDrafts}, {@link Engine#previewHome}).
 *
 * <p>The inputs are the same on both sides. An event that has run is decided against what
 * Steward knew of its record when it ran, taken from its stored trace (the old value of each
 * field it decided; its unchanged and suppressed fields stay unchanged), so the changes are the
 * ones that event brought, whatever ran after it. An event that has not run yet (pending, or
 * stopped before its rules) is decided against the record's state in the store now, as its
 * run would be. Stateless.
 */
final class Previews {

    /** A side that saw no change to decide in a field the other side decided. */
    static final String UNCHANGED = "unchanged";
    private static final int SAMPLES = 5;

    private Previews() {
    }

    /** The limit asked for, checked: 1 to {@link Preview#MAX_EVENTS}. */
    static int limit(int asked) {
        if (asked < 1 || asked > Preview.MAX_EVENTS) {
            throw new IllegalArgumentException("limit must be between 1 and " + Preview.MAX_EVENTS + ", not " + asked);
        }
        return asked;
    }

    /**
     * The flows whose decisions the drafts may change: every flow when they change
     * {@code steward.yaml} or a system; otherwise the flows whose file, transform script or
     * rules file (in the running workspace or in the draft's) is among the changed paths.
     *
     * @param changed the drafts' paths whose text differs from the file on disk
     */
    static Set<String> affected(Workspace now, Workspace draft, Set<String> changed) {
        boolean all = changed.stream().anyMatch(p -> p.equals(dev.steward.load.WorkspaceLoader.CONFIG_FILE)
                || p.startsWith("systems/"));
        Set<String> affected = new TreeSet<>();
        for (Flow flow : draft.flows().values()) {
            Flow before = now.flows().get(flow.id());
            if (before == null) {
                continue; // a new flow has no events yet
            }
            if (all || dependsOn(flow, changed) || dependsOn(before, changed)) {
                affected.add(flow.id());
            }
        }
        return affected;
    }

    private static boolean dependsOn(Flow flow, Set<String> changed) {
        if (changed.contains(flow.file())) {
            return true;
        }
        for (Step step : flow.steps()) {
            if (step instanceof Step.Rules rules && rules.files().stream().anyMatch(f -> changed.contains("rules/" + f))) {
                return true;
            }
            if (step instanceof Step.Transform transform && changed.contains(transform.script())) {
                return true;
            }
        }
        return false;
    }

    /**
     * Decides each event with {@code after} and with {@code before} (or, when null, takes what
     * the event's stored trace recorded, and leaves out events that have not run), and counts
     * the fields whose decisions differ.
     */
    static Preview compare(Store store, DecisionReplay before, DecisionReplay after, List<StoredEvent> events,
                           Instant historySince, String current, String draft, Set<String> flows, long startedNanos) {
        Map<RecordKey, RecordState> states = before == null ? Map.of() : store.recordStates(events.stream()
                .filter(e -> !DecisionReplay.decided(trace(e))).map(e -> new RecordKey(e.entity(), e.key()))
                .toList(), historySince);
        Map<Group, Tally> groups = new LinkedHashMap<>();
        int replayed = 0;
        int changed = 0;
        for (StoredEvent event : events) {
            Flow next = after.workspace().flows().get(event.flowId());
            Flow now = before == null ? next : before.workspace().flows().get(event.flowId());
            JsonNode payload = payload(event);
            JsonNode trace = trace(event);
            boolean decided = DecisionReplay.decided(trace);
            if (next == null || now == null || payload == null || (before == null && !decided)) {
                continue;
            }
            DecisionReplay.Observed seenAfter = after.observe(next, event.id(), event.key(), payload);
            Map<String, DecisionReplay.Verdict> was;
            Map<String, DecisionReplay.Verdict> will;
            if (decided) {
                DecisionReplay.Observed seenBefore = before == null ? null : before.observe(now, event.id(), event.key(), payload);
                DecisionReplay.Observed baseline = seenBefore != null && seenBefore.error() == null ? seenBefore : seenAfter;
                var known = DecisionReplay.knownBefore(trace, baseline.error() == null ? baseline.fields() : Map.of());
                was = before == null ? DecisionReplay.recorded(trace)
                        : before.decide(now, event.key(), seenBefore, null, known, Map.of());
                will = after.decide(next, event.key(), seenAfter, null, known, Map.of());
            } else {
                RecordState state = states.get(new RecordKey(event.entity(), event.key()));
                was = before.decide(now, event.key(), before.observe(now, event.id(), event.key(), payload),
                        version(now, payload), state.known(now.source()), state.recentWrites(now.source()));
                will = after.decide(next, event.key(), seenAfter, version(next, payload), state.known(next.source()),
                        state.recentWrites(next.source()));
            }
            replayed++;
            boolean differs = false;
            Set<String> fields = new LinkedHashSet<>(was.keySet());
            fields.addAll(will.keySet());
            for (String field : fields) {
                DecisionReplay.Verdict b = was.getOrDefault(field, new DecisionReplay.Verdict(UNCHANGED, null));
                DecisionReplay.Verdict a = will.getOrDefault(field, new DecisionReplay.Verdict(UNCHANGED, null));
                if (!b.decision().equals(a.decision())) {
                    differs = true;
                    groups.computeIfAbsent(new Group(event.flowId(), event.entity(), field, b.decision(), a.decision(),
                            b.by(), a.by()), g -> new Tally()).add(event.id());
                }
            }
            changed += differs ? 1 : 0;
        }
        List<Preview.Difference> differences = new ArrayList<>();
        groups.forEach((g, t) -> differences.add(new Preview.Difference(g.flow, g.entity, g.field, g.before, g.after,
                g.beforeBy, g.afterBy, t.count, List.copyOf(t.samples))));
        differences.sort(Comparator.comparingInt(Preview.Difference::count).reversed()
                .thenComparing(Preview.Difference::flow).thenComparing(Preview.Difference::field));
        long elapsed = (System.nanoTime() - startedNanos) / 1_000_000;
        List<String> notes = flows.stream().map(id -> after.workspace().flows().get(id))
                .filter(flow -> flow != null && flow.fetch())
                .map(flow -> "flow " + flow.id() + " has fetch: true, which a preview skips (it calls no connector): its"
                        + " events are decided on their stored payloads, not on the records " + flow.source() + " holds")
                .toList();
        return new Preview(new Validation(true, false, List.of(), Map.of(), java.util.Optional.ofNullable(draft)),
                current, draft, replayed, changed, elapsed, List.copyOf(flows), List.copyOf(differences), notes);
    }

    private static String version(Flow flow, JsonNode payload) {
        return flow.versionPath().map(path -> Values.at(payload, path))
                .filter(node -> !node.isMissingNode() && !node.isNull()).map(Values::canonical).orElse(null);
    }

    private static JsonNode payload(StoredEvent event) {
        try {
            return Values.JSON.readTree(event.payload());
        } catch (java.io.IOException | RuntimeException e) {
            return null;
        }
    }

    private static JsonNode trace(StoredEvent event) {
        if (event.trace() == null) {
            return null;
        }
        try {
            return Values.JSON.readTree(event.trace());
        } catch (java.io.IOException | RuntimeException e) {
            return null;
        }
    }

    private record Group(String flow, String entity, String field, String before, String after, String beforeBy,
                         String afterBy) {
    }

    private static final class Tally {
        int count;
        final List<String> samples = new ArrayList<>();

        void add(String eventId) {
            count++;
            if (samples.size() < SAMPLES) {
                samples.add(eventId);
            }
        }
    }
}
