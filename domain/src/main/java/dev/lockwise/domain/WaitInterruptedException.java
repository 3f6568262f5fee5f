package dev.lockwise.domain;

/**
 * The calling thread was interrupted while it waited for its turn, before any work was done on its behalf: nothing
 * was written for it. The thread's interrupt status is set again, so the caller's own cancellation goes on.
 */
public class WaitInterruptedException extends LockwiseException {
    private static final long serialVersionUID = 1L;

    /** @param message what the thread was waiting for */
    public WaitInterruptedException(String message) {
        super(message);
    }
}
