package dev.lockwise.domain.lease;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * The lease table, one statement per call. Every time is the database's: the adapter computes expiry as
 * {@code clock_timestamp() + ttl} when it writes the row and compares with {@code clock_timestamp()} in SQL, never
 * with this machine's clock.
 *
 * <p>Every call is bounded by its {@code timeout}: waiting for a row lock and for the network included, and for a
 * renewal waiting for a connection too (acquisitions and releases may wait for a connection as long as the data
 * source does before their bound starts: no lease is at stake then). A call that runs out of time fails (with {@link dev.lockwise.domain.LockWaitTimeoutException} or
 * {@link dev.lockwise.domain.DatabaseUnavailableException}) instead of hanging; its effect on the database is then
 * unknown, which is safe: an acquisition or renewal nobody learned of only keeps the lease until its expiry.
 */
public interface LeaseLock extends AutoCloseable {

    /**
     * Takes the lease if nobody holds it or the holder's lease has expired.
     *
     * @param lockId  the lock to take
     * @param ttl     how long the database keeps the lease, from its own clock at the write
     * @param timeout the bound on the call
     * @return the lease with its new generation, or empty if someone else holds it
     */
    Optional<Lease> tryAcquire(LockId lockId, Duration ttl, Duration timeout);

    /**
     * Extends a lease still held under this generation to {@code ttl} from now, by the database clock.
     *
     * @param lease   the lease held
     * @param ttl     the new time to live, from the database's clock at the write
     * @param timeout the bound on the call (connection wait included)
     * @return the renewed lease (same generation), or empty if it expired or a newer holder has it
     */
    Optional<Lease> renew(Lease lease, Duration ttl, Duration timeout);

    /**
     * Ends the lease at once if it is still held under this generation.
     *
     * @param lease   the lease to give back
     * @param timeout the bound on the call
     * @return false if the lease had expired or been taken over before the release (then nothing was changed)
     */
    boolean release(Lease lease, Duration timeout);

    /**
     * Ends the lease no earlier than {@code notBefore}, a database time: if that is still ahead by the database
     * clock, the lease is left to expire then; otherwise it ends at once. Never extends the lease. Only if it is
     * still held under this generation.
     *
     * @param lease     the lease to give back
     * @param notBefore the earliest end, by the database clock (for a hold: acquisition time plus the hold)
     * @param timeout   the bound on the call
     * @return false if the lease had expired or been taken over before the release (then nothing was changed)
     * @throws UnsupportedOperationException if this lock cannot hold a lease past its task (the default)
     */
    default boolean releaseNoEarlierThan(Lease lease, Instant notBefore, Duration timeout) {
        throw new UnsupportedOperationException(getClass().getName() + " cannot hold a lease past its task");
    }

    /** Gives back what the lock keeps open (connections); leases are not touched. */
    @Override
    default void close() {
    }
}
