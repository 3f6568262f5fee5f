package dev.lockwise.application.retry;

/**
 * One attempt of a use case as {@link ConflictRetry} runs it: its number, and whether the attempt before it (of the
 * same call, so on the same row) lost a race. The adaptive strategy takes the row lock on the attempt after a
 * conflict; the retry hands that fact over explicitly rather than leaving it in thread-local state.
 *
 * @param number             1 for the first attempt
 * @param previousConflicted whether the previous attempt ended in a {@link dev.lockwise.domain.ConcurrentUpdateException}
 */
public record Attempt(int number, boolean previousConflicted) {
    /** A call's first attempt: nothing came before it. */
    public static final Attempt FIRST = new Attempt(1, false);

    /**
     * @param number             1 for the first attempt
     * @param previousConflicted whether the previous attempt lost a race; false for the first
     * @throws IllegalArgumentException if the number is below 1, or the first attempt claims a predecessor
     */
    public Attempt {
        if (number < 1 || (number == 1 && previousConflicted)) {
            throw new IllegalArgumentException("attempt " + number + (previousConflicted ? " after a conflict" : ""));
        }
    }
}
