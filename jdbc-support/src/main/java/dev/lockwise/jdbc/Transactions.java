package dev.lockwise.jdbc;

import dev.lockwise.domain.DurationText;
import dev.lockwise.domain.InvalidInputException;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import javax.sql.DataSource;

/**
 * Work on a pooled connection, one short unit at a time: either a transaction that commits on success and on any
 * failure rolls back, restores autocommit and hands the connection back (so no session is ever left "idle in
 * transaction" and none leaks), or autocommit statements. Every {@link SQLException} leaves as the domain exception
 * {@link SqlFailures} chooses. Shared by the optimistic and the pessimistic adapter, which differ in the SQL they send,
 * not in how they hold a connection.
 */
public final class Transactions {
    /** The bound on row-lock waits when none is given. */
    public static final Duration DEFAULT_LOCK_TIMEOUT = Duration.ofSeconds(5);
    /** The longest lock timeout accepted: waiting longer for a row lock is a hang, not a strategy. */
    public static final Duration MAX_LOCK_TIMEOUT = Duration.ofMinutes(10);

    private final DataSource dataSource;
    private final String lockTimeoutSetting;

    /**
     * @param dataSource  where connections come from
     * @param lockTimeout the bound on every row-lock wait of the adapter that uses this (see {@link #lockTimeoutSetting()})
     * @throws InvalidInputException if either is missing or the timeout is outside 1 ms to {@link #MAX_LOCK_TIMEOUT}
     */
    public Transactions(DataSource dataSource, Duration lockTimeout) {
        if (dataSource == null) {
            throw new InvalidInputException("a data source is required");
        }
        this.dataSource = dataSource;
        this.lockTimeoutSetting = lockTimeoutSetting(lockTimeout);
    }

    /**
     * {@code lockTimeout} if it bounds a wait sensibly.
     *
     * @param lockTimeout the bound on row-lock waits; 1 ms to {@link #MAX_LOCK_TIMEOUT}
     * @return {@code lockTimeout} itself
     * @throws InvalidInputException if it is missing or outside 1 ms to {@link #MAX_LOCK_TIMEOUT}
     */
    public static Duration requireLockTimeout(Duration lockTimeout) {
        if (lockTimeout == null || lockTimeout.toMillis() < 1 || lockTimeout.compareTo(MAX_LOCK_TIMEOUT) > 0) {
            throw new InvalidInputException("lock timeout must be between 1ms and " + DurationText.show(MAX_LOCK_TIMEOUT)
                    + " (every wait is bounded), got " + DurationText.show(lockTimeout));
        }
        return lockTimeout;
    }

    /**
     * This helper's bound on row-lock waits, as {@link #lockTimeoutSetting(Duration)} writes it.
     *
     * @return the lock timeout as PostgreSQL {@code lock_timeout} text, in milliseconds ({@code "5000ms"})
     */
    public String lockTimeoutSetting() {
        return lockTimeoutSetting;
    }

    /**
     * {@code lockTimeout}, once {@link #requireLockTimeout checked}, as PostgreSQL's {@code lock_timeout} text
     * ({@code "5000ms"}): a number formatted here, so nothing user-typed reaches SQL text built from it.
     *
     * @param lockTimeout the bound on row-lock waits; 1 ms to {@link #MAX_LOCK_TIMEOUT}
     * @return its whole milliseconds followed by {@code ms}
     * @throws InvalidInputException if it is missing or outside 1 ms to {@link #MAX_LOCK_TIMEOUT}
     */
    public static String lockTimeoutSetting(Duration lockTimeout) {
        return requireLockTimeout(lockTimeout).toMillis() + "ms";
    }

    /**
     * Statements run on a connection.
     *
     * @param <T> the type of the work's result
     */
    @FunctionalInterface
    public interface Work<T> {
        /**
         * @param connection the pooled connection, in a transaction or in autocommit as the caller chose; not to be
         *                   closed or kept
         * @return the work's result
         * @throws SQLException as the driver reports it; {@link Transactions} translates it
         */
        T run(Connection connection) throws SQLException;
    }

    /** Sets a statement's parameters. */
    @FunctionalInterface
    public interface Binder {
        /** A statement without parameters. */
        Binder NONE = statement -> { };

        /**
         * Binds {@code statement}'s parameters.
         *
         * @param statement the prepared statement, its parameters not yet set
         * @throws SQLException as the driver reports it
         */
        void bind(PreparedStatement statement) throws SQLException;
    }

    /**
     * Reads a query's rows.
     *
     * @param <T> the type of what the rows say
     */
    @FunctionalInterface
    public interface Reader<T> {
        /**
         * @param rows the query's rows, positioned before the first; closed after this returns
         * @return what the rows say
         * @throws SQLException as the driver reports it
         */
        T read(ResultSet rows) throws SQLException;
    }

    /**
     * Runs {@code work} in one transaction: commit on success, roll back on any failure.
     *
     * @param what what is being done, for the message of a failure ("update account 7")
     * @param work the statements, run with autocommit off
     * @param <T>  the type of the work's result
     * @return what the work returned, once committed
     * @throws dev.lockwise.domain.LockwiseException the failure, translated by {@link SqlFailures}
     */
    public <T> T inTransaction(String what, Work<T> work) {
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
            throw SqlFailures.translate(what, e);
        }
    }

    /**
     * Runs {@code work} with autocommit on one pooled connection: each statement is its own transaction (a read and
     * the conditional write that follows it: one pool checkout, and no lock held in between).
     *
     * @param what what is being done, for the message of a failure
     * @param work the statements, each committed as it runs
     * @param <T>  the type of the work's result
     * @return what the work returned
     * @throws dev.lockwise.domain.LockwiseException the failure, translated by {@link SqlFailures}
     */
    public <T> T autocommit(String what, Work<T> work) {
        try (Connection connection = dataSource.getConnection()) {
            return work.run(connection);
        } catch (SQLException e) {
            throw SqlFailures.translate(what, e);
        }
    }

    /**
     * One autocommit query: {@code sql} with its parameters bound, its rows read.
     *
     * @param what       what is being done, for the message of a failure
     * @param sql        the query, with {@code ?} parameters
     * @param parameters binds its parameters; {@link Binder#NONE} for none
     * @param reader     reads its rows
     * @param <T>        the type of what the rows say
     * @return what the reader returned
     * @throws dev.lockwise.domain.LockwiseException the failure, translated by {@link SqlFailures}
     */
    public <T> T query(String what, String sql, Binder parameters, Reader<T> reader) {
        return autocommit(what, connection -> query(connection, sql, parameters, reader));
    }

    /**
     * {@code sql} on {@code connection} with its parameters bound, its rows read.
     *
     * @param connection the connection to run it on, left open
     * @param sql        the query, with {@code ?} parameters
     * @param parameters binds its parameters; {@link Binder#NONE} for none
     * @param reader     reads its rows
     * @param <T>        the type of what the rows say
     * @return what the reader returned
     * @throws SQLException as the driver reports it (not translated: the caller's transaction decides)
     */
    public static <T> T query(Connection connection, String sql, Binder parameters, Reader<T> reader)
            throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            parameters.bind(statement);
            try (ResultSet rows = statement.executeQuery()) {
                return reader.read(rows);
            }
        }
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
