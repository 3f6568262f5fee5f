package dev.lockwise.adapter.lock;

import dev.lockwise.domain.lease.Lease;
import dev.lockwise.domain.lease.LeaseTable;
import dev.lockwise.jdbc.SqlIdentifiers;
import dev.lockwise.jdbc.Transactions;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Objects;

/**
 * Makes a write succeed only while a lease is held: add {@link #condition()} to the {@code WHERE} clause of an
 * {@code UPDATE} or {@code DELETE} and bind it with {@link #bind}. The predicate locks the lease row in share mode
 * and compares the expiry with {@code clock_timestamp()}, so within the writing transaction:
 * <ul>
 *   <li>if the lease expired or a newer generation holds it, the write matches no row;</li>
 *   <li>if it is held, a new holder cannot take the lease over until this transaction ends (its acquire waits on
 *       the share lock), so the write never overlaps a successor's.</li>
 * </ul>
 * Example: {@code UPDATE report SET body = ? WHERE id = ? AND } + {@code fence.condition()}.
 */
public final class LeaseFence {
    private final String condition;

    /**
     * A fence with the default lock timeout (5 s).
     *
     * @param table the lease table whose rows fence the writes
     */
    public LeaseFence(LeaseTable table) {
        this(table, Transactions.DEFAULT_LOCK_TIMEOUT);
    }

    /**
     * @param table       the lease table whose rows fence the writes
     * @param lockTimeout how long the fence waits for the lease row's share lock (1 ms to 10 minutes): the row is
     *                    locked by a holder's renewal for a moment, by an outside session for as long as it likes
     */
    public LeaseFence(LeaseTable table, Duration lockTimeout) {
        Objects.requireNonNull(table, "table");
        String bound = Transactions.lockTimeoutSetting(lockTimeout);
        // The share lock is taken by the subquery's row-locking step, above its join with `bound`: set_config has
        // run by then, so the wait is bounded (a number we format ourselves; nothing user-typed reaches the text).
        this.condition = "EXISTS (SELECT 1 FROM " + SqlIdentifiers.qualified(table) + " fence,"
                + " (SELECT set_config('lock_timeout', '" + bound + "', true)) bound"
                + " WHERE fence.lock_id = ? AND fence.generation = ? AND fence.expires_at > clock_timestamp()"
                + " FOR SHARE OF fence)";
    }

    /** @return the SQL predicate, with two parameters: lock id and generation */
    public String condition() {
        return condition;
    }

    /**
     * Binds the predicate's two parameters.
     *
     * @param statement  the statement holding {@link #condition()}
     * @param firstIndex the index of the predicate's first parameter
     * @param lease      the lease the write needs
     * @return the next free parameter index
     * @throws SQLException as the driver reports it
     */
    public int bind(PreparedStatement statement, int firstIndex, Lease lease) throws SQLException {
        statement.setString(firstIndex, lease.lockId().value());
        statement.setLong(firstIndex + 1, lease.generation());
        return firstIndex + 2;
    }
}
