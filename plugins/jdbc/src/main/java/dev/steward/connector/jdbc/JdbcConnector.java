package dev.steward.connector.jdbc;

import com.zaxxer.hikari.HikariDataSource;
import dev.steward.plugin.Connector;
import dev.steward.plugin.ConnectorException;
import dev.steward.plugin.EntityConfig;
import dev.steward.plugin.SystemUnavailableException;
import dev.steward.plugin.WriteOptions;
import dev.steward.plugin.WriteRefusedException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Reads a record with one SELECT by key and writes it with UPDATE, then INSERT when no row
 * was updated, in one transaction: portable where {@code MERGE} and {@code ON CONFLICT} are
 * not. Thread-safe: each call borrows its own connection from the pool.
 */
final class JdbcConnector implements Connector {

    private final String system;
    private final HikariDataSource pool;
    private volatile SqlIdentifiers identifiers;

    JdbcConnector(String system, HikariDataSource pool) {
        this.system = system;
        this.pool = pool;
    }

    @Override
    public Optional<Map<String, Object>> read(EntityConfig entity, String key) {
        String keyColumn = keyColumn(entity);
        List<String> columns = new ArrayList<>(new LinkedHashSet<>(entity.fields().values()));
        String doing = "read " + entity.name() + " " + key;
        try (Connection connection = pool.getConnection()) {
            SqlIdentifiers ids = identifiers(connection);
            List<String> selected = new ArrayList<>();
            selected.add(ids.quote(keyColumn));
            columns.forEach(c -> selected.add(ids.quote(c)));
            String sql = "SELECT " + String.join(", ", selected) + " FROM " + ids.quote(table(entity))
                    + " WHERE " + ids.quote(keyColumn) + " = ?";
            try (PreparedStatement select = connection.prepareStatement(sql)) {
                select.setString(1, key);
                try (ResultSet rs = select.executeQuery()) {
                    if (!rs.next()) {
                        return Optional.empty();
                    }
                    Map<String, Object> record = new LinkedHashMap<>();
                    for (int i = 0; i < columns.size(); i++) {
                        record.put(columns.get(i), ColumnValues.read(rs, i + 2));
                    }
                    return Optional.of(Collections.unmodifiableMap(record));
                }
            }
        } catch (SQLException e) {
            throw SqlErrors.classify(system, doing, e);
        }
    }

    @Override
    public void upsert(EntityConfig entity, String key, Map<String, Object> fields, WriteOptions options) {
        String keyColumn = keyColumn(entity);
        String doing = "write " + entity.name() + " " + key;
        Map<String, Object> values = columnValues(entity, keyColumn, fields, doing);
        try (Connection connection = pool.getConnection()) {
            SqlIdentifiers ids = identifiers(connection);
            connection.setAutoCommit(false);
            try {
                if (update(connection, ids, entity, key, values) == 0) {
                    try {
                        insert(connection, ids, entity, key, values);
                    } catch (SQLException e) {
                        if (!SqlErrors.isUniqueViolation(e)) {
                            throw e;
                        }
                        // someone inserted the row since our UPDATE: it exists now, so update it
                        connection.rollback();
                        if (update(connection, ids, entity, key, values) == 0) {
                            throw new SystemUnavailableException(system + " could not " + doing
                                    + ": the row was inserted and removed by someone else meanwhile");
                        }
                    }
                }
                connection.commit();
            } catch (SQLException | RuntimeException e) {
                rollbackQuietly(connection, e);
                throw e;
            }
            // the pool restores auto-commit when the connection goes back
        } catch (SQLException e) {
            throw SqlErrors.classify(system, doing, e);
        }
    }

    @Override
    public void close() {
        pool.close();
    }

    private int update(Connection connection, SqlIdentifiers ids, EntityConfig entity, String key,
                       Map<String, Object> values) throws SQLException {
        String keyColumn = ids.quote(keyColumn(entity));
        // with nothing to set, "SET key = key" still tells whether the row exists
        String assignments = values.isEmpty() ? keyColumn + " = " + keyColumn
                : values.keySet().stream().map(c -> ids.quote(c) + " = ?").collect(Collectors.joining(", "));
        String sql = "UPDATE " + ids.quote(table(entity)) + " SET " + assignments + " WHERE " + keyColumn + " = ?";
        try (PreparedStatement update = connection.prepareStatement(sql)) {
            int i = bind(update, 1, values.values());
            update.setString(i, key);
            return update.executeUpdate();
        }
    }

    private void insert(Connection connection, SqlIdentifiers ids, EntityConfig entity, String key,
                        Map<String, Object> values) throws SQLException {
        List<String> columns = new ArrayList<>();
        columns.add(ids.quote(keyColumn(entity)));
        values.keySet().forEach(c -> columns.add(ids.quote(c)));
        String sql = "INSERT INTO " + ids.quote(table(entity)) + " (" + String.join(", ", columns)
                + ") VALUES (" + String.join(", ", Collections.nCopies(columns.size(), "?")) + ")";
        try (PreparedStatement insert = connection.prepareStatement(sql)) {
            insert.setString(1, key);
            bind(insert, 2, values.values());
            insert.executeUpdate();
        }
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
    private Map<String, Object> columnValues(EntityConfig entity, String keyColumn, Map<String, Object> fields,
                                             String doing) {
        Set<String> mapped = Set.copyOf(entity.fields().values());
        Map<String, Object> values = new LinkedHashMap<>();
        for (Map.Entry<String, Object> field : fields.entrySet()) {
            String column = field.getKey();
            if (!mapped.contains(column)) {
                throw new ConnectorException(system + " cannot " + doing + ": " + column
                        + " is not a mapped column of " + entity.name(), false);
            }
            if (field.getValue() instanceof Map<?, ?> || field.getValue() instanceof Collection<?>) {
                String answer = column + " holds one value, not a list or an object";
                throw new WriteRefusedException(system + " cannot " + doing + ": " + answer, 0, answer);
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
