package dev.lockwise.domain;

/** Base of every exception Lockwise throws on purpose. Unchecked: callers decide where to handle them. */
public abstract class LockwiseException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** @param message what happened, for the caller */
    protected LockwiseException(String message) {
        super(message);
    }

    /**
     * @param message what happened, for the caller
     * @param cause the underlying failure
     */
    protected LockwiseException(String message, Throwable cause) {
        super(message, cause);
    }
}
