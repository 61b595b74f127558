package dev.steward.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Savepoint;

/**
 * Upserts one row of a table keyed by (system_name, entity, record_key, field) that holds a
 * value, the event it came from, a time and a version: {@code known_values}.
 * UPDATE then INSERT, so H2 and PostgreSQL run the same SQL; an INSERT that loses a race to
 * another transaction updates instead. Stateless.
 *
 * @param time          the table's time column
 * @param version       the table's version column
 */
record FieldRows(String table, String time, String version) {

    static final FieldRows KNOWN_VALUES = new FieldRows("known_values", "updated_at", "source_version");

    void upsert(Connection c, String system, String entity, String key, String field, String valueJson, String eventId,
                long now, String versionValue) throws SQLException {
        if (update(c, system, entity, key, field, valueJson, eventId, now, versionValue)) {
            return;
        }
        // PostgreSQL aborts the whole transaction on a failed statement unless it ran under a savepoint.
        Savepoint beforeInsert = c.setSavepoint();
        try (PreparedStatement insert = c.prepareStatement("INSERT INTO " + table + " (system_name, entity, record_key,"
                + " field, value_json, event_id, " + time + ", " + version + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
            insert.setString(1, system);
            insert.setString(2, entity);
            insert.setString(3, key);
            insert.setString(4, field);
            insert.setString(5, valueJson);
            insert.setString(6, eventId);
            insert.setLong(7, now);
            insert.setString(8, versionValue);
            insert.executeUpdate();
            c.releaseSavepoint(beforeInsert);
        } catch (SQLException e) {
            if (!Database.isUniqueViolation(e)) {
                throw e;
            }
            c.rollback(beforeInsert);
            update(c, system, entity, key, field, valueJson, eventId, now, versionValue);
        }
    }

    private boolean update(Connection c, String system, String entity, String key, String field, String valueJson,
                           String eventId, long now, String versionValue) throws SQLException {
        try (PreparedStatement update = c.prepareStatement("UPDATE " + table + " SET value_json = ?, event_id = ?, "
                + time + " = ?, " + version + " = ?"
                + " WHERE system_name = ? AND entity = ? AND record_key = ? AND field = ?")) {
            update.setString(1, valueJson);
            update.setString(2, eventId);
            update.setLong(3, now);
            update.setString(4, versionValue);
            update.setString(5, system);
            update.setString(6, entity);
            update.setString(7, key);
            update.setString(8, field);
            return update.executeUpdate() > 0;
        }
    }
}
