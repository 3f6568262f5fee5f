package dev.lockwise.domain;

/** A row lock could not be obtained within the configured lock timeout; the transaction was rolled back. */
public class LockWaitTimeoutException extends LockwiseException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message which wait ran out
     * @param cause the driver's report
     */
    public LockWaitTimeoutException(String message, Throwable cause) {
        super(message, cause);
    }
}
