package dev.lockwise.adapter.lock;

import dev.lockwise.domain.DurationText;
import dev.lockwise.domain.InvalidInputException;
import dev.lockwise.domain.lease.Lease;
import dev.lockwise.domain.lease.LeaseLock;
import dev.lockwise.domain.lease.LeaseTable;
import dev.lockwise.domain.lease.LockId;
import dev.lockwise.jdbc.SqlFailures;
import dev.lockwise.jdbc.SqlIdentifiers;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Objects;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * The lease lock on plain JDBC: one autocommit statement per operation, never inside a caller's transaction (whose
 * {@code now()} would be stale). All times are the database's ({@code clock_timestamp()}), so clock skew between
 * clients cannot make two holders.
 *
 * <ul>
 *   <li>acquire: {@code INSERT … ON CONFLICT (lock_id) DO UPDATE … WHERE expires_at <= clock_timestamp()} — takes a
 *       free or expired lease and bumps its generation in one statement; no duplicate-key error, no aborted
 *       transaction. The expiry is computed in the {@code DO UPDATE} itself, after any wait for the row lock, so it
 *       is never earlier than the moment the row was written;</li>
 *   <li>renew and release match lock id <em>and</em> generation, so a stale holder can neither extend nor free a
 *       newer holder's lease. Release sets the expiry to now (keeping the row, so generations keep growing).</li>
 * </ul>
 *
 * <p><b>Bounded.</b> Every call takes a timeout and keeps to it, in two layers, neither of which needs the network
 * to work:
 * <ul>
 *   <li>acquisitions and renewals set the server's {@code lock_timeout} to three quarters of the bound, inside the
 *       statement and before it can wait on a row lock ({@code set_config(…, true)}, so nothing outlives the
 *       statement's transaction): blocked by a lock held elsewhere, the server gives up — cleanly, keeping the
 *       connection — before the client does, so a statement blocked by a row lock does not commit after the client gave
 *       up on it (one whose reply is lost, or that waits on something other than a row lock, still can). (A driver's
 *       query timeout would not do: it cancels through a new connection, and PgJDBC waits for that cancel to finish
 *       — up to its {@code cancelSignalTimeout}, 10 s — which through a partition never does.) A release needs no
 *       such guard: one that lands late ends nothing but the lease it names;</li>
 *   <li>a watchdog aborts the connection of a statement still running at its deadline ({@link StatementDeadlines}),
 *       so a black-holed connection fails in time.</li>
 * </ul>
 *
 * <p><b>Connections.</b> Renewals use a reserve of up to {@value #KEEP_IDLE} connections kept open between calls
 * ({@link LeaseConnections}), so they never queue behind the host's work on a shared pool; when the reserve is busy
 * they open one more within their bound. Acquisitions (no lease at stake yet) and releases (the task is over) take
 * a reserved connection or borrow from the data source, waiting for it as long as the data source does; their bound
 * starts once they have it. Size the pool for the reserve, or give the lock a data source of its own.
 */
public final class JdbcLeaseLock implements LeaseLock {
    /** How many connections the lock keeps open between calls. */
    public static final int KEEP_IDLE = 2;
    /** The smallest bound a call may be given: below this a round trip cannot be expected to complete. */
    public static final Duration MIN_TIMEOUT = Duration.ofMillis(1);
    /**
     * Sets this transaction's {@code lock_timeout} (the first parameter, in milliseconds) before the statement can
     * wait on a row lock: the subquery yields the row the statement then writes, so it is evaluated first.
     */
    private static final String BOUND = "SELECT set_config('lock_timeout', ?, true) AS lock_timeout";

    private final LeaseTable table;
    private final LeaseConnections connections;
    private final StatementDeadlines deadlines = new StatementDeadlines();
    private final String acquireSql;
    private final String renewSql;
    private final String releaseSql;
    private final String releaseNoEarlierSql;

    /**
     * @param dataSource where the lock takes its connections (it keeps {@value #KEEP_IDLE} of them open)
     * @param table      the lease table
     */
    public JdbcLeaseLock(DataSource dataSource, LeaseTable table) {
        Objects.requireNonNull(dataSource, "dataSource");
        this.table = Objects.requireNonNull(table, "table");
        this.connections = new LeaseConnections(dataSource, KEEP_IDLE);
        String name = SqlIdentifiers.qualified(table);
        this.acquireSql = "INSERT INTO " + name + " AS lease (lock_id, generation, expires_at)"
                + " SELECT bound.lock_id, 1, clock_timestamp() + bound.ttl * interval '1 millisecond'"
                + " FROM (" + BOUND + ", ?::text AS lock_id, ?::bigint AS ttl) AS bound"
                + " ON CONFLICT (lock_id) DO UPDATE"
                + " SET generation = lease.generation + 1,"
                + " expires_at = clock_timestamp() + ? * interval '1 millisecond'"
                + " WHERE lease.expires_at <= clock_timestamp()"
                + " RETURNING generation, expires_at";
        this.renewSql = "UPDATE " + name + " AS lease"
                + " SET expires_at = clock_timestamp() + bound.ttl * interval '1 millisecond'"
                + " FROM (" + BOUND + ", ?::bigint AS ttl) AS bound"
                + " WHERE lease.lock_id = ? AND lease.generation = ? AND lease.expires_at > clock_timestamp()"
                + " RETURNING lease.generation, lease.expires_at";
        this.releaseSql = "UPDATE " + name + " SET expires_at = clock_timestamp()"
                + " WHERE lock_id = ? AND generation = ? AND expires_at > clock_timestamp()";
        this.releaseNoEarlierSql = "UPDATE " + name + " SET expires_at = LEAST(expires_at, GREATEST(clock_timestamp(),"
                + " ?::timestamptz)) WHERE lock_id = ? AND generation = ? AND expires_at > clock_timestamp()";
    }

    /** @return the lease table this lock uses */
    public LeaseTable table() {
        return table;
    }

    @Override
    public Optional<Lease> tryAcquire(LockId lockId, Duration ttl, Duration timeout) {
        Objects.requireNonNull(lockId, "lockId");
        long ttlMillis = requireTtl(ttl);
        return run("acquire lease '" + lockId + "'", timeout, Purpose.ACQUIRE, acquireSql, (statement, lockTimeout) -> {
            statement.setString(1, lockTimeout);
            statement.setString(2, lockId.value());
            statement.setLong(3, ttlMillis);
            statement.setLong(4, ttlMillis);
        }, statement -> readLease(statement, lockId));
    }

    @Override
    public Optional<Lease> renew(Lease lease, Duration ttl, Duration timeout) {
        Objects.requireNonNull(lease, "lease");
        long ttlMillis = requireTtl(ttl);
        return run("renew lease '" + lease.lockId() + "'", timeout, Purpose.RENEW, renewSql, (statement, lockTimeout) -> {
            statement.setString(1, lockTimeout);
            statement.setLong(2, ttlMillis);
            statement.setString(3, lease.lockId().value());
            statement.setLong(4, lease.generation());
        }, statement -> readLease(statement, lease.lockId()));
    }

    @Override
    public boolean release(Lease lease, Duration timeout) {
        Objects.requireNonNull(lease, "lease");
        return run("release lease '" + lease.lockId() + "'", timeout, Purpose.RELEASE, releaseSql, (statement, unused) -> {
            statement.setString(1, lease.lockId().value());
            statement.setLong(2, lease.generation());
        }, statement -> statement.getUpdateCount() == 1);
    }

    /**
     * Ends the lease at {@code notBefore} if that is still ahead by the database clock, else at once; never later
     * than its current expiry.
     *
     * @param lease     the lease to give back
     * @param notBefore the earliest end, by the database clock
     * @param timeout   the bound on the call
     * @return false if the lease had expired or been taken over before the release (then nothing was changed)
     */
    @Override
    public boolean releaseNoEarlierThan(Lease lease, Instant notBefore, Duration timeout) {
        Objects.requireNonNull(lease, "lease");
        Objects.requireNonNull(notBefore, "notBefore");
        return run("release lease '" + lease.lockId() + "'", timeout, Purpose.RELEASE, releaseNoEarlierSql,
                (statement, unused) -> {
                    statement.setObject(1, notBefore.atOffset(ZoneOffset.UTC));
                    statement.setString(2, lease.lockId().value());
                    statement.setLong(3, lease.generation());
                }, statement -> statement.getUpdateCount() == 1);
    }

    /** Closes the reserved connections (gives them back to the data source) and stops the statement watchdog. */
    @Override
    public void close() {
        connections.close();
        deadlines.close();
    }

    private static long requireTtl(Duration ttl) {
        if (ttl == null || ttl.toMillis() <= 0) {
            throw new InvalidInputException("lease ttl must be positive, got " + DurationText.show(ttl));
        }
        return ttl.toMillis();
    }

    /** What a call is for, which decides where its connection comes from. */
    private enum Purpose {
        ACQUIRE, RENEW, RELEASE
    }

    @FunctionalInterface
    private interface Binder {
        /** Binds the statement's parameters; {@code lockTimeout} is the server-side bound, in milliseconds. */
        void bind(PreparedStatement statement, String lockTimeout) throws SQLException;
    }

    @FunctionalInterface
    private interface Reader<T> {
        /** Reads the lease statement's outcome; the statement has been executed. */
        T read(PreparedStatement statement) throws SQLException;
    }

    private <T> T run(String what, Duration timeout, Purpose purpose, String sql, Binder binder, Reader<T> reader) {
        if (timeout == null || timeout.compareTo(MIN_TIMEOUT) < 0) {
            throw new InvalidInputException("a lease statement's timeout must be at least "
                    + DurationText.show(MIN_TIMEOUT) + ", got " + DurationText.show(timeout));
        }
        long renewalDeadline = System.nanoTime() + timeout.toNanos();
        try {
            return attempt(purpose, timeout, renewalDeadline, false, sql, binder, reader);
        } catch (StaleConnectionException stale) {
            // Typically a reserved connection that died while idle (server restart, terminated backend, a proxy's
            // idle timeout). Sending a lease statement twice is safe: a second acquisition finds the lease held and
            // answers "unavailable" (the lease then expires on its own), a second renewal or release repeats itself.
            try {
                return attempt(purpose, timeout, renewalDeadline, true, sql, binder, reader);
            } catch (StaleConnectionException again) {
                throw SqlFailures.translate(what, again.failure);
            } catch (SQLException e) {
                throw SqlFailures.translate(what, e);
            }
        } catch (SQLException e) {
            throw SqlFailures.translate(what, e);
        }
    }

    /**
     * One attempt on one connection. A renewal's bound includes the wait for its connection; acquisitions and
     * releases wait for theirs as long as the data source does, and their bound starts once they have it.
     */
    private <T> T attempt(Purpose purpose, Duration timeout, long renewalDeadline, boolean fresh, String sql,
                          Binder binder, Reader<T> reader) throws SQLException, StaleConnectionException {
        Connection connection = connection(purpose, renewalDeadline, fresh);
        long deadline = purpose == Purpose.RENEW ? renewalDeadline : System.nanoTime() + timeout.toNanos();
        return runOn(connection, deadline, sql, binder, reader);
    }

    private Connection connection(Purpose purpose, long deadline, boolean fresh) throws SQLException {
        return switch (purpose) {
            case RENEW -> fresh ? connections.open(deadline) : connections.borrow(deadline);
            case ACQUIRE, RELEASE -> fresh ? connections.borrowFromDataSource() : connections.borrowHere();
        };
    }

    /** The connection failed at the network level with time left; the statement may or may not have run. */
    private static final class StaleConnectionException extends Exception {
        private static final long serialVersionUID = 1L;
        private final transient SQLException failure;

        StaleConnectionException(SQLException failure) {
            super(failure.getMessage(), failure, false, false);
            this.failure = failure;
        }
    }

    private <T> T runOn(Connection connection, long deadline, String sql, Binder binder, Reader<T> reader)
            throws SQLException, StaleConnectionException {
        StatementDeadlines.Call call = deadlines.watch(connection, deadline);
        boolean healthy = false;
        SQLException failure = null;
        T result = null;
        try {
            long remainingMillis = Math.max(1, (deadline - System.nanoTime()) / 1_000_000);
            if (!connection.getAutoCommit()) {
                connection.setAutoCommit(true);
            }
            try (PreparedStatement statement = connection.prepareStatement(sql)) {
                binder.bind(statement, Long.toString(Math.max(1, remainingMillis * 3 / 4)));
                statement.execute();
                result = reader.read(statement);
            }
            healthy = true;
        } catch (SQLException e) {
            failure = e;
            healthy = !brokenBy(e, connection);
        } finally {
            // Only the side that ends the call may decide the connection's fate: if the watchdog got there first it
            // has aborted (or is aborting) the connection, which must not be handed on.
            boolean ours = deadlines.done(call);
            if (ours && healthy) {
                connections.giveBack(connection);
            } else {
                connections.discard(connection);
            }
            if (!ours) {
                failure = new SQLException("no answer from the database within the statement's bound; connection"
                        + " abandoned", "08006", failure);
            }
        }
        if (failure == null) {
            return result;
        }
        if (!healthy && !call.aborted() && deadline - System.nanoTime() > 0) {
            throw new StaleConnectionException(failure);
        }
        throw failure;
    }

    /** A failure of the connection itself (network, server gone) rather than of the statement. */
    private static boolean brokenBy(SQLException failure, Connection connection) {
        String state = failure.getSQLState();
        if (state == null || state.startsWith("08") || state.startsWith("57P")) {
            return true;
        }
        try {
            return connection.isClosed();
        } catch (SQLException e) {
            return true;
        }
    }

    private static Optional<Lease> readLease(PreparedStatement statement, LockId lockId) throws SQLException {
        try (ResultSet row = statement.getResultSet()) {
            if (row == null || !row.next()) {
                return Optional.empty();
            }
            return Optional.of(new Lease(lockId, row.getLong(1), row.getObject(2, OffsetDateTime.class).toInstant()));
        }
    }
}
