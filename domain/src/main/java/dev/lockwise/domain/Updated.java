package dev.lockwise.domain;

import java.util.Objects;

/**
 * The outcome of a read-modify-write: the row as it was read and as it was left. When the change decided there was
 * nothing to do, {@code after} equals {@code before} and nothing was written.
 */
public record Updated<T>(T before, T after) {
    public Updated {
        Objects.requireNonNull(before, "before");
        Objects.requireNonNull(after, "after");
    }

    public boolean changed() {
        return !before.equals(after);
    }
}
