package com.example.steward.csv;

import dev.steward.plugin.Connector;
import dev.steward.plugin.ConnectorException;
import dev.steward.plugin.EntityConfig;
import dev.steward.plugin.Page;
import dev.steward.plugin.SystemRecord;
import dev.steward.plugin.WriteOptions;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Reads and writes the rows of CSV files. Each call reads the whole file, and a write replaces
 * it atomically (a temporary file moved over it), so a reader never sees half a file: fine for
 * the few hundred rows of a spreadsheet, not for a database's worth. An empty cell reads as null.
 * Thread-safe: one lock per connector serialises its file access.
 */
final class CsvConnector implements Connector {

    private final Path folder;
    private final System.Logger logger;
    private final ReentrantLock lock = new ReentrantLock();

    CsvConnector(Path folder, System.Logger logger) {
        this.folder = folder;
        this.logger = logger;
    }

    @Override
    public Optional<Map<String, Object>> read(EntityConfig entity, String key) {
        lock.lock();
        try {
            Table table = Table.read(file(entity), entity.setting("key").orElseThrow());
            return table.row(key).map(row -> mapped(entity, row));
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void upsert(EntityConfig entity, String key, Map<String, Object> fields, WriteOptions options) {
        lock.lock();
        try {
            Path file = file(entity);
            Table table = Table.read(file, entity.setting("key").orElseThrow());
            table.upsert(key, fields);
            table.write(file);
            logger.log(System.Logger.Level.DEBUG, "wrote {0} {1} to {2}", entity.name(), key, file.getFileName());
        } finally {
            lock.unlock();
        }
    }

    /** Rows in key order, {@code limit} at a time; the cursor is the last key of a page. */
    @Override
    public Page list(EntityConfig entity, Optional<String> cursor, int limit) {
        lock.lock();
        try {
            Table table = Table.read(file(entity), entity.setting("key").orElseThrow());
            List<String> keys = table.keys().stream().sorted()
                    .filter(key -> cursor.isEmpty() || key.compareTo(cursor.get()) > 0).toList();
            List<SystemRecord> records = new ArrayList<>();
            for (String key : keys.subList(0, Math.min(limit, keys.size()))) {
                records.add(SystemRecord.unversioned(key, mapped(entity, table.row(key).orElseThrow())));
            }
            return keys.size() > limit ? new Page(records, Optional.of(records.getLast().key())) : Page.last(records);
        } finally {
            lock.unlock();
        }
    }

    private Path file(EntityConfig entity) {
        return folder.resolve(entity.setting("file").orElseThrow());
    }

    private static Map<String, Object> mapped(EntityConfig entity, Map<String, String> row) {
        Map<String, Object> fields = new LinkedHashMap<>();
        for (String column : entity.fields().values()) {
            if (row.containsKey(column)) {
                String value = row.get(column);
                fields.put(column, value.isEmpty() ? null : value);
            }
        }
        return fields;
    }

    /** One CSV file in memory: a header and rows by key, in file order. */
    private record Table(String keyColumn, List<String> header, Map<String, Map<String, String>> rows) {

        static Table read(Path file, String keyColumn) {
            List<String> header = new ArrayList<>(List.of(keyColumn));
            Map<String, Map<String, String>> rows = new LinkedHashMap<>();
            if (!Files.exists(file)) {
                return new Table(keyColumn, header, rows);
            }
            List<List<String>> lines;
            try {
                lines = Csv.parse(Files.readString(file, StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new ConnectorException("cannot read " + file.getFileName() + ": " + e.getMessage(), true, e);
            } catch (IllegalArgumentException e) {
                throw new ConnectorException(file.getFileName() + " is not valid CSV: " + e.getMessage(), false, e);
            }
            if (lines.isEmpty()) {
                return new Table(keyColumn, header, rows);
            }
            header = new ArrayList<>(lines.getFirst());
            int keyIndex = header.indexOf(keyColumn);
            if (keyIndex < 0) {
                throw new ConnectorException(file.getFileName() + " has no column '" + keyColumn + "' in its header", false);
            }
            for (List<String> line : lines.subList(1, lines.size())) {
                Map<String, String> row = new LinkedHashMap<>();
                for (int i = 0; i < header.size(); i++) {
                    row.put(header.get(i), i < line.size() ? line.get(i) : "");
                }
                rows.put(row.get(keyColumn), row);
            }
            return new Table(keyColumn, header, rows);
        }

        Optional<Map<String, String>> row(String key) {
            return Optional.ofNullable(rows.get(key));
        }

        List<String> keys() {
            return List.copyOf(rows.keySet());
        }

        void upsert(String key, Map<String, Object> fields) {
            Map<String, String> row = rows.computeIfAbsent(key, k -> {
                Map<String, String> fresh = new LinkedHashMap<>();
                fresh.put(keyColumn, k);
                return fresh;
            });
            fields.forEach((column, value) -> {
                if (!header.contains(column)) {
                    header.add(column);
                }
                row.put(column, value == null ? "" : String.valueOf(value));
            });
        }

        void write(Path file) {
            List<List<String>> lines = new ArrayList<>();
            lines.add(header);
            for (Map<String, String> row : rows.values()) {
                lines.add(header.stream().map(column -> row.getOrDefault(column, "")).toList());
            }
            try {
                Files.createDirectories(file.getParent());
                Path temporary = Files.createTempFile(file.getParent(), file.getFileName().toString(), ".tmp");
                Files.writeString(temporary, Csv.format(lines), StandardCharsets.UTF_8);
                Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                throw new ConnectorException("cannot write " + file.getFileName() + ": " + e.getMessage(), true, e);
            }
        }
    }
}
