package dev.steward.connector.quickbooks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.steward.connector.http.SystemHttp;
import dev.steward.plugin.Connector;
import dev.steward.plugin.EntityConfig;
import dev.steward.plugin.Page;
import dev.steward.plugin.RecordWrite;
import dev.steward.plugin.SystemRecord;
import dev.steward.plugin.SystemUnavailableException;
import dev.steward.plugin.VersionConflictException;
import dev.steward.plugin.WriteOptions;
import dev.steward.plugin.WriteRefusedException;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The connector of one QuickBooks Online company: reads an object by {@code Id}
 * ({@code GET /v3/company/{realmId}/customer/{id}}) or by a field of yours with a query, writes
 * with QuickBooks' sparse update ({@code POST /customer} with {@code Id}, the current
 * {@code SyncToken} and {@code sparse: true}) or creates, lists with {@code STARTPOSITION} and
 * {@code MAXRESULTS}. The {@code SyncToken} is the record's version: a write with a stale one
 * (QuickBooks' {@code Stale Object Error}, code 5010) is a {@link VersionConflictException}.
 *
 * <p>Thread-safe: the tokens are shared and refreshed one at a time; everything else is per call.
 */
final class QuickBooksConnector implements Connector {

    static final ObjectMapper JSON = new ObjectMapper();
    private static final int STALE_RETRIES = 3;
    private static final int MAX_PAGE = 1000;
    /** QuickBooks takes at most 30 items per batch. */
    private static final int BATCH = 30;

    private final String system;
    private final QuickBooksSettings settings;
    private final SystemHttp http;
    private final QuickBooksTokens tokens;
    private final QuickBooksAnswers answers;
    /** Records just read by {@link #readRecord}, for the versioned write that usually follows; a few hundred at most. */
    private final Map<String, ObjectNode> lastRead = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, ObjectNode> eldest) {
            return size() > 256;
        }
    };

    QuickBooksConnector(String system, QuickBooksSettings settings, SystemHttp http, QuickBooksTokens tokens) {
        this.system = system;
        this.settings = settings;
        this.http = http;
        this.tokens = tokens;
        this.answers = new QuickBooksAnswers(system, settings.throttleWait());
    }

    @Override
    public Optional<Map<String, Object>> read(EntityConfig entity, String key) {
        return readRecord(entity, key).map(SystemRecord::fields);
    }

    @Override
    public Optional<SystemRecord> readRecord(EntityConfig entity, String key) {
        QuickBooksSettings.Entity e = entity(entity);
        Optional<ObjectNode> found = find(e, key);
        found.ifPresent(record -> remember(entity.name(), key, record));
        return found.map(record -> record(e, key, record));
    }

    /**
     * The record last read for this key, when it still has the SyncToken a versioned write expects:
     * the write then needs no second read (QuickBooks counts every request against the company's
     * limit). Were it stale, QuickBooks refuses the write with 5010 all the same.
     */
    private Optional<ObjectNode> recalled(String entity, String key, String syncToken) {
        synchronized (lastRead) {
            ObjectNode record = lastRead.remove(entity + "\u0000" + key);
            return record != null && record.path("SyncToken").asText().equals(syncToken)
                    ? Optional.of(record) : Optional.empty();
        }
    }

    private void remember(String entity, String key, ObjectNode record) {
        synchronized (lastRead) {
            lastRead.put(entity + "\u0000" + key, record);
        }
    }

    @Override
    public void upsert(EntityConfig entity, String key, Map<String, Object> fields, WriteOptions options) {
        upsert(entity, RecordWrite.of(key, fields, options));
    }

    @Override
    public void upsert(EntityConfig entity, RecordWrite write) {
        QuickBooksSettings.Entity e = entity(entity);
        for (int attempt = 1; ; attempt++) {
            Optional<ObjectNode> existing = write.expectedVersion().isPresent() && attempt == 1
                    ? recalled(entity.name(), write.key(), write.expectedVersion().get()) : Optional.empty();
            if (existing.isEmpty()) {
                existing = find(e, write.key());
            }
            if (existing.isEmpty()) {
                if (write.expectedVersion().isPresent()) {
                    throw new VersionConflictException(e.object() + " " + write.key() + " is gone since Steward read it",
                            write.key());
                }
                create(e, write);
                return;
            }
            String syncToken = existing.get().path("SyncToken").asText();
            if (write.expectedVersion().isPresent() && !write.expectedVersion().get().equals(syncToken)) {
                throw new VersionConflictException(e.object() + " " + write.key() + " has SyncToken " + syncToken
                        + ", not " + write.expectedVersion().get() + " that Steward read", write.key());
            }
            try {
                update(e, existing.get(), write.fields());
                return;
            } catch (VersionConflictException stale) {
                // without an expected version the write is unconditional: read the new SyncToken and write again
                if (write.expectedVersion().isPresent() || attempt >= STALE_RETRIES) {
                    throw new VersionConflictException(stale.getMessage(), write.key());
                }
            }
        }
    }

    /**
     * Writes with QuickBooks' batch call ({@code POST /batch}, at most 30 items): one query finds
     * the records and their SyncTokens, then one batch per 30 writes creates and updates them. A
     * write whose record changed in between is written again alone when it is unconditional; the
     * first refusal is thrown, the writes before it stay applied (upserts may be repeated). Lists
     * that write one key twice go one write at a time, in order.
     */
    @Override
    public void upsertAll(EntityConfig entity, List<RecordWrite> writes) {
        QuickBooksSettings.Entity e = entity(entity);
        if (writes.size() <= 1 || writes.stream().map(RecordWrite::key).distinct().count() < writes.size()) {
            for (RecordWrite write : writes) {
                upsert(entity, write);
            }
            return;
        }
        for (int from = 0; from < writes.size(); from += BATCH) {
            List<RecordWrite> chunk = writes.subList(from, Math.min(writes.size(), from + BATCH));
            Map<String, ObjectNode> existing = findAll(e, chunk.stream().map(RecordWrite::key).toList());
            List<ObjectNode> items = new ArrayList<>();
            for (int i = 0; i < chunk.size(); i++) {
                RecordWrite write = chunk.get(i);
                ObjectNode record = existing.get(write.key());
                ObjectNode item = JSON.createObjectNode();
                item.put("bId", String.valueOf(i));
                if (record == null) {
                    if (write.expectedVersion().isPresent()) {
                        throw new VersionConflictException(e.object() + " " + write.key() + " is gone since Steward read it",
                                write.key());
                    }
                    item.put("operation", "create");
                    item.set(e.object(), createBody(e, write));
                } else {
                    String syncToken = record.path("SyncToken").asText();
                    if (write.expectedVersion().isPresent() && !write.expectedVersion().get().equals(syncToken)) {
                        throw new VersionConflictException(e.object() + " " + write.key() + " has SyncToken " + syncToken
                                + ", not " + write.expectedVersion().get() + " that Steward read", write.key());
                    }
                    item.put("operation", "update");
                    item.set(e.object(), updateBody(record, write.fields()));
                }
                items.add(item);
            }
            ObjectNode body = JSON.createObjectNode();
            body.putArray("BatchItemRequest").addAll(items);
            JsonNode answer = call("POST", "batch", body, "a batch of " + items.size() + " " + e.object(), false).orElseThrow();
            for (JsonNode response : answer.path("BatchItemResponse")) {
                JsonNode fault = response.get("Fault");
                if (fault == null) {
                    continue;
                }
                RecordWrite write = chunk.get(Integer.parseInt(response.path("bId").asText("0")));
                ObjectNode single = JSON.createObjectNode();
                single.set("Fault", fault);
                try {
                    answers.read("POST", URI.create(settings.baseUrl() + "/batch"),
                            new SystemHttp.Answer(400, Map.of(), single.toString()), e.object() + " " + write.key(), false);
                } catch (VersionConflictException stale) {
                    if (write.expectedVersion().isPresent()) {
                        throw new VersionConflictException(stale.getMessage(), write.key());
                    }
                    upsert(entity, write); // unconditional: read the new SyncToken and write it alone
                }
            }
        }
    }

    private Map<String, ObjectNode> findAll(QuickBooksSettings.Entity e, List<String> keys) {
        List<String> wanted = e.keyedById() ? keys.stream().filter(k -> k.matches("\\d{1,18}")).toList() : keys;
        Map<String, ObjectNode> found = new LinkedHashMap<>();
        if (wanted.isEmpty()) {
            return found;
        }
        StringBuilder in = new StringBuilder();
        for (String key : wanted) {
            in.append(in.isEmpty() ? "" : ", ").append(quote(key));
        }
        for (ObjectNode record : query(e, "select * from " + e.object() + " where " + e.key() + " in (" + in
                + ") maxresults " + MAX_PAGE)) {
            String key = record.path(e.key()).asText();
            if (found.put(key, record) != null) {
                throw new WriteRefusedException(system + ": more than one " + e.object() + " has " + e.key() + " '" + key
                        + "'; the key field must be unique", 0, key);
            }
        }
        return found;
    }

    private static String quote(String value) {
        return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }

    @Override
    public Page list(EntityConfig entity, Optional<String> cursor, int limit) {
        QuickBooksSettings.Entity e = entity(entity);
        long start = 1;
        if (cursor.isPresent()) {
            if (!cursor.get().matches("\\d{1,9}")) {
                throw new WriteRefusedException(system + ": '" + cursor.get() + "' is not a cursor of this connector",
                        0, cursor.get());
            }
            start = Long.parseLong(cursor.get());
        }
        int max = Math.max(1, Math.min(limit, MAX_PAGE));
        List<ObjectNode> page = query(e, "select * from " + e.object() + " orderby Id startposition " + start
                + " maxresults " + max);
        List<SystemRecord> records = new ArrayList<>();
        for (ObjectNode r : page) {
            JsonNode key = r.path(e.key());
            if (key.isValueNode() && !key.asText().isEmpty()) {
                records.add(record(e, key.asText(), r));
            }
        }
        Optional<String> next = page.size() < max ? Optional.empty() : Optional.of(String.valueOf(start + page.size()));
        return new Page(records, next);
    }

    /** The refresh token's refusal, until a refresh works again: an operator must re-authorize. */
    @Override
    public Optional<String> unreachable() {
        return tokens.alert();
    }

    @Override
    public void close() {
        http.close();
    }

    private QuickBooksSettings.Entity entity(EntityConfig entity) {
        QuickBooksSettings.Entity e = settings.entities().get(entity.name());
        if (e == null) {
            throw new WriteRefusedException(system + " has no entity " + entity.name(), 0, entity.name());
        }
        return e;
    }

    private Optional<ObjectNode> find(QuickBooksSettings.Entity e, String key) {
        if (e.keyedById()) {
            if (!key.matches("\\d{1,18}")) {
                return Optional.empty(); // QuickBooks Ids are numbers: no such record
            }
            Optional<JsonNode> answer = call("GET", e.path() + "/" + key, null, e.object() + " " + key, true);
            return answer.map(a -> (ObjectNode) a.get(e.object()));
        }
        List<ObjectNode> found = query(e, "select * from " + e.object() + " where " + e.key() + " = " + quote(key)
                + " maxresults 2");
        if (found.size() > 1) {
            throw new WriteRefusedException(system + ": more than one " + e.object() + " has " + e.key() + " '" + key
                    + "'; the key field must be unique", 0, key);
        }
        return found.stream().findFirst();
    }

    private List<ObjectNode> query(QuickBooksSettings.Entity e, String text) {
        JsonNode answer = call("GET", "query?query=" + URLEncoder.encode(text, StandardCharsets.UTF_8)
                .replace("+", "%20"), null, "query", false).orElseThrow();
        List<ObjectNode> records = new ArrayList<>();
        answer.path("QueryResponse").path(e.object()).forEach(r -> records.add((ObjectNode) r));
        return records;
    }

    private void create(QuickBooksSettings.Entity e, RecordWrite write) {
        call("POST", e.path(), createBody(e, write), e.object() + " " + write.key(), false);
    }

    private ObjectNode createBody(QuickBooksSettings.Entity e, RecordWrite write) {
        if (e.keyedById()) {
            throw new WriteRefusedException(system + " has no " + e.object() + " with Id " + write.key()
                    + ", and QuickBooks gives Ids itself: key entity " + e.object() + " on a field of yours"
                    + " (key: DisplayName) for Steward to create records", 0, write.key());
        }
        ObjectNode body = JSON.valueToTree(e.defaults());
        QuickBooksFields.put(body, e.key(), write.key());
        write.fields().forEach((name, value) -> QuickBooksFields.put(body, name, value));
        return body;
    }

    private void update(QuickBooksSettings.Entity e, ObjectNode existing, Map<String, Object> fields) {
        call("POST", e.path(), updateBody(existing, fields), e.object() + " " + existing.path("Id").asText(), false);
    }

    private static ObjectNode updateBody(ObjectNode existing, Map<String, Object> fields) {
        ObjectNode body = JSON.createObjectNode();
        body.set("Id", existing.get("Id"));
        body.set("SyncToken", existing.get("SyncToken"));
        body.put("sparse", true);
        for (Map.Entry<String, Object> field : fields.entrySet()) {
            String top = field.getKey().split("\\.")[0];
            if (!body.has(top) && existing.get(top) instanceof ObjectNode nested && field.getKey().contains(".")) {
                body.set(top, nested.deepCopy()); // a nested object is sent whole: keep its other fields
            }
            QuickBooksFields.put(body, field.getKey(), field.getValue());
        }
        return body;
    }

    private SystemRecord record(QuickBooksSettings.Entity e, String key, ObjectNode record) {
        Map<String, Object> fields = new LinkedHashMap<>();
        for (String nativeName : e.fields().values()) {
            QuickBooksFields.get(record, nativeName).ifPresent(value -> fields.put(nativeName, value));
        }
        return new SystemRecord(key, fields, Optional.of(record.path("SyncToken").asText()));
    }

    /**
     * One call of the Accounting API, with a fresh token (once more after a 401).
     *
     * @param notFoundIsEmpty whether QuickBooks' "Object Not Found" (610) means "no such record"
     * @return the answer's JSON; empty for a record not found
     */
    private Optional<JsonNode> call(String method, String pathAndQuery, ObjectNode body, String what,
                                    boolean notFoundIsEmpty) {
        String sep = pathAndQuery.contains("?") ? "&" : "?";
        URI uri = URI.create(settings.baseUrl() + "/v3/company/" + settings.realmId() + "/" + pathAndQuery + sep
                + "minorversion=" + settings.minorVersion());
        for (int attempt = 1; ; attempt++) {
            String token = tokens.accessToken();
            Map<String, String> headers = new LinkedHashMap<>();
            headers.put("Authorization", "Bearer " + token);
            headers.put("Accept", "application/json");
            SystemHttp.Answer answer;
            try {
                answer = http.send(method, uri, headers, body == null ? null : body.toString(),
                        body == null ? null : "application/json");
            } catch (IOException e) {
                throw new SystemUnavailableException(system + ": " + method + " " + uri.getPath() + " failed: "
                        + e.getMessage(), e);
            }
            if (answer.status() == 401 && attempt == 1) {
                tokens.invalidate(token);
                continue;
            }
            return answers.read(method, uri, answer, what, notFoundIsEmpty);
        }
    }
}
