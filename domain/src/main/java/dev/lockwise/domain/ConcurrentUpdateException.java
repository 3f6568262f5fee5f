package dev.lockwise.domain;

/**
 * Another writer changed the row between our read and our write (optimistic version mismatch), or PostgreSQL
 * aborted the transaction to resolve a serialization failure or deadlock. Nothing was written; the caller may
 * retry from a fresh read.
 */
public class ConcurrentUpdateException extends LockwiseException {
    private static final long serialVersionUID = 1L;

    /** @param message what lost the race */
    public ConcurrentUpdateException(String message) {
        super(message);
    }

    /**
     * @param message what lost the race
     * @param cause the driver's report (a serialization failure or deadlock)
     */
    public ConcurrentUpdateException(String message, Throwable cause) {
        super(message, cause);
    }
}
