package dev.lockwise.domain;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * What one attempt at several rows did to one of them: either the row as read and as written ({@link #updated()};
 * equal when there was nothing to do), or why this row was not written ({@link #failure()}): a lost race
 * ({@link ConcurrentUpdateException}), no such row (a {@link NotFoundException}), or the failure of the row's change
 * itself. Exactly one of the two is set.
 *
 * @param updated the row as read and as written, or null if this row failed
 * @param failure why this row was not written, or null if it was
 * @param <T>     the row type
 */
public record RowOutcome<T>(Updated<T> updated, RuntimeException failure) {
    /**
     * @param updated the row as read and as written, or null
     * @param failure why the row was not written, or null; exactly one of the two is set
     */
    public RowOutcome {
        if ((updated == null) == (failure == null)) {
            throw new IllegalArgumentException("exactly one of updated and failure must be set");
        }
    }

    /**
     * @param updated the row as read and as written
     * @param <T>     the row type
     * @return a row that was written (or needed no write)
     */
    public static <T> RowOutcome<T> written(Updated<T> updated) {
        return new RowOutcome<>(Objects.requireNonNull(updated, "updated"), null);
    }

    /**
     * @param failure why the row was not written
     * @param <T>     the row type
     * @return a row that was not written
     */
    public static <T> RowOutcome<T> failed(RuntimeException failure) {
        return new RowOutcome<>(null, Objects.requireNonNull(failure, "failure"));
    }

    /**
     * @return the row as read and as written
     * @throws RuntimeException this row's failure, if it was not written
     */
    public Updated<T> orThrow() {
        if (failure != null) {
            throw failure;
        }
        return updated;
    }

    /**
     * One attempt per row, each on its own: what a repository without a multi-row statement does for
     * {@code updateEach}. A failure of one row's attempt (a lost race, no such row, a refused statement) is that row's
     * outcome; the other rows are still attempted.
     *
     * @param changes the change per row
     * @param update  one attempt at one row
     * @param <K>     what identifies a row
     * @param <T>     the row type
     * @return the outcome per row, in the order of {@code changes}
     */
    public static <K, T> Map<K, RowOutcome<T>> eachAlone(Map<K, UnaryOperator<T>> changes,
                                                         Function<Map.Entry<K, UnaryOperator<T>>, Updated<T>> update) {
        Map<K, RowOutcome<T>> outcomes = new LinkedHashMap<>();
        for (Map.Entry<K, UnaryOperator<T>> change : changes.entrySet()) {
            try {
                outcomes.put(change.getKey(), written(update.apply(change)));
            } catch (RuntimeException failure) {
                outcomes.put(change.getKey(), failed(failure));
            }
        }
        return outcomes;
    }
}
