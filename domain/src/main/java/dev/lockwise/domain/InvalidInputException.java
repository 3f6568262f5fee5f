package dev.lockwise.domain;

/** A parameter was rejected before anything was written. The message names the parameter and the bad value. */
public class InvalidInputException extends LockwiseException {
    private static final long serialVersionUID = 1L;

    /** @param message what is wrong and what is accepted */
    public InvalidInputException(String message) {
        super(message);
    }
}
