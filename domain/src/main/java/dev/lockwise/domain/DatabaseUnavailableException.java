package dev.lockwise.domain;

/** The database could not be reached or dropped the connection. Whether an in-flight write committed is unknown. */
public class DatabaseUnavailableException extends LockwiseException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message what was being done and why it failed
     * @param cause the driver's report
     */
    public DatabaseUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
