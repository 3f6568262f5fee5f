package dev.lockwise.domain;

/** The row an operation targets does not exist; nothing was changed. */
public abstract class NotFoundException extends LockwiseException {
    private static final long serialVersionUID = 1L;

    /** @param message what was not found */
    protected NotFoundException(String message) {
        super(message);
    }
}
