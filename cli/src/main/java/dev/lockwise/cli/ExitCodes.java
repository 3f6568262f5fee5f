package dev.lockwise.cli;

import dev.lockwise.adapter.lock.LeaseTableCheck;
import dev.lockwise.domain.DatabaseUnavailableException;
import dev.lockwise.domain.InvalidInputException;

/** The exit codes of the {@code lockwise} command, as documented in the README. */
public final class ExitCodes {
    public static final int OK = 0;
    /** The operation was refused: not found, duplicate, lock unavailable, retries exhausted, lock wait timed out… */
    public static final int REFUSED = 1;
    /** Invalid input, usage or configuration. */
    public static final int INVALID = 2;
    /** The database could not be reached (or dropped the connection). */
    public static final int DATABASE_UNAVAILABLE = 3;
    /** {@code lockwise exclusive}: another holder had the lease and it was not freed within --wait. */
    public static final int LOCK_UNAVAILABLE = 75;
    /** {@code lockwise exclusive}: the lease was lost while the command ran; the command was terminated. */
    public static final int LEASE_LOST = 76;
    /** {@code lockwise exclusive --once-per}: the current slot already had its run; the command was not run. */
    public static final int SLOT_DONE = 79;

    private ExitCodes() {
    }

    static int of(Throwable failure) {
        if (failure instanceof DatabaseUnavailableException) {
            return DATABASE_UNAVAILABLE;
        }
        if (failure instanceof InvalidInputException || failure instanceof LeaseTableCheck.LeaseTableMismatchException
                || failure instanceof IllegalArgumentException) {
            return INVALID;
        }
        return REFUSED; // every other LockwiseException is a refusal; anything unexpected is reported the same way
    }
}
