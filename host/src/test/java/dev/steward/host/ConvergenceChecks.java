package dev.steward.host;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * What must hold once a convergence sequence has settled, checked through the simulated
 * systems' records and PATCH logs and through Steward's own API (events and their traces):
 * <ol>
 *   <li>every subscriber holds its master's latest value of every mastered field, or (without
 *       {@code enforce}, or while the master has no value) its own later edit, which Steward
 *       reported as rejected;</li>
 *   <li>Steward never wrote a field to its master;</li>
 *   <li>Steward wrote each field of each record at most once per edit that could justify it
 *       (the master's edits; with {@code enforce}, the subscriber's edits too, which a heal
 *       answers), never a field that its run decided was an echo, and never took its own
 *       write coming back for a subscriber's change (every rejected value is a person's edit):
 *       no delivery that reports a value Steward wrote, the latest write or any earlier one, is
 *       decided as a change, so no write is ever caused by an echo;</li>
 *   <li>every delivered event is finished;</li>
 *   <li>(the message bound is checked while the sequence plays).</li>
 * </ol>
 */
final class ConvergenceChecks {

    private static final Set<String> FINAL = Set.of("succeeded", "invalid", "failed");

    private ConvergenceChecks() {
    }

    /** Equal JSON values; numbers by value, so 1500 and 1500.00 are the same. */
    static boolean same(JsonNode a, JsonNode b) {
        if (a == null || a.isNull() || b == null || b.isNull()) {
            return (a == null || a.isNull()) && (b == null || b.isNull());
        }
        if (a.isNumber() && b.isNumber()) {
            return a.decimalValue().compareTo(b.decimalValue()) == 0;
        }
        return a.equals(b);
    }

    /** Empty when everything holds; otherwise one line per violation. */
    static List<String> violations(ConvergenceRun run) {
        List<String> problems = new ArrayList<>();
        RunningHost host = run.world.host();

        // 4. Every delivered event finished (and, with two well-behaved systems, succeeded).
        List<JsonNode> events = new ArrayList<>();
        for (String id : run.eventIds) {
            JsonNode event = host.getJson("/api/events/" + id);
            events.add(event);
            String status = event.path("status").asText();
            if (!FINAL.contains(status)) {
                problems.add("4: event " + id + " is " + status);
            } else if (!status.equals("succeeded")) {
                problems.add("4: event " + id + " ended " + status + ": " + event.path("error").asText());
            }
        }
        long backlog = host.getJson("/health").path("backlog").asLong(-1);
        if (backlog != 0) {
            problems.add("4: /health reports a backlog of " + backlog);
        }

        for (String systemName : List.of("crm", "erp")) {
            SimulatedSystem system = run.world.system(systemName);
            for (SimulatedSystem.Patch patch : system.patches(run.keys)) {
                // 2. Never to the master.
                patch.fields().keySet().stream().filter(f -> ConvergenceRun.MASTER.get(f).equals(systemName))
                        .forEach(f -> problems.add("2: Steward wrote " + f + " of " + patch.key() + " to its master "
                                + systemName + ": " + patch.fields()));
            }
        }

        // 3. Field-level writes against the edits that justify them.
        for (String key : run.keys) {
            for (String field : ConvergenceRun.FIELDS) {
                String master = ConvergenceRun.MASTER.get(field);
                String subscriber = master.equals("crm") ? "erp" : "crm";
                long writes = run.world.system(subscriber).patches(List.of(key)).stream()
                        .filter(p -> p.fields().containsKey(field)).count();
                int allowed = run.edits.getOrDefault(master + "/" + key + "/" + field, 0)
                        + (run.enforce ? run.edits.getOrDefault(subscriber + "/" + key + "/" + field, 0) : 0);
                if (writes > allowed) {
                    problems.add("3: Steward wrote " + key + "." + field + " to " + subscriber + " " + writes
                            + " times for " + allowed + " edits that justify a write");
                }
            }
        }
        for (JsonNode event : events) {
            JsonNode trace = event.path("trace");
            for (JsonNode decision : trace.path("decisions")) {
                if (!decision.path("decision").asText().equals("suppress")) {
                    continue;
                }
                String field = decision.path("field").asText();
                for (JsonNode write : trace.path("writes")) {
                    SimulatedSystem target = run.world.system(write.path("system").asText());
                    String result = write.path("result").asText();
                    write.path("fields").fieldNames().forEachRemaining(name -> {
                        if (field.equals(target.canonical(name)) && (result.equals("written") || result.equals("healed"))) {
                            problems.add("3: event " + event.path("eventId").asText() + " suppressed " + field
                                    + " and still wrote it to " + target.name);
                        }
                    });
                }
            }
        }

        // 3. Nothing Steward wrote comes back as a subscriber's change: every rejected value is one
        // that a person in the source system set.
        for (JsonNode event : events) {
            SimulatedSystem source = run.world.system(event.path("trace").path("source").asText("crm"));
            String key = event.path("key").asText();
            for (JsonNode decision : event.path("trace").path("decisions")) {
                String field = decision.path("field").asText();
                if (decision.path("decision").asText().equals("reject") && source.history(List.of(key)).stream()
                        .noneMatch(c -> c.field().equals(field) && c.author() == SimulatedSystem.Author.USER
                                && same(c.value(), decision.path("newValue")))) {
                    problems.add("3: event " + event.path("eventId").asText() + " rejected " + key + "." + field + " = "
                            + decision.path("newValue") + " from " + source.name + ", which no one there set: an echo"
                            + " of Steward's own write taken for a change");
                }
            }
        }

        // 3. No echo is taken for a change: a field whose value in the delivery was set by Steward
        // (its latest write to that system or an earlier one) is suppressed or unchanged, and
        // causes no write.
        for (JsonNode event : events) {
            String eventId = event.path("eventId").asText();
            SimulatedSystem.Webhook webhook = run.webhooks.get(eventId);
            JsonNode trace = event.path("trace");
            for (JsonNode decision : trace.path("decisions")) {
                String field = decision.path("field").asText();
                String outcome = decision.path("decision").asText();
                if (webhook.authors().get(field) == SimulatedSystem.Author.STEWARD && !outcome.equals("suppress")) {
                    List<String> writes = new ArrayList<>();
                    trace.path("writes").forEach(w -> writes.add(w.path("system").asText() + " " + w.path("result").asText()
                            + " " + w.path("fields")));
                    problems.add("3: event " + eventId + " (" + webhook.deliveryId() + " v" + webhook.version() + ") decided "
                            + webhook.key() + "." + field + " = " + decision.path("newValue") + " " + outcome
                            + ", but that value is Steward's own write coming back; writes: " + writes);
                }
            }
        }

        // 1. Convergence.
        for (String key : run.keys) {
            for (String field : ConvergenceRun.FIELDS) {
                String masterName = ConvergenceRun.MASTER.get(field);
                String subscriberName = masterName.equals("crm") ? "erp" : "crm";
                JsonNode masterValue = run.world.system(masterName).value(key, field);
                SimulatedSystem subscriber = run.world.system(subscriberName);
                JsonNode held = subscriber.value(key, field);
                if (same(held, masterValue)) {
                    continue;
                }
                String where = key + "." + field + " in " + subscriberName + " is " + held + ", its master "
                        + masterName + " holds " + masterValue;
                List<SimulatedSystem.FieldChange> changes = subscriber.history(List.of(key)).stream()
                        .filter(c -> c.field().equals(field)).toList();
                if (changes.isEmpty() || changes.getLast().author() != SimulatedSystem.Author.USER) {
                    problems.add("1: " + where + ", and that is not the subscriber's own edit");
                    continue;
                }
                if (run.enforce && masterValue != null) {
                    problems.add("1: " + where + " (enforce): the subscriber's edit was not healed");
                    continue;
                }
                boolean seenBefore = masterValue == null || changes.subList(0, changes.size() - 1).stream()
                        .anyMatch(c -> same(c.value(), masterValue));
                if (!seenBefore) {
                    problems.add("1: " + where + ": the master's value never reached the subscriber");
                }
                boolean rejected = events.stream()
                        .filter(e -> e.path("flow").asText().startsWith(subscriberName + "-") && e.path("key").asText().equals(key))
                        .flatMap(e -> iterable(e.path("trace").path("decisions")).stream())
                        .anyMatch(d -> d.path("field").asText().equals(field) && d.path("decision").asText().equals("reject")
                                && same(d.path("newValue"), held));
                if (!rejected) {
                    problems.add("1: " + where + ": Steward never reported the subscriber's edit as rejected");
                }
            }
        }

        host.engine.store().holds().stream().filter(h -> run.keys.contains(h.key()))
                .forEach(h -> problems.add("hold on " + h.key() + "." + h.field() + ": " + h.reason()));
        return problems;
    }

    private static List<JsonNode> iterable(JsonNode array) {
        List<JsonNode> out = new ArrayList<>();
        array.forEach(out::add);
        return out;
    }
}
