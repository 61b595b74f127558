package dev.steward.host;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.steward.store.StoredEvent;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.locks.LockSupport;

/**
 * Plays one convergence sequence against the shared host and the two simulated systems: user
 * edits, deliveries in the sequence's order, then deliveries of everything still queued until
 * nothing is queued and nothing is pending. After every step it waits, bounded, until Steward has
 * finished every event delivered so far, so that a sequence replays the same way from its seed.
 * Not thread-safe: one per try.
 */
final class ConvergenceRun {

    /** The field's master; the other system subscribes. CRM: contact data; ERP: credit and status. */
    static final Map<String, String> MASTER = Map.of("email", "crm", "phone", "crm", "creditLimit", "erp", "status", "erp");
    static final List<String> FIELDS = List.of("email", "phone", "creditLimit", "status");
    static final Duration SETTLE = Duration.ofSeconds(20);

    /**
     * What a sequence took: user edits, webhook deliveries (duplicates included), Steward's
     * PATCHes, the fields they wrote, and how many of those the target held already.
     */
    record Outcome(int edits, int deliveries, int patches, int fieldWrites, int alreadyHeld) {
        int messages() {
            return deliveries + patches;
        }
    }

    final ConvergenceWorld world;
    final boolean enforce;
    /**
     * Whether the flows read the systems' record versions. Without them Steward cannot order
     * deliveries, so each system's webhooks arrive in the order it sent them (the two systems'
     * interleaved at random), as from a system that sends them one at a time.
     */
    final boolean versioned;
    final List<String> keys;
    /** Edits per "system/key/field". */
    final Map<String, Integer> edits = new LinkedHashMap<>();
    /** Every event Steward answered with, in delivery order. */
    final Set<String> eventIds = new LinkedHashSet<>();
    /** The webhook each event came from. */
    final Map<String, SimulatedSystem.Webhook> webhooks = new LinkedHashMap<>();
    private final List<SimulatedSystem.Webhook> queued = new ArrayList<>();
    private final List<SimulatedSystem.Webhook> delivered = new ArrayList<>();
    private final List<String> unfinished = new ArrayList<>();
    private final StringBuilder log = new StringBuilder();
    private final Map<String, Integer> patchesLogged = new LinkedHashMap<>();
    private int editCount;
    private int deliveries;
    private int fresh;

    ConvergenceRun(ConvergenceWorld world, boolean enforce, String tryId, int records) {
        this(world, enforce, true, tryId, records);
    }

    ConvergenceRun(ConvergenceWorld world, boolean enforce, boolean versioned, String tryId, int records) {
        if (!versioned && !enforce) {
            throw new IllegalArgumentException("the world has unversioned flows with enforce only");
        }
        this.world = world;
        this.enforce = enforce;
        this.versioned = versioned;
        List<String> names = new ArrayList<>();
        for (int i = 0; i < records; i++) {
            names.add(tryId + "-" + i);
        }
        this.keys = List.copyOf(names);
    }

    Outcome play(List<ConvergenceStep> steps, long drainOrder) {
        for (ConvergenceStep step : steps) {
            switch (step) {
                case ConvergenceStep.Edit edit -> edit(edit.system(), edit.record(), edit.field(), false);
                case ConvergenceStep.Undo undo -> edit(undo.system(), undo.record(), undo.field(), true);
                case ConvergenceStep.Deliver d -> {
                    if (!queued.isEmpty()) {
                        deliver(queued.remove(pick(d.pick())));
                    }
                }
                case ConvergenceStep.DeliverTwice d -> {
                    if (!queued.isEmpty()) {
                        deliver(queued.get(pick(d.pick())));
                    }
                }
                case ConvergenceStep.Redeliver d -> {
                    if (!delivered.isEmpty()) {
                        deliver(delivered.get(Math.floorMod(d.pick(), delivered.size())));
                    }
                }
                case ConvergenceStep.Flush f -> flush(new Random(f.order()));
            }
            settle();
        }
        Random order = new Random(drainOrder);
        while (!queued.isEmpty()) {
            flush(order);
            settle();
        }
        return outcome();
    }

    Outcome outcome() {
        List<SimulatedSystem.Patch> patches = new ArrayList<>(world.crm().patches(keys));
        patches.addAll(world.erp().patches(keys));
        int fields = patches.stream().mapToInt(p -> p.fields().size()).sum();
        int held = patches.stream().mapToInt(p -> p.alreadyHeld().size()).sum();
        return new Outcome(editCount, deliveries, patches.size(), fields, held);
    }

    /** The bound on messages: the run must settle within it, or it does not end by itself. */
    int bound() {
        return 20 * editCount + 20;
    }

    String log() {
        return log.toString();
    }

    private void edit(String systemName, int record, String field, boolean undo) {
        SimulatedSystem system = world.system(systemName);
        String key = keys.get(Math.floorMod(record, keys.size()));
        JsonNode previous = undo ? previous(system, key, field) : null;
        JsonNode value = previous == null ? freshValue(systemName, field) : previous;
        system.userEdit(key, field, value);
        editCount++;
        edits.merge(systemName + "/" + key + "/" + field, 1, Integer::sum);
        log.append("  ").append(systemName).append(" user sets ").append(key).append('.').append(field).append(" = ")
                .append(value).append(previous != null ? " (undo)" : "").append('\n');
        collect();
    }

    /** The value the field had before its current one in this system, or null. */
    private static JsonNode previous(SimulatedSystem system, String key, String field) {
        JsonNode current = system.value(key, field);
        List<SimulatedSystem.FieldChange> changes = system.history(List.of(key)).stream()
                .filter(c -> c.field().equals(field)).toList();
        for (int i = changes.size() - 1; i >= 0; i--) {
            if (!ConvergenceChecks.same(changes.get(i).value(), current)) {
                return changes.get(i).value();
            }
        }
        return null;
    }

    private JsonNode freshValue(String system, String field) {
        int n = ++fresh;
        return switch (field) {
            case "email" -> JsonNodeFactory.instance.textNode("u" + n + "@" + system + ".example");
            case "phone" -> JsonNodeFactory.instance.textNode("+1 555 " + system + " " + n);
            case "creditLimit" -> JsonNodeFactory.instance.numberNode(1000 + n * (system.equals("erp") ? 10 : 7));
            default -> JsonNodeFactory.instance.textNode(system.toUpperCase() + "-S" + n);
        };
    }

    /** The index in the queue of the webhook to deliver: any one, or without versions a system's oldest. */
    private int pick(int pick) {
        if (versioned) {
            return Math.floorMod(pick, queued.size());
        }
        String system = queued.get(Math.floorMod(pick, queued.size())).system();
        for (int i = 0; ; i++) {
            if (queued.get(i).system().equals(system)) {
                return i;
            }
        }
    }

    private void flush(Random order) {
        if (!versioned) {
            while (!queued.isEmpty()) {
                deliver(queued.remove(pick(order.nextInt(queued.size()))));
            }
            return;
        }
        List<SimulatedSystem.Webhook> all = new ArrayList<>(queued);
        queued.clear();
        Collections.shuffle(all, order);
        all.forEach(this::deliver);
    }

    private void deliver(SimulatedSystem.Webhook webhook) {
        deliveries++;
        if (outcome().messages() > bound()) {
            throw new AssertionError("the systems keep talking: " + outcome().messages() + " messages for " + editCount
                    + " edits (bound " + bound() + ")\n" + log);
        }
        String path = webhook.system() + "/customer" + (!versioned ? "-unversioned" : enforce ? "-enforced" : "");
        HttpResponse<String> response = world.host().hook(path, webhook.body(), webhook.deliveryId());
        if (response.statusCode() != 202) {
            throw new AssertionError("POST /hooks/" + path + " answered " + response.statusCode() + ": " + response.body());
        }
        JsonNode answer = RunningHost.json(response);
        String eventId = answer.get("eventId").asText();
        boolean duplicate = answer.path("duplicate").asBoolean();
        log.append("  deliver ").append(webhook.deliveryId()).append(" v").append(webhook.version()).append(' ')
                .append(webhook.body()).append(duplicate ? " (duplicate)" : "").append('\n');
        if (!delivered.contains(webhook)) {
            delivered.add(webhook);
        }
        eventIds.add(eventId);
        webhooks.putIfAbsent(eventId, webhook);
        unfinished.add(eventId);
    }

    /** Waits until every event delivered so far is finished, then takes the webhooks that caused. */
    private void settle() {
        long deadline = System.nanoTime() + SETTLE.toNanos();
        while (!unfinished.isEmpty()) {
            StoredEvent event = world.host().engine.store().event(unfinished.getFirst()).orElseThrow();
            if (event.status().isFinal()) {
                unfinished.removeFirst();
                continue;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("event " + event.id() + " still " + event.status() + " after " + SETTLE + "\n" + log);
            }
            LockSupport.parkNanos(200_000);
        }
        collect();
    }

    private void collect() {
        for (SimulatedSystem system : List.of(world.crm(), world.erp())) {
            List<SimulatedSystem.Patch> patches = system.patches(keys);
            int seen = patchesLogged.getOrDefault(system.name, 0);
            patches.subList(seen, patches.size()).forEach(p -> log.append("    Steward PATCHes ").append(system.name)
                    .append(' ').append(p.key()).append(' ').append(p.fields()).append('\n'));
            patchesLogged.put(system.name, patches.size());
        }
        queued.addAll(world.crm().takeOutbox(keys));
        queued.addAll(world.erp().takeOutbox(keys));
    }
}
