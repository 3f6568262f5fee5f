package dev.lockwise.domain.lease;

import java.time.Instant;
import java.util.Objects;

/**
 * A held lease. {@code generation} is the fencing token: it grows with every acquisition of the lock id, so a write
 * that carries it can be refused once a newer holder exists. {@code expiresAt} is the database's time, as the
 * database computed it; compare it only with the database's clock.
 *
 * @param lockId     the lock held
 * @param generation the fencing token, positive, higher for every acquisition of the lock id
 * @param expiresAt  when the database lets the lease go, by its own clock
 */
public record Lease(LockId lockId, long generation, Instant expiresAt) {
    /**
     * Checks that the lock id and expiry are present and the generation positive.
     *
     * @param lockId     the lock held
     * @param generation the fencing token, positive
     * @param expiresAt  when the database lets the lease go, by its own clock
     */
    public Lease {
        Objects.requireNonNull(lockId, "lockId");
        Objects.requireNonNull(expiresAt, "expiresAt");
        if (generation < 1) {
            throw new IllegalArgumentException("generation must be positive, got " + generation);
        }
    }

    /** @return the fencing token: the generation */
    public long fencingToken() {
        return generation;
    }
}
