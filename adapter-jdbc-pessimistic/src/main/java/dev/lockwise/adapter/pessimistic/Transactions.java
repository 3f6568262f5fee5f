package dev.lockwise.adapter.pessimistic;

import dev.lockwise.domain.DatabaseFailures;
import dev.lockwise.domain.DurationText;
import dev.lockwise.domain.InvalidInputException;
import dev.lockwise.domain.LockwiseException;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;

/**
 * Runs work in one short transaction on a pooled connection: commit on success; on any failure roll back, restore
 * autocommit and hand the connection back, so no session is ever left "idle in transaction" and none leaks.
 *
 * <p>Round trips are what a row lock costs: the lock is held from the locking read until the commit. So the
 * statements travel in two messages, not four: {@code SET LOCAL lock_timeout} with the locking {@code SELECT}
 * ({@link #locking}), and the writes with {@code COMMIT} ({@link #committing}) — pgjdbc sends a multi-statement
 * prepared statement in one round trip, binding its parameters in order. {@code SET LOCAL} ends with the transaction.
 */
final class Transactions {
    /** The longest lock timeout accepted: waiting longer for a row lock is a hang, not a strategy. */
    static final Duration MAX_LOCK_TIMEOUT = Duration.ofMinutes(10);

    private final DataSource dataSource;
    private final String setLockTimeout;
    private final String lockTimeoutSource;

    Transactions(DataSource dataSource, Duration lockTimeout) {
        if (dataSource == null) {
            throw new InvalidInputException("a data source is required");
        }
        if (lockTimeout == null || lockTimeout.toMillis() < 1 || lockTimeout.compareTo(MAX_LOCK_TIMEOUT) > 0) {
            throw new InvalidInputException("lock timeout must be between 1ms and "
                    + DurationText.show(MAX_LOCK_TIMEOUT) + " (every wait is bounded), got "
                    + DurationText.show(lockTimeout));
        }
        this.dataSource = dataSource;
        // A number we format ourselves: SET does not take bind parameters, and nothing user-typed reaches this text.
        this.setLockTimeout = "SET LOCAL lock_timeout = '" + lockTimeout.toMillis() + "ms'";
        this.lockTimeoutSource = "(SELECT set_config('lock_timeout', '" + lockTimeout.toMillis() + "ms', true)) AS bound";
    }

    @FunctionalInterface
    interface Work<T> {
        T run(Connection connection) throws SQLException;
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

    <T> T inTransaction(String what, Work<T> work) {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try {
                T result = work.run(connection);
                connection.commit(); // nothing to send if the work's last message committed
                return result;
            } catch (SQLException | RuntimeException | Error failure) {
                rollback(connection, failure);
                throw failure;
            } finally {
                restoreAutoCommit(connection);
            }
        } catch (SQLException e) {
            throw translate(what, e);
        }
    }

    /**
     * Outside any transaction: one autocommit statement (plain reads, and writes whose waits are bounded by
     * {@link #lockTimeoutSource()}).
     */
    <T> T autocommit(String what, Work<T> work) {
        try (Connection connection = dataSource.getConnection()) {
            return work.run(connection);
        } catch (SQLException e) {
            throw translate(what, e);
        }
    }

    private static LockwiseException translate(String what, SQLException e) {
        return DatabaseFailures.translate(e.getSQLState(), what, e);
    }

    private static void rollback(Connection connection, Throwable failure) {
        try {
            connection.rollback();
        } catch (SQLException rollbackFailure) {
            failure.addSuppressed(rollbackFailure);
        }
    }

    private static void restoreAutoCommit(Connection connection) {
        try {
            connection.setAutoCommit(true);
        } catch (SQLException ignored) {
            // The connection is broken; the pool will discard it.
        }
    }
}
