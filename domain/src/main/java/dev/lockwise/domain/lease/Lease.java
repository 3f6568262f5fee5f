package dev.lockwise.domain.lease;

import java.time.Instant;
import java.util.Objects;

/**
 * A held lease. {@code generation} is the fencing token: it grows with every acquisition of the lock id, so a write
 * that carries it can be refused once a newer holder exists. {@code expiresAt} is the database's time, as the
 * database computed it; compare it only with the database's clock.
 */
public record Lease(LockId lockId, long generation, Instant expiresAt) {
    /** Checks that the lock id and expiry are present and the generation positive. */
    public Lease {
        Objects.requireNonNull(lockId, "lockId");
        Objects.requireNonNull(expiresAt, "expiresAt");
        if (generation < 1) {
            throw new IllegalArgumentException("generation must be positive, got " + generation);
        }
    }

    /** The fencing token. */
    public long fencingToken() {
        return generation;
    }
}
