package dev.lockwise.domain.lease;

import dev.lockwise.domain.LockwiseException;

/**
 * The lease expired or was taken over while the task ran, so the task's work may have overlapped another holder's.
 * Thrown even when the task finished, because exclusivity was not guaranteed for all of it.
 */
public class LeaseLostException extends LockwiseException {
    private static final long serialVersionUID = 1L;
    private final transient Lease lease;

    /**
     * @param lease the lease that was lost
     * @param detail how it was noticed
     * @param cause what failed, or null
     */
    public LeaseLostException(Lease lease, String detail, Throwable cause) {
        super("lease on '" + lease.lockId() + "' (generation " + lease.generation() + ") was lost: " + detail, cause);
        this.lease = lease;
    }

    /** @return the lease that was lost (its generation is no longer accepted by fenced writes) */
    public Lease lease() {
        return lease;
    }
}
