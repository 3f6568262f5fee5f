package dev.lockwise.adapter.lock;

import dev.lockwise.domain.DatabaseFailures;
import dev.lockwise.domain.InvalidInputException;
import dev.lockwise.domain.lease.Lease;
import dev.lockwise.domain.lease.LeaseLock;
import dev.lockwise.domain.lease.LeaseTable;
import dev.lockwise.domain.lease.LockId;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.Objects;
import java.util.Optional;

/**
 * The lease lock on plain JDBC: one autocommit statement per operation, on a connection of its own (never inside a
 * caller's transaction, whose {@code now()} would be stale). All times are the database's
 * ({@code clock_timestamp()}), so clock skew between clients cannot make two holders.
 *
 * <ul>
 *   <li>acquire: {@code INSERT … ON CONFLICT (lock_id) DO UPDATE … WHERE expires_at <= clock_timestamp()} — takes a
 *       free or expired lease and bumps its generation in one statement; no duplicate-key error, no aborted
 *       transaction;</li>
 *   <li>renew and release match lock id <em>and</em> generation, so a stale holder can neither extend nor free a
 *       newer holder's lease. Release sets the expiry to now (keeping the row, so generations keep growing).</li>
 * </ul>
 */
public final class JdbcLeaseLock implements LeaseLock {
    /** How long one lock statement may run, waiting on row locks included, before it fails instead of hanging. */
    public static final Duration DEFAULT_STATEMENT_TIMEOUT = Duration.ofSeconds(2);

    private final DataSource dataSource;
    private final LeaseTable table;
    private final int statementTimeoutSeconds;
    private final String acquireSql;
    private final String renewSql;
    private final String releaseSql;

    public JdbcLeaseLock(DataSource dataSource, LeaseTable table) {
        this(dataSource, table, DEFAULT_STATEMENT_TIMEOUT);
    }

    public JdbcLeaseLock(DataSource dataSource, LeaseTable table, Duration statementTimeout) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        this.table = Objects.requireNonNull(table, "table");
        if (statementTimeout == null || statementTimeout.toSeconds() < 1 || statementTimeout.toMinutes() > 10) {
            throw new InvalidInputException("lock statement timeout must be between 1 s and 10 minutes, got "
                    + statementTimeout);
        }
        this.statementTimeoutSeconds = (int) statementTimeout.toSeconds();
        String name = table.qualifiedName();
        this.acquireSql = "INSERT INTO " + name + " AS lease (lock_id, generation, expires_at)"
                + " VALUES (?, 1, clock_timestamp() + ? * interval '1 millisecond')"
                + " ON CONFLICT (lock_id) DO UPDATE"
                + " SET generation = lease.generation + 1, expires_at = EXCLUDED.expires_at"
                + " WHERE lease.expires_at <= clock_timestamp()"
                + " RETURNING generation, expires_at";
        this.renewSql = "UPDATE " + name + " SET expires_at = clock_timestamp() + ? * interval '1 millisecond'"
                + " WHERE lock_id = ? AND generation = ? AND expires_at > clock_timestamp()"
                + " RETURNING generation, expires_at";
        this.releaseSql = "UPDATE " + name + " SET expires_at = clock_timestamp()"
                + " WHERE lock_id = ? AND generation = ? AND expires_at > clock_timestamp()";
    }

    public LeaseTable table() {
        return table;
    }

    @Override
    public Optional<Lease> tryAcquire(LockId lockId, Duration ttl) {
        Objects.requireNonNull(lockId, "lockId");
        long ttlMillis = requireTtl(ttl);
        return run("acquire lease '" + lockId + "'", acquireSql, statement -> {
            statement.setString(1, lockId.value());
            statement.setLong(2, ttlMillis);
            return readLease(statement, lockId);
        });
    }

    @Override
    public Optional<Lease> renew(Lease lease, Duration ttl) {
        Objects.requireNonNull(lease, "lease");
        long ttlMillis = requireTtl(ttl);
        return run("renew lease '" + lease.lockId() + "'", renewSql, statement -> {
            statement.setLong(1, ttlMillis);
            statement.setString(2, lease.lockId().value());
            statement.setLong(3, lease.generation());
            return readLease(statement, lease.lockId());
        });
    }

    @Override
    public boolean release(Lease lease) {
        Objects.requireNonNull(lease, "lease");
        return run("release lease '" + lease.lockId() + "'", releaseSql, statement -> {
            statement.setString(1, lease.lockId().value());
            statement.setLong(2, lease.generation());
            return statement.executeUpdate() == 1;
        });
    }

    private static long requireTtl(Duration ttl) {
        if (ttl == null || ttl.toMillis() <= 0) {
            throw new InvalidInputException("lease ttl must be positive, got " + ttl);
        }
        return ttl.toMillis();
    }

    @FunctionalInterface
    private interface StatementWork<T> {
        T run(PreparedStatement statement) throws SQLException;
    }

    private <T> T run(String what, String sql, StatementWork<T> work) {
        try (Connection connection = dataSource.getConnection()) {
            if (!connection.getAutoCommit()) {
                connection.setAutoCommit(true);
            }
            try (PreparedStatement statement = connection.prepareStatement(sql)) {
                statement.setQueryTimeout(statementTimeoutSeconds);
                return work.run(statement);
            }
        } catch (SQLException e) {
            throw DatabaseFailures.translate(e.getSQLState(), what, e);
        }
    }

    private static Optional<Lease> readLease(PreparedStatement statement, LockId lockId) throws SQLException {
        try (ResultSet row = statement.executeQuery()) {
            if (!row.next()) {
                return Optional.empty();
            }
            return Optional.of(new Lease(lockId, row.getLong(1), row.getObject(2, OffsetDateTime.class).toInstant()));
        }
    }
}
