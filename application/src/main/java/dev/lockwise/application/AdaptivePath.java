package dev.lockwise.application;

import dev.lockwise.domain.ConcurrentUpdateException;
import dev.lockwise.domain.Updated;

import java.util.Objects;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * The adaptive strategy's one decision, shared by accounts and verfacts: try without a lock unless the row is hot;
 * after a conflict, remember the row as hot and take the row lock at once. So an update needs at most two attempts
 * (barring lock timeouts and deadlocks, which the caller's retry handles).
 *
 * <p>Locked attempts of one process go through {@link LockedBatches}: they queue in the JVM, and the one at the head
 * takes the row lock in PostgreSQL for every queued change to that row, in one transaction. So at most one
 * transaction per row and process waits in the database (a commit wakes one waiter, not a herd; waiters hold no
 * pooled connection), and a hot row acknowledges many changes per round trip instead of one. Other processes are
 * still excluded by the database's row lock.
 *
 * <p>Why in the application layer: it composes two existing ports (the optimistic and the pessimistic repository)
 * and needs no SQL of its own, so no adapter has to know another; the wiring hands it one of each.
 *
 * @param <T> the row type
 */
final class AdaptivePath<T> {
    private final HotRows hotRows;
    private final LockwiseEvents events;
    private final Operation operation;
    private final LockedBatches<T> batches;

    AdaptivePath(HotRows hotRows, LockwiseEvents events, Operation operation) {
        this.hotRows = Objects.requireNonNull(hotRows, "hotRows");
        this.events = Objects.requireNonNull(events, "events");
        this.operation = Objects.requireNonNull(operation, "operation");
        this.batches = new LockedBatches<>(size -> events.lockedBatch(operation, size));
    }

    /**
     * One adaptive attempt at {@code change}.
     *
     * @param row        the row's identity (equal rows are combined on the locked path)
     * @param hotKey     the row's key in the hot-row memory
     * @param optimistic one optimistic attempt at {@code change}
     * @param locked     one row-locked attempt at a given change
     */
    Updated<T> update(Object row, long hotKey, UnaryOperator<T> change, Supplier<Updated<T>> optimistic,
                      LockedBatches.LockedUpdate<T> locked) {
        return choose(hotKey, optimistic, () -> batches.update(row, change, locked));
    }

    /** As {@link #update}, for an attempt that does more than change the row and so runs alone on the locked path. */
    <R> R updateAlone(Object row, long hotKey, Supplier<R> optimistic, Supplier<R> locked) {
        return choose(hotKey, optimistic, () -> batches.alone(row, locked));
    }

    private <R> R choose(long hotKey, Supplier<R> optimistic, Supplier<R> locked) {
        if (hotRows.isHot(hotKey)) {
            events.lockFallback(operation, true);
            return locked.get();
        }
        try {
            return optimistic.get();
        } catch (ConcurrentUpdateException conflict) {
            hotRows.markHot(hotKey);
            events.conflict(operation, Strategy.ADAPTIVE, 1);
            events.lockFallback(operation, false);
            return locked.get();
        }
    }
}
