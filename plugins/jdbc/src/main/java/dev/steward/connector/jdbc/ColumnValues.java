package dev.steward.connector.jdbc;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.Clob;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.util.Base64;

/**
 * Turns a column's value into a plain Java value: String, BigDecimal, Long, Integer, Double,
 * Boolean or null; dates and times as ISO-8601 strings, character LOBs as strings, binary as
 * Base64.
 */
final class ColumnValues {

    private ColumnValues() {
    }

    static Object read(ResultSet rs, int column) throws SQLException {
        int type = rs.getMetaData().getColumnType(column);
        Object value = switch (type) {
            case Types.DATE -> rs.getObject(column, LocalDate.class);
            case Types.TIME -> rs.getObject(column, LocalTime.class);
            case Types.TIME_WITH_TIMEZONE -> rs.getObject(column, OffsetTime.class);
            case Types.TIMESTAMP -> rs.getObject(column, LocalDateTime.class);
            case Types.TIMESTAMP_WITH_TIMEZONE -> rs.getObject(column, OffsetDateTime.class);
            case Types.CLOB, Types.NCLOB, Types.LONGVARCHAR, Types.LONGNVARCHAR -> rs.getString(column);
            default -> rs.getObject(column);
        };
        return plain(value);
    }

    private static Object plain(Object value) throws SQLException {
        return switch (value) {
            case null -> null;
            case String s -> s;
            case BigDecimal d -> d;
            case Long l -> l;
            case Integer i -> i;
            case Short s -> s.intValue();
            case Byte b -> b.intValue();
            case Double d -> d;
            case Float f -> Double.valueOf(f.toString());
            case BigInteger i -> new BigDecimal(i);
            case Boolean b -> b;
            case Clob clob -> clob.getSubString(1, (int) clob.length());
            case byte[] bytes -> Base64.getEncoder().encodeToString(bytes);
            case java.sql.Timestamp t -> t.toLocalDateTime().toString();
            case java.sql.Date d -> d.toLocalDate().toString();
            case java.sql.Time t -> t.toLocalTime().toString();
            default -> value.toString();
        };
    }
}
