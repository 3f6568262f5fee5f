package dev.lockwise.jdbc;

import dev.lockwise.domain.lease.LeaseTable;

/**
 * Names put into SQL text. PostgreSQL takes no bind parameter for an identifier, so a table name chosen by
 * configuration is quoted here: even a name that slipped past {@link LeaseTable}'s validation could not end the
 * identifier and inject SQL.
 */
public final class SqlIdentifiers {
    private SqlIdentifiers() {
    }

    /**
     * {@code identifier} as a quoted SQL identifier: in double quotes, each double quote doubled.
     *
     * @param identifier the name to quote, used as is (its case kept)
     * @return the quoted identifier
     */
    public static String quote(String identifier) {
        return '"' + identifier.replace("\"", "\"\"") + '"';
    }

    /**
     * {@code "schema"."table"} of the lease table, safe to put in SQL text.
     *
     * @param table the lease table
     * @return its schema and table name, each quoted, joined by a dot
     */
    public static String qualified(LeaseTable table) {
        return quote(table.schema()) + "." + quote(table.table());
    }
}
