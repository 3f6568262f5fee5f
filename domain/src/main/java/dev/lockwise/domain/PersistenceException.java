package dev.lockwise.domain;

/** The database rejected a statement for a reason none of the more specific exceptions describes. */
public class PersistenceException extends LockwiseException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message what was being done and the SQLSTATE
     * @param cause the driver's report
     */
    public PersistenceException(String message, Throwable cause) {
        super(message, cause);
    }
}
