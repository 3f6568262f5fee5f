package dev.lockwise.domain;

/** Base of every exception Lockwise throws on purpose. Unchecked: callers decide where to handle them. */
public abstract class LockwiseException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    protected LockwiseException(String message) {
        super(message);
    }

    protected LockwiseException(String message, Throwable cause) {
        super(message, cause);
    }
}
