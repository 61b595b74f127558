package dev.steward.batch;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.steward.plugin.Connector;
import dev.steward.plugin.EntityConfig;
import dev.steward.plugin.Page;
import dev.steward.plugin.SystemRecord;
import dev.steward.run.Values;

import java.util.Iterator;
import java.util.Optional;

/**
 * The records of an entity as a system lists them ({@link Connector#list}), a page at a time, each
 * as the payload a webhook of that system would carry: its native fields, and its key where the
 * flow looks for it. A checkpoint may be taken at a page's end, with the next page's cursor.
 */
final class ListedRecords implements InputRecords {

    private final String system;
    private final Connector connector;
    private final EntityConfig entity;
    private final String keyPath;
    private final int pageSize;
    private Optional<String> cursor;
    private Iterator<SystemRecord> page = java.util.Collections.emptyIterator();
    private boolean last;
    private long position;

    /**
     * @param cursor   where to start (a checkpoint's cursor), or empty from the first record
     * @param position how many records come before {@code cursor}
     */
    ListedRecords(String system, Connector connector, EntityConfig entity, String keyPath, int pageSize,
                  Optional<String> cursor, long position) {
        this.system = system;
        this.connector = connector;
        this.entity = entity;
        this.keyPath = keyPath;
        this.pageSize = pageSize;
        this.cursor = cursor;
        this.position = position;
    }

    @Override
    public InputRecord next() {
        while (!page.hasNext()) {
            if (last) {
                return null;
            }
            Page fetched = connector.list(entity, cursor, pageSize);
            page = fetched.records().iterator();
            cursor = fetched.next();
            last = fetched.next().isEmpty();
        }
        SystemRecord record = page.next();
        position++;
        ObjectNode payload = (ObjectNode) Values.JSON.valueToTree(record.fields());
        Values.put(payload, keyPath, payload.textNode(record.key()));
        return new InputRecord(position, system + " " + entity.name() + " " + record.key(), payload, null);
    }

    @Override
    public boolean boundary() {
        return !page.hasNext();
    }

    @Override
    public String cursor() {
        return cursor.orElse(null);
    }

    @Override
    public double fraction() {
        return -1;
    }

    @Override
    public void close() {
    }
}
