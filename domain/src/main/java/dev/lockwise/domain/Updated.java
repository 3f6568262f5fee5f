package dev.lockwise.domain;

import java.util.Objects;

/**
 * The outcome of a read-modify-write: the row as it was read and as it was left. When the change decided there was
 * nothing to do, {@code after} equals {@code before} and nothing was written.
 *
 * @param before the row as read
 * @param after  the row as written (equal to {@code before} when nothing was written)
 * @param <T>    the row type
 */
public record Updated<T>(T before, T after) {
    /**
     * @param before the row as read, not null
     * @param after  the row as written, not null
     */
    public Updated {
        Objects.requireNonNull(before, "before");
        Objects.requireNonNull(after, "after");
    }

    /** @return whether the change wrote something: {@code after} differs from {@code before} */
    public boolean changed() {
        return !before.equals(after);
    }
}
