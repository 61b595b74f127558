package dev.steward.connector.jdbc;

import java.sql.DatabaseMetaData;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.Locale;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Table and column names, checked against a strict pattern and then quoted the way the
 * database folds unquoted names (H2 upper-case, PostgreSQL lower-case). Quoting keeps names
 * that are keywords ({@code key}, {@code value}, {@code order}) working; folding keeps
 * {@code customers} naming the same table it names unquoted. Immutable.
 */
final class SqlIdentifiers {

    static final String RULE = "use letters, digits and _, starting with a letter or _, at most 63 characters";

    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,62}");

    private final String quote;
    private final Case folding;

    private enum Case { UPPER, LOWER, AS_IS }

    private SqlIdentifiers(String quote, Case folding) {
        this.quote = quote;
        this.folding = folding;
    }

    static boolean isColumnName(String name) {
        return name != null && NAME.matcher(name).matches();
    }

    static boolean isTableName(String name) {
        String[] parts = name.split("\\.", -1);
        return parts.length <= 2 && Arrays.stream(parts).allMatch(SqlIdentifiers::isColumnName);
    }

    static SqlIdentifiers of(DatabaseMetaData meta) throws SQLException {
        String quote = meta.getIdentifierQuoteString();
        quote = quote == null || quote.isBlank() ? "" : quote.trim();
        Case folding = meta.storesUpperCaseIdentifiers() ? Case.UPPER
                : meta.storesLowerCaseIdentifiers() ? Case.LOWER : Case.AS_IS;
        return new SqlIdentifiers(quote, folding);
    }

    /** The quoted, case-folded name; {@code schema.table} becomes two quoted parts. */
    String quote(String name) {
        if (!isTableName(name)) {
            // validate() refuses such names; this guards the SQL text all the same
            throw new IllegalArgumentException("not a plain SQL name: " + name);
        }
        return Arrays.stream(name.split("\\."))
                .map(part -> quote + fold(part) + quote)
                .collect(Collectors.joining("."));
    }

    private String fold(String part) {
        return switch (folding) {
            case UPPER -> part.toUpperCase(Locale.ROOT);
            case LOWER -> part.toLowerCase(Locale.ROOT);
            case AS_IS -> part;
        };
    }
}
