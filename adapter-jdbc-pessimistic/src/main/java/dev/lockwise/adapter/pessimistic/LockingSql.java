package dev.lockwise.adapter.pessimistic;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * The statements of a row-locked transaction, shaped for few round trips. The lock is held from the locking read
 * until the commit, so round trips are what a row lock costs: the statements travel in two messages, not four —
 * {@code SET LOCAL lock_timeout} with the locking {@code SELECT} ({@link #locking}), and the writes with
 * {@code COMMIT} ({@link #committing}). pgjdbc sends a multi-statement prepared statement in one round trip, binding
 * its parameters in order. {@code SET LOCAL} ends with the transaction.
 */
final class LockingSql {
    private final String setLockTimeout;
    private final String lockTimeoutSource;

    /** @param lockTimeout PostgreSQL's {@code lock_timeout} text, formatted by the caller from a number */
    LockingSql(String lockTimeout) {
        // SET does not take bind parameters; nothing user-typed reaches this text.
        this.setLockTimeout = "SET LOCAL lock_timeout = '" + lockTimeout + "'";
        this.lockTimeoutSource = "(SELECT set_config('lock_timeout', '" + lockTimeout + "', true)) AS bound";
    }

    /** {@code select} (a locking read) preceded by this repository's {@code SET LOCAL lock_timeout}, in one message. */
    String locking(String select) {
        return setLockTimeout + "; " + select;
    }

    /**
     * A one-row table for the {@code FROM} of an autocommit write that may wait on a lock (an insert racing another
     * transaction's uncommitted insert of the same key): evaluated before the row is written, it sets the
     * statement's {@code lock_timeout}, with no round trip and nothing left behind.
     */
    String lockTimeoutSource() {
        return lockTimeoutSource;
    }

    /** {@code writes} followed by {@code COMMIT}, in one message. */
    static String committing(String writes) {
        return writes + "; COMMIT";
    }

    /** Executes a multi-statement query and returns its first result set (the rows of the locking read). */
    static ResultSet firstResultSet(PreparedStatement statement) throws SQLException {
        boolean isResultSet = statement.execute();
        while (!isResultSet && statement.getUpdateCount() != -1) {
            isResultSet = statement.getMoreResults();
        }
        if (!isResultSet) {
            throw new SQLException("the locking read returned no result set");
        }
        return statement.getResultSet();
    }
}
