package dev.lockwise.domain;

/** Every permitted attempt hit a concurrent update; the last attempt's conflict is the cause. Nothing was written. */
public class RetriesExhaustedException extends LockwiseException {
    private static final long serialVersionUID = 1L;
    /** How many attempts were made. */
    private final int attempts;

    /**
     * @param operation the use case
     * @param attempts how many attempts conflicted
     * @param lastConflict the last conflict
     */
    public RetriesExhaustedException(String operation, int attempts, Throwable lastConflict) {
        super(operation + " gave up after " + attempts + " attempts, each of which conflicted with a concurrent update",
                lastConflict);
        this.attempts = attempts;
    }

    /** @return how many attempts were made, each lost to a concurrent change */
    public int attempts() {
        return attempts;
    }
}
