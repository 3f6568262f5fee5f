package dev.lockwise.domain.schedule;

import java.util.Locale;

/** Where a scheduled run stands, as recorded in the database. */
public enum RunOutcome {
    /** Started and not yet ended; its holder still held the lease when this was last looked at. */
    RUNNING,
    /** The task ended normally (for a command: exit status 0). */
    SUCCEEDED,
    /** The task failed (threw, or a command exited with a non-zero status, or was stopped by a lost lease). */
    FAILED,
    /** Its holder died or lost the lease before recording an end: whether the task finished is unknown. */
    ABANDONED;

    /**
     * The name stored in the database and printed by the command line.
     *
     * @return the constant's name in lower case, e.g. {@code succeeded}
     */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Reads an outcome by its {@link #label() label}.
     *
     * @param label a stored label such as {@code failed}
     * @return the outcome
     * @throws IllegalArgumentException if no outcome has that label (the table's check constraint prevents it)
     */
    public static RunOutcome fromLabel(String label) {
        return valueOf(label.toUpperCase(Locale.ROOT));
    }
}
