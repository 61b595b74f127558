package dev.steward.testing.vendors.quickbooks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The records of one QuickBooks company (realm) in the fake: Customer, Item and Invoice objects as
 * QuickBooks holds them, each with its {@code Id}, a {@code SyncToken} that grows by one per write,
 * and {@code MetaData}. Every create and update is reported to a listener (the webhooks).
 *
 * <p>Thread-safe: every method holds the realm's lock.
 */
public final class QuickBooksRealm {

    /** A change, as a webhook reports it. */
    interface Listener {
        void changed(String realmId, String entity, String id, String operation, String lastUpdated);
    }

    /** The write carried a SyncToken the record no longer has (Intuit's 5010). */
    static final class StaleObjectException extends RuntimeException {
        StaleObjectException(String message) {
            super(message);
        }
    }

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ssXXX");

    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'")
            .withZone(ZoneOffset.UTC);

    private final String realmId;
    private final Listener listener;
    private final Map<String, TreeMap<Long, ObjectNode>> records = new HashMap<>();
    private long nextId = 1;
    private java.time.Instant lastStamp = java.time.Instant.EPOCH;

    QuickBooksRealm(String realmId, Listener listener) {
        this.realmId = realmId;
        this.listener = listener;
    }

    /** Creates a record as a QuickBooks user would (a webhook follows); its new {@code Id}. */
    public String create(String entity, Map<String, Object> fields) {
        JsonNode node = QuickBooksFake.JSON.valueToTree(fields);
        return create(entity, node).get("Id").asText();
    }

    /** Changes some fields of a record as a QuickBooks user would (a webhook follows). */
    public void change(String entity, String id, Map<String, Object> fields) {
        JsonNode node = QuickBooksFake.JSON.valueToTree(fields);
        update(entity, id, node, null, true);
    }

    /** A copy of the record, if there is one. */
    public synchronized Optional<ObjectNode> get(String entity, String id) {
        TreeMap<Long, ObjectNode> all = records.get(entity);
        if (all == null || !id.matches("\\d{1,18}")) {
            return Optional.empty();
        }
        ObjectNode record = all.get(Long.parseLong(id));
        return Optional.ofNullable(record == null ? null : record.deepCopy());
    }

    /** Copies of the records of an entity, by Id. */
    public synchronized List<ObjectNode> all(String entity) {
        List<ObjectNode> copies = new ArrayList<>();
        records.getOrDefault(entity, new TreeMap<>()).values().forEach(r -> copies.add(r.deepCopy()));
        copies.sort(Comparator.comparingLong(r -> r.get("Id").asLong()));
        return copies;
    }

    synchronized ObjectNode create(String entity, JsonNode fields) {
        ObjectNode record = ((ObjectNode) fields).deepCopy();
        record.remove(List.of("sparse", "Id", "SyncToken", "MetaData"));
        long id = nextId++;
        String now = now();
        record.put("Id", String.valueOf(id));
        record.put("SyncToken", "0");
        ObjectNode meta = record.putObject("MetaData");
        meta.put("CreateTime", now);
        meta.put("LastUpdatedTime", now);
        record.put("domain", "QBO");
        if (entity.equals("Customer") && !record.has("Active")) {
            record.put("Active", true);
        }
        records.computeIfAbsent(entity, e -> new TreeMap<>()).put(id, record);
        listener.changed(realmId, entity, String.valueOf(id), "Create", stamp());
        return record.deepCopy();
    }

    /**
     * Updates a record: only the given fields with {@code sparse}, else every field is replaced.
     *
     * @param syncToken the SyncToken the writer read; null for a QuickBooks user's own change
     */
    synchronized ObjectNode update(String entity, String id, JsonNode fields, String syncToken, boolean sparse) {
        ObjectNode record = get(entity, id).orElseThrow(() -> new IllegalArgumentException("no " + entity + " " + id));
        String current = record.get("SyncToken").asText();
        if (syncToken != null && !syncToken.equals(current)) {
            throw new StaleObjectException("Stale Object Error : You and another user were working on the same thing."
                    + " Please try again. SyncToken " + syncToken + " is not the current " + current);
        }
        ObjectNode updated = sparse ? record : record.objectNode();
        if (!sparse) {
            updated.set("Id", record.get("Id"));
            updated.set("MetaData", record.get("MetaData"));
            updated.set("domain", record.get("domain"));
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = fields.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            if (!List.of("sparse", "Id", "SyncToken", "MetaData", "domain").contains(field.getKey())) {
                updated.set(field.getKey(), field.getValue().deepCopy());
            }
        }
        String now = now();
        updated.put("SyncToken", String.valueOf(Long.parseLong(current) + 1));
        ((ObjectNode) updated.get("MetaData")).put("LastUpdatedTime", now);
        records.get(entity).put(Long.parseLong(id), updated);
        listener.changed(realmId, entity, id, "Update", stamp());
        return updated.deepCopy();
    }

    /** The webhook's lastUpdated: milliseconds, UTC, never the same twice (two writes in one millisecond stay two events). */
    private String stamp() {
        java.time.Instant at = java.time.Instant.now().truncatedTo(ChronoUnit.MILLIS);
        lastStamp = at.isAfter(lastStamp) ? at : lastStamp.plusMillis(1);
        return STAMP.format(lastStamp);
    }

    private static String now() {
        return OffsetDateTime.now(ZoneOffset.ofHours(-8)).truncatedTo(ChronoUnit.SECONDS).format(TIME);
    }
}
