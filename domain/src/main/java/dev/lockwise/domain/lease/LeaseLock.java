package dev.lockwise.domain.lease;

import java.time.Duration;
import java.util.Optional;

/**
 * The lease table, one statement per call. Every time is the database's: the adapter computes expiry as
 * {@code now() + ttl} and compares with {@code now()} in SQL, never with this machine's clock.
 */
public interface LeaseLock {

    /** Takes the lease if nobody holds it or the holder's lease has expired; empty if someone else holds it. */
    Optional<Lease> tryAcquire(LockId lockId, Duration ttl);

    /** Extends a lease still held under this generation; empty if it expired or a newer holder has it. */
    Optional<Lease> renew(Lease lease, Duration ttl);

    /**
     * Ends the lease at once if it is still held under this generation.
     *
     * @return false if the lease had expired or been taken over before the release (then nothing was changed)
     */
    boolean release(Lease lease);
}
