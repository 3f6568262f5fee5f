package dev.lockwise.db;

/** Applying the migrations failed (database unreachable, lacking privileges, or a schema that does not match). */
public class MigrationException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message what failed, for the user
     * @param cause   Flyway's or the driver's report
     */
    public MigrationException(String message, Throwable cause) {
        super(message, cause);
    }
}
