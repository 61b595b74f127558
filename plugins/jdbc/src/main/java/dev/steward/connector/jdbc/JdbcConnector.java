package dev.steward.connector.jdbc;

import com.zaxxer.hikari.HikariDataSource;
import dev.steward.plugin.ActionNotSupportedException;
import dev.steward.plugin.Connector;
import dev.steward.plugin.ConnectorException;
import dev.steward.plugin.EntityConfig;
import dev.steward.plugin.Page;
import dev.steward.plugin.RecordWrite;
import dev.steward.plugin.SystemRecord;
import dev.steward.plugin.SystemUnavailableException;
import dev.steward.plugin.WriteOptions;
import dev.steward.plugin.WriteRefusedException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * Reads a record with one SELECT by key, lists records a page at a time in key order, and
 * writes in one transaction with one statement a row where the database has one: H2's
 * {@code MERGE ... KEY}, PostgreSQL's {@code INSERT ... ON CONFLICT} (when the key column has a
 * unique index); elsewhere (SQLite, other databases, a PostgreSQL key without one) with UPDATE,
 * then INSERT where no row was updated. A flow's
 * {@code call} runs one of the system's named {@code statements}. Thread-safe:
 * each call borrows its own connection from the pool.
 */
final class JdbcConnector implements Connector {

    /** Unique violations in a row (concurrent first writes of a key) before giving up. */
    private static final int MAX_ATTEMPTS = 3;

    private final String system;
    private final HikariDataSource pool;
    private final Map<String, NamedStatement> statements;
    private volatile SqlIdentifiers identifiers;
    /** The database's product name, as its driver says it. */
    private volatile String product;
    /** PostgreSQL tables whose key column has no unique index, so no ON CONFLICT: written the portable way. */
    private final Set<String> noConflictTarget = ConcurrentHashMap.newKeySet();

    /** Why the database could not be reached at start, or null; kept until the pool holds a connection. */
    private volatile String unreachableAtStart;

    JdbcConnector(String system, HikariDataSource pool) {
        this(system, pool, null);
    }

    JdbcConnector(String system, HikariDataSource pool, String unreachableAtStart) {
        this(system, pool, unreachableAtStart, Map.of());
    }

    JdbcConnector(String system, HikariDataSource pool, String unreachableAtStart, Map<String, NamedStatement> statements) {
        this.statements = statements;
        this.system = system;
        this.pool = pool;
        this.unreachableAtStart = unreachableAtStart;
    }

    /**
     * The pool keeps at least one connection open and retries in the background while it has
     * none, so an empty pool means the database does not answer; its count is read without
     * connecting.
     */
    @Override
    public Optional<String> unreachable() {
        var state = pool.getHikariPoolMXBean();
        if (state == null || state.getTotalConnections() > 0) {
            unreachableAtStart = null;
            return Optional.empty();
        }
        String why = unreachableAtStart;
        return Optional.of("the database cannot be reached" + (why == null ? "" : ": " + why));
    }

    @Override
    public Optional<Map<String, Object>> read(EntityConfig entity, String key) {
        String keyColumn = keyColumn(entity);
        List<String> columns = new ArrayList<>(new LinkedHashSet<>(entity.fields().values()));
        String doing = "read " + entity.name() + " " + key;
        try (Connection connection = pool.getConnection()) {
            SqlIdentifiers ids = identifiers(connection);
            String sql = "SELECT " + selectList(ids, keyColumn, columns) + " FROM " + ids.quote(table(entity))
                    + " WHERE " + ids.quote(keyColumn) + " = ?";
            try (PreparedStatement select = connection.prepareStatement(sql)) {
                select.setString(1, key);
                try (ResultSet rs = select.executeQuery()) {
                    if (!rs.next()) {
                        return Optional.empty();
                    }
                    return Optional.of(Collections.unmodifiableMap(row(rs, columns)));
                }
            }
        } catch (SQLException e) {
            throw SqlErrors.classify(system, doing, e);
        }
    }

    @Override
    public void upsert(EntityConfig entity, String key, Map<String, Object> fields, WriteOptions options) {
        upsertAll(entity, List.of(RecordWrite.of(key, fields, options)));
    }

    @Override
    public void upsert(EntityConfig entity, RecordWrite write) {
        upsertAll(entity, List.of(write));
    }

    /**
     * A JDBC batch of UPDATEs, then a batch of INSERTs for the keys no UPDATE found, in one
     * transaction: all the writes apply or none. Writes to one key are merged in order first,
     * so the INSERT batch never holds a key twice. A unique violation means someone else
     * inserted one of the rows meanwhile; the whole transaction then runs again, and its
     * UPDATE finds the row.
     */
    @Override
    public void upsertAll(EntityConfig entity, List<RecordWrite> writes) {
        if (writes.isEmpty()) {
            return;
        }
        String keyColumn = keyColumn(entity);
        // the mapped columns once per call, not per write (a batch chunk holds a thousand)
        Set<String> mapped = Set.copyOf(entity.fields().values());
        Map<String, Map<String, Object>> byKey = new LinkedHashMap<>();
        for (RecordWrite write : writes) {
            if (write.expectedVersion().isPresent()) {
                throw new ActionNotSupportedException(system + " cannot write " + entity.name() + " " + write.key()
                        + " only if unchanged: the jdbc connector keeps no record versions", "versioned upsert");
            }
            if (write.key().isEmpty()) {
                throw new ConnectorException(system + " cannot write a " + entity.name() + " without a key", false);
            }
            byKey.computeIfAbsent(write.key(), k -> new LinkedHashMap<>())
                    .putAll(columnValues(entity, mapped, keyColumn, write));
        }
        String doing = byKey.size() == 1 ? "write " + entity.name() + " " + byKey.keySet().iterator().next()
                : "write " + byKey.size() + " " + entity.name() + " records";
        try (Connection connection = pool.getConnection()) {
            SqlIdentifiers ids = identifiers(connection);
            connection.setAutoCommit(false);
            for (int attempt = 1; ; attempt++) {
                try {
                    if (!mergeAll(connection, ids, entity, byKey)) {
                        List<Map.Entry<String, Map<String, Object>>> missing = updateAll(connection, ids, entity, byKey);
                        insertAll(connection, ids, entity, missing);
                    }
                    connection.commit();
                    return;
                } catch (SQLException e) {
                    rollbackQuietly(connection, e);
                    if (isPostgres(connection) && "42P10".equals(SqlErrors.cause(e).getSQLState())
                            && noConflictTarget.add(table(entity))) {
                        attempt--; // no unique index on the key: the portable way, not a failed attempt
                        continue;
                    }
                    if (!SqlErrors.isUniqueViolation(e)) {
                        throw e;
                    }
                    if (attempt == MAX_ATTEMPTS) {
                        throw new SystemUnavailableException(system + " could not " + doing + ": rows kept being"
                                + " inserted and removed by someone else meanwhile", e);
                    }
                } catch (RuntimeException e) {
                    rollbackQuietly(connection, e);
                    throw e;
                }
            }
            // the pool restores auto-commit when the connection goes back
        } catch (SQLException e) {
            throw SqlErrors.classify(system, doing, e);
        }
    }

    /**
     * Records in key order, after the cursor (the last key of the previous page): keyset
     * pagination, so a page costs the same wherever it is and rows inserted meanwhile do not
     * shift the pages.
     */
    @Override
    public Page list(EntityConfig entity, Optional<String> cursor, int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1, not " + limit);
        }
        String keyColumn = keyColumn(entity);
        List<String> columns = new ArrayList<>(new LinkedHashSet<>(entity.fields().values()));
        String doing = "list " + entity.name() + " records" + cursor.map(c -> " after " + c).orElse("");
        try (Connection connection = pool.getConnection()) {
            SqlIdentifiers ids = identifiers(connection);
            String sql = "SELECT " + selectList(ids, keyColumn, columns) + " FROM " + ids.quote(table(entity))
                    + (cursor.isPresent() ? " WHERE " + ids.quote(keyColumn) + " > ?" : "")
                    + " ORDER BY " + ids.quote(keyColumn) + " LIMIT ?";
            try (PreparedStatement select = connection.prepareStatement(sql)) {
                int i = 1;
                if (cursor.isPresent()) {
                    select.setString(i++, cursor.get());
                }
                // one more than asked: whether it exists tells if another page follows
                select.setInt(i, limit + 1);
                List<SystemRecord> records = new ArrayList<>();
                boolean more = false;
                try (ResultSet rs = select.executeQuery()) {
                    while (rs.next()) {
                        if (records.size() == limit) {
                            more = true;
                            break;
                        }
                        records.add(SystemRecord.unversioned(rs.getString(1), row(rs, columns)));
                    }
                }
                return new Page(records, more ? Optional.of(records.getLast().key()) : Optional.empty());
            }
        } catch (SQLException e) {
            throw SqlErrors.classify(system, doing, e);
        }
    }

    /**
     * {@code call} step of a flow: runs the statement the system declares under that name, with
     * the input's values for its {@code :name} parameters ({@code :idempotencyKey}, unless the
     * input gives it, is the call's idempotency key). The result is the first row a query
     * returns, or {@code {updated: n}} with the generated keys of an INSERT; column names in
     * lower case.
     */
    @Override
    public Map<String, Object> call(String action, Map<String, Object> input, WriteOptions options) {
        NamedStatement statement = statements.get(action);
        if (statement == null) {
            throw new ActionNotSupportedException(system + " has no statement '" + action + "' (steward.yaml declares: "
                    + (statements.isEmpty() ? "none" : String.join(", ", new java.util.TreeSet<>(statements.keySet())))
                    + ")", "call:" + action);
        }
        Optional<String> missing = statement.missing(input);
        if (missing.isPresent()) {
            throw new ConnectorException(system + " cannot run " + action + ": the call's input has no " + missing.get(), false);
        }
        String doing = "run " + action;
        try (Connection connection = pool.getConnection();
             PreparedStatement prepared = connection.prepareStatement(statement.sql(), Statement.RETURN_GENERATED_KEYS)) {
            int i = 1;
            for (String parameter : statement.parameters()) {
                Object value = input.containsKey(parameter) || options == null ? input.get(parameter) : options.idempotencyKey();
                if (value instanceof Map<?, ?> || value instanceof Collection<?>) {
                    String answer = parameter + " holds one value, not a list or an object";
                    throw new WriteRefusedException(system + " cannot " + doing + ": " + answer, 0, answer);
                }
                prepared.setObject(i++, value);
            }
            if (prepared.execute()) {
                try (ResultSet rs = prepared.getResultSet()) {
                    return rs.next() ? labelled(rs) : Map.of();
                }
            }
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("updated", prepared.getUpdateCount());
            try (ResultSet keys = prepared.getGeneratedKeys()) {
                if (keys != null && keys.next()) {
                    result.putAll(labelled(keys));
                }
            }
            return result;
        } catch (SQLException e) {
            throw SqlErrors.classify(system, doing, e);
        }
    }

    @Override
    public Map<String, Object> call(String action, Map<String, Object> input) {
        return call(action, input, null);
    }

    /** The row's columns by lower-case label. */
    private static Map<String, Object> labelled(ResultSet rs) throws SQLException {
        var meta = rs.getMetaData();
        Map<String, Object> row = new LinkedHashMap<>();
        for (int c = 1; c <= meta.getColumnCount(); c++) {
            row.put(meta.getColumnLabel(c).toLowerCase(java.util.Locale.ROOT), ColumnValues.read(rs, c));
        }
        return row;
    }

    @Override
    public void close() {
        pool.close();
    }

    /** Rows per H2 MERGE statement in {@link #mergeAll}. */
    static final int ROWS_PER_MERGE = 100;

    /**
     * Writes every row with an upsert statement, in JDBC batches (on H2, {@link #ROWS_PER_MERGE}
     * rows a statement, the rest one a statement), where the database has such an upsert: H2's
     * {@code MERGE INTO t (key, c...) KEY (key) VALUES (...)} (an UPDATE, else an INSERT),
     * PostgreSQL's {@code INSERT ... ON CONFLICT (key) DO UPDATE} (needs a unique index on the key
     * column: without one it fails with 42P10). False, having written nothing, elsewhere.
     */
    private boolean mergeAll(Connection connection, SqlIdentifiers ids, EntityConfig entity,
                             Map<String, Map<String, Object>> byKey) throws SQLException {
        boolean h2 = "H2".equals(product(connection));
        if (!h2 && !(isPostgres(connection) && !noConflictTarget.contains(table(entity)))) {
            return false;
        }
        String key = ids.quote(keyColumn(entity));
        for (var group : byColumns(byKey.entrySet()).entrySet()) {
            List<String> columns = new ArrayList<>();
            columns.add(key);
            group.getKey().forEach(c -> columns.add(ids.quote(c)));
            String row = "(" + String.join(", ", Collections.nCopies(columns.size(), "?")) + ")";
            String sql;
            if (h2) {
                sql = "MERGE INTO " + ids.quote(table(entity)) + " (" + String.join(", ", columns) + ") KEY (" + key + ")"
                        + " VALUES " + row;
            } else {
                sql = "INSERT INTO " + ids.quote(table(entity)) + " (" + String.join(", ", columns) + ") VALUES " + row
                        + " ON CONFLICT (" + key + ") DO " + (group.getKey().isEmpty() ? "NOTHING" : "UPDATE SET "
                        + columns.subList(1, columns.size()).stream().map(c -> c + " = EXCLUDED." + c)
                        .collect(Collectors.joining(", ")));
            }
            List<Map.Entry<String, Map<String, Object>>> writes = group.getValue();
            // H2 starts and ends a statement for each row of a JDBC batch; a MERGE of many rows does
            // that once for them all (PostgreSQL's driver already sends its batch so:
            // reWriteBatchedInserts). The rest, fewer than ROWS_PER_MERGE, go row by row.
            int grouped = h2 ? writes.size() - writes.size() % ROWS_PER_MERGE : 0;
            if (grouped > 0) {
                try (PreparedStatement merge = connection.prepareStatement(sql + (", " + row).repeat(ROWS_PER_MERGE - 1))) {
                    for (int start = 0; start < grouped; start += ROWS_PER_MERGE) {
                        int at = 1;
                        for (var write : writes.subList(start, start + ROWS_PER_MERGE)) {
                            merge.setString(at, write.getKey());
                            at = bind(merge, at + 1, write.getValue().values());
                        }
                        merge.addBatch();
                    }
                    merge.executeBatch();
                }
            }
            if (grouped < writes.size()) {
                try (PreparedStatement merge = connection.prepareStatement(sql)) {
                    for (var write : writes.subList(grouped, writes.size())) {
                        merge.setString(1, write.getKey());
                        bind(merge, 2, write.getValue().values());
                        merge.addBatch();
                    }
                    merge.executeBatch();
                }
            }
        }
        return true;
    }

    private String product(Connection connection) throws SQLException {
        String known = product;
        if (known == null) {
            known = connection.getMetaData().getDatabaseProductName();
            product = known;
        }
        return known;
    }

    private boolean isPostgres(Connection connection) throws SQLException {
        return "PostgreSQL".equals(product(connection));
    }

    /** The writes whose key no UPDATE found, in order. */
    private List<Map.Entry<String, Map<String, Object>>> updateAll(
            Connection connection, SqlIdentifiers ids, EntityConfig entity,
            Map<String, Map<String, Object>> byKey) throws SQLException {
        List<Map.Entry<String, Map<String, Object>>> missing = new ArrayList<>();
        String keyColumn = ids.quote(keyColumn(entity));
        for (var group : byColumns(byKey.entrySet()).entrySet()) {
            // with nothing to set, "SET key = key" still tells whether the row exists
            String assignments = group.getKey().isEmpty() ? keyColumn + " = " + keyColumn
                    : group.getKey().stream().map(c -> ids.quote(c) + " = ?").collect(Collectors.joining(", "));
            String sql = "UPDATE " + ids.quote(table(entity)) + " SET " + assignments + " WHERE " + keyColumn + " = ?";
            try (PreparedStatement update = connection.prepareStatement(sql)) {
                for (var write : group.getValue()) {
                    int i = bind(update, 1, write.getValue().values());
                    update.setString(i, write.getKey());
                    update.addBatch();
                }
                int[] counts = update.executeBatch();
                for (int i = 0; i < counts.length; i++) {
                    var write = group.getValue().get(i);
                    if (counts[i] == 0 || (counts[i] == Statement.SUCCESS_NO_INFO
                            && !exists(connection, ids, entity, write.getKey()))) {
                        missing.add(write);
                    }
                }
            }
        }
        return missing;
    }

    private void insertAll(Connection connection, SqlIdentifiers ids, EntityConfig entity,
                           List<Map.Entry<String, Map<String, Object>>> missing) throws SQLException {
        for (var group : byColumns(missing).entrySet()) {
            List<String> columns = new ArrayList<>();
            columns.add(ids.quote(keyColumn(entity)));
            group.getKey().forEach(c -> columns.add(ids.quote(c)));
            String sql = "INSERT INTO " + ids.quote(table(entity)) + " (" + String.join(", ", columns)
                    + ") VALUES (" + String.join(", ", Collections.nCopies(columns.size(), "?")) + ")";
            try (PreparedStatement insert = connection.prepareStatement(sql)) {
                for (var write : group.getValue()) {
                    insert.setString(1, write.getKey());
                    bind(insert, 2, write.getValue().values());
                    insert.addBatch();
                }
                insert.executeBatch();
            }
        }
    }

    /** Writes grouped by the columns they set, since those make the SQL text; order kept within a group. */
    private static Map<List<String>, List<Map.Entry<String, Map<String, Object>>>> byColumns(
            Collection<Map.Entry<String, Map<String, Object>>> writes) {
        Map<List<String>, List<Map.Entry<String, Map<String, Object>>>> groups = new LinkedHashMap<>();
        List<String> columns = null;
        List<Map.Entry<String, Map<String, Object>>> group = null;
        for (var write : writes) {
            // writes in a row mostly set the same columns: the previous group's, without a new key list
            if (columns == null || !sameColumns(columns, write.getValue().keySet())) {
                columns = List.copyOf(write.getValue().keySet());
                group = groups.computeIfAbsent(columns, k -> new ArrayList<>());
            }
            group.add(write);
        }
        return groups;
    }

    /** Whether {@code keys} are {@code columns}, in the same order. */
    private static boolean sameColumns(List<String> columns, Set<String> keys) {
        if (columns.size() != keys.size()) {
            return false;
        }
        int i = 0;
        for (String key : keys) {
            if (!columns.get(i++).equals(key)) {
                return false;
            }
        }
        return true;
    }

    private boolean exists(Connection connection, SqlIdentifiers ids, EntityConfig entity, String key)
            throws SQLException {
        String sql = "SELECT 1 FROM " + ids.quote(table(entity)) + " WHERE " + ids.quote(keyColumn(entity)) + " = ?";
        try (PreparedStatement select = connection.prepareStatement(sql)) {
            select.setString(1, key);
            try (ResultSet rs = select.executeQuery()) {
                return rs.next();
            }
        }
    }

    private static String selectList(SqlIdentifiers ids, String keyColumn, List<String> columns) {
        List<String> selected = new ArrayList<>();
        selected.add(ids.quote(keyColumn));
        columns.forEach(c -> selected.add(ids.quote(c)));
        return String.join(", ", selected);
    }

    /** The columns after the key, as a record's fields. */
    private static Map<String, Object> row(ResultSet rs, List<String> columns) throws SQLException {
        Map<String, Object> record = new LinkedHashMap<>();
        for (int i = 0; i < columns.size(); i++) {
            record.put(columns.get(i), ColumnValues.read(rs, i + 2));
        }
        return record;
    }

    private static int bind(PreparedStatement statement, int first, Collection<Object> values) throws SQLException {
        int i = first;
        for (Object value : values) {
            statement.setObject(i++, value);
        }
        return i;
    }

    /**
     * The given fields that are columns to set: only the entity's mapped names reach SQL text,
     * and the key column is never set from a field.
     */
    private Map<String, Object> columnValues(EntityConfig entity, Set<String> mapped, String keyColumn,
                                             RecordWrite write) {
        Map<String, Object> values = new LinkedHashMap<>();
        for (Map.Entry<String, Object> field : write.fields().entrySet()) {
            String column = field.getKey();
            if (!mapped.contains(column)) {
                throw new ConnectorException(system + " cannot write " + entity.name() + " " + write.key() + ": " + column
                        + " is not a mapped column of " + entity.name(), false);
            }
            if (field.getValue() instanceof Map<?, ?> || field.getValue() instanceof Collection<?>) {
                String answer = column + " holds one value, not a list or an object";
                throw new WriteRefusedException(system + " cannot write " + entity.name() + " " + write.key() + ": "
                        + answer, 0, answer);
            }
            if (!column.equalsIgnoreCase(keyColumn)) {
                values.put(column, field.getValue());
            }
        }
        return values;
    }

    private SqlIdentifiers identifiers(Connection connection) throws SQLException {
        SqlIdentifiers known = identifiers;
        if (known == null) {
            known = SqlIdentifiers.of(connection.getMetaData());
            identifiers = known;
        }
        return known;
    }

    private static String table(EntityConfig entity) {
        return entity.setting("table").orElseThrow();
    }

    private static String keyColumn(EntityConfig entity) {
        return entity.setting("key").orElseThrow();
    }

    private static void rollbackQuietly(Connection connection, Exception cause) {
        try {
            connection.rollback();
        } catch (SQLException e) {
            cause.addSuppressed(e);
        }
    }
}
