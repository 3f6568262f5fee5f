package dev.lockwise.domain;

/** The row an operation targets does not exist; nothing was changed. */
public abstract class NotFoundException extends LockwiseException {
    private static final long serialVersionUID = 1L;

    protected NotFoundException(String message) {
        super(message);
    }
}
