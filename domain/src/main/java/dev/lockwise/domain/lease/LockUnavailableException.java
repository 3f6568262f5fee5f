package dev.lockwise.domain.lease;

import dev.lockwise.domain.LockwiseException;

/** Another holder had the lease, and it was not freed within the wait the caller allowed. The task did not run. */
public class LockUnavailableException extends LockwiseException {
    private static final long serialVersionUID = 1L;

    /**
     * @param lockId the lock that is held elsewhere
     * @param detail what was tried
     */
    public LockUnavailableException(LockId lockId, String detail) {
        super("lock '" + lockId + "' is held by another owner" + detail);
    }
}
