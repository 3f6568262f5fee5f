package dev.lockwise.adapter.lock;

import dev.lockwise.domain.LockwiseException;
import dev.lockwise.domain.lease.LeaseTable;
import dev.lockwise.jdbc.SqlFailures;
import dev.lockwise.jdbc.SqlIdentifiers;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.sql.DataSource;

/**
 * For "custom migrations" mode, where Lockwise applies nothing: checks at start-up that the lease table exists with
 * the columns and types the lock needs, and otherwise fails with the DDL to create it.
 */
public final class LeaseTableCheck {
    private LeaseTableCheck() {
    }

    /**
     * @param table where the lease table should be
     * @return the DDL the lease lock expects, for the user's own migrations
     */
    public static String expectedDdl(LeaseTable table) {
        return "CREATE TABLE " + SqlIdentifiers.qualified(table) + " (\n"
                + "    lock_id    TEXT        NOT NULL PRIMARY KEY,\n"
                + "    generation BIGINT      NOT NULL,\n"
                + "    expires_at TIMESTAMPTZ NOT NULL\n"
                + ");";
    }

    /**
     * @param dataSource the database to check
     * @param table      where the lease table should be
     * @throws LeaseTableMismatchException if the table is missing or its columns differ
     */
    public static void verify(DataSource dataSource, LeaseTable table) {
        Map<String, String> expected = new LinkedHashMap<>();
        expected.put("lock_id", "text");
        expected.put("generation", "bigint");
        expected.put("expires_at", "timestamp with time zone");
        Map<String, String> actual = new LinkedHashMap<>();
        try (Connection connection = dataSource.getConnection();
             PreparedStatement columns = connection.prepareStatement(
                     "SELECT column_name, data_type FROM information_schema.columns"
                             + " WHERE table_schema = ? AND table_name = ?")) {
            columns.setString(1, table.schema());
            columns.setString(2, table.table());
            try (ResultSet rows = columns.executeQuery()) {
                while (rows.next()) {
                    actual.put(rows.getString(1), rows.getString(2));
                }
            }
        } catch (SQLException e) {
            throw SqlFailures.translate("check lease table " + SqlIdentifiers.qualified(table), e);
        }
        if (actual.isEmpty()) {
            throw new LeaseTableMismatchException("lease table " + SqlIdentifiers.qualified(table)
                    + " does not exist. With custom migrations, create it yourself:\n" + expectedDdl(table));
        }
        for (Map.Entry<String, String> column : expected.entrySet()) {
            if (!column.getValue().equals(actual.get(column.getKey()))) {
                throw new LeaseTableMismatchException("lease table " + SqlIdentifiers.qualified(table) + " has column "
                        + column.getKey() + " " + (actual.containsKey(column.getKey()) ? "of type "
                        + actual.get(column.getKey()) : "missing") + ", expected " + column.getValue()
                        + ". The lease lock needs:\n" + expectedDdl(table));
            }
        }
    }

    /** The lease table does not match what the lock needs. */
    public static final class LeaseTableMismatchException extends LockwiseException {
        private static final long serialVersionUID = 1L;

        /** @param message what differs, with the DDL the lock needs */
        public LeaseTableMismatchException(String message) {
            super(message);
        }
    }
}
