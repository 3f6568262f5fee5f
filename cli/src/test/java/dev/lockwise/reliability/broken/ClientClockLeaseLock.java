package dev.lockwise.reliability.broken;

import dev.lockwise.domain.lease.Lease;
import dev.lockwise.domain.lease.LeaseLock;
import dev.lockwise.domain.lease.LockId;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * A deliberately broken lease, kept to show that the multi-process overlap check can fail: it is
 * {@code JdbcLeaseLock}'s protocol with every expiry decided by this JVM's wall clock ({@code Instant.now()}) instead
 * of the database's. A JVM whose clock runs ahead finds a live lease "expired" and takes it over. Never use it.
 */
final class ClientClockLeaseLock implements LeaseLock {
    private final String url;
    private final String user;
    private final String password;

    ClientClockLeaseLock(String url, String user, String password) {
        this.url = url;
        this.user = user;
        this.password = password;
    }

    @Override
    public Optional<Lease> tryAcquire(LockId lockId, Duration ttl, Duration timeout) {
        Instant now = Instant.now();
        return write(lockId, "INSERT INTO lockwise_lease (lock_id, generation, expires_at) VALUES (?, 1, ?)"
                + " ON CONFLICT (lock_id) DO UPDATE SET generation = lockwise_lease.generation + 1,"
                + " expires_at = excluded.expires_at WHERE lockwise_lease.expires_at <= ?"
                + " RETURNING generation, expires_at", statement -> {
                    statement.setString(1, lockId.value());
                    statement.setTimestamp(2, Timestamp.from(now.plus(ttl)));
                    statement.setTimestamp(3, Timestamp.from(now));
                });
    }

    @Override
    public Optional<Lease> renew(Lease lease, Duration ttl, Duration timeout) {
        Instant now = Instant.now();
        return write(lease.lockId(), "UPDATE lockwise_lease SET expires_at = ? WHERE lock_id = ? AND generation = ?"
                + " AND expires_at > ? RETURNING generation, expires_at", statement -> {
                    statement.setTimestamp(1, Timestamp.from(now.plus(ttl)));
                    statement.setString(2, lease.lockId().value());
                    statement.setLong(3, lease.generation());
                    statement.setTimestamp(4, Timestamp.from(now));
                });
    }

    @Override
    public boolean release(Lease lease, Duration timeout) {
        Instant now = Instant.now();
        return write(lease.lockId(), "UPDATE lockwise_lease SET expires_at = ? WHERE lock_id = ? AND generation = ?"
                + " RETURNING generation, expires_at", statement -> {
                    statement.setTimestamp(1, Timestamp.from(now));
                    statement.setString(2, lease.lockId().value());
                    statement.setLong(3, lease.generation());
                }).isPresent();
    }

    /** A connection whose connect and every read are bounded (5 s and 10 s), as the real lease's pool is. */
    static Connection connect(String url, String user, String password) throws SQLException {
        java.util.Properties properties = new java.util.Properties();
        properties.setProperty("user", user);
        properties.setProperty("password", password == null ? "" : password);
        properties.setProperty("connectTimeout", "5");
        properties.setProperty("socketTimeout", "10");
        return DriverManager.getConnection(url, properties);
    }

    private interface Binding {
        void bind(PreparedStatement statement) throws SQLException;
    }

    private Optional<Lease> write(LockId lockId, String sql, Binding binding) {
        try (Connection connection = connect(url, user, password);
             PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setQueryTimeout(5);
            binding.bind(statement);
            try (ResultSet row = statement.executeQuery()) {
                return row.next() ? Optional.of(new Lease(lockId, row.getLong(1), row.getTimestamp(2).toInstant()))
                        : Optional.empty();
            }
        } catch (SQLException e) {
            throw new IllegalStateException("lease statement failed: " + e.getMessage(), e);
        }
    }
}
