package dev.lockwise.domain.lease;

import dev.lockwise.domain.InvalidInputException;

import java.util.regex.Pattern;

/**
 * Where the lease table lives. Both names must be plain SQL identifiers (letters, digits, underscore; not starting
 * with a digit; at most 48 characters so that derived names fit PostgreSQL's 63). The adapters quote them when they
 * put them in SQL, so even a name that slipped past validation could not inject SQL.
 */
public record LeaseTable(String schema, String table) {
    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,47}");

    /** The schema of the lease table by default. */
    public static final String DEFAULT_SCHEMA = "public";
    /** The lease table's name by default. */
    public static final String DEFAULT_TABLE = "lockwise_lease";
    /** {@code public.lockwise_lease}, which the migrations create. */
    public static final LeaseTable DEFAULT = new LeaseTable(DEFAULT_SCHEMA, DEFAULT_TABLE);

    /**
     * @param schema the schema, a plain SQL identifier
     * @param table  the table's name, a plain SQL identifier
     * @throws InvalidInputException if either name is not a plain SQL identifier
     */
    public LeaseTable {
        requireIdentifier("lease table schema", schema);
        requireIdentifier("lease table name", table);
    }

    private static void requireIdentifier(String what, String name) {
        if (name == null || !IDENTIFIER.matcher(name).matches()) {
            throw new InvalidInputException(what + " must be an SQL identifier (letters, digits and _, not starting"
                    + " with a digit, at most 48 characters), got '" + name + "'");
        }
    }

    /** {@code schema.table}, for messages. SQL text quotes the two names (the JDBC support's {@code SqlIdentifiers}). */
    @Override
    public String toString() {
        return schema + "." + table;
    }
}
