package dev.lockwise.application.adaptive;

import dev.lockwise.application.events.LockwiseEvents;
import dev.lockwise.application.events.Operation;
import dev.lockwise.application.retry.Attempt;
import dev.lockwise.domain.ConcurrentUpdateException;
import dev.lockwise.domain.Updated;

import java.time.Duration;
import java.util.Objects;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;
import java.util.function.UnaryOperator;

/**
 * The adaptive strategy's one decision, shared by accounts and verfacts: try without a lock unless the row is hot;
 * after a conflict, remember the row as hot, and the caller's next attempt takes the row lock. So an update needs at
 * most two attempts (barring lock timeouts and deadlocks, which the caller's retry handles).
 *
 * <p>The conflict is handed to the caller's retry ({@link dev.lockwise.application.retry.ConflictRetry}) rather than followed by the locked attempt
 * at once: the retry policy's backoff applies between the two attempts, so a caller that lost a race steps aside
 * for a moment, as an optimistic one does (measured: fewer conflicts on moderately contended rows). The retry tells
 * the next attempt that its predecessor conflicted ({@link Attempt#previousConflicted()}), and that attempt is locked
 * even if the hot-row memory has forgotten the row meanwhile, so "at most two" does not depend on the memory. With
 * {@code retry.attempts = 1} there is no second attempt, and a conflict is reported as exhausted retries, as for the
 * other strategies.
 *
 * <p>Locked attempts of one process go through {@link LockedBatches}: they queue in the JVM, and the one at the head
 * takes the row lock in PostgreSQL for every queued change to that row, in one transaction. So at most one
 * transaction per row and process waits in the database (a commit wakes one waiter, not a herd; waiters hold no
 * pooled connection), and a hot row acknowledges many changes per round trip instead of one. Other processes are
 * still excluded by the database's row lock.
 *
 * <p>Heat: a row is hot from a conflict until the cooldown has passed without further sign of contention. On the
 * locked path a conflict cannot happen, so the sign there is a shared transaction: one that carried changes of more
 * than one caller renews the row's heat. A row whose locked transactions run alone cools down and is tried
 * optimistically again, which is cheaper when nobody else is writing it.
 *
 * <p>Why in the application layer: it composes two existing ports (the optimistic and the pessimistic repository)
 * and needs no SQL of its own, so no adapter has to know another; the wiring hands it one of each.
 *
 * @param <K> what identifies a row: its key in the hot-row memory and on the locked path
 * @param <T> the row type
 */
final class AdaptivePath<K, T> {
    private final HotRows hotRows;
    private final LockwiseEvents events;
    private final Operation operation;
    private final ToLongFunction<K> hotKey;
    private final LockedBatches<K, T> batches;

    /**
     * @param hotKey      the row's key in the hot-row memory, from the row identity the repository passes to
     *                    {@link #update}
     * @param lockTimeout how long a locked attempt waits in this process for its turn at the row (as long as it
     *                    would wait for the row lock in the database)
     */
    AdaptivePath(HotRows hotRows, LockwiseEvents events, Operation operation, ToLongFunction<K> hotKey,
                 Duration lockTimeout) {
        this.hotRows = Objects.requireNonNull(hotRows, "hotRows");
        this.events = Objects.requireNonNull(events, "events");
        this.operation = Objects.requireNonNull(operation, "operation");
        this.hotKey = Objects.requireNonNull(hotKey, "hotKey");
        events.hotRowMemory(operation, hotRows::hotCount);
        this.batches = new LockedBatches<>(lockTimeout, (row, size) -> {
            if (size > 1) {
                hotRows.markHot(hotKey.applyAsLong(row));
            }
            events.lockedBatch(operation, size);
        });
    }

    /**
     * One adaptive attempt at {@code change}.
     *
     * @param row        the row's identity (equal rows are combined on the locked path)
     * @param attempt    which attempt of the caller's retry this is
     * @param optimistic one optimistic attempt at {@code change}
     * @param locked     one row-locked attempt at a given change
     */
    Updated<T> update(K row, Attempt attempt, UnaryOperator<T> change, Supplier<Updated<T>> optimistic,
                      LockedBatches.LockedUpdate<T> locked) {
        return choose(row, attempt, optimistic, () -> batches.update(row, change, locked));
    }

    /** As {@link #update}, for an attempt that does more than change the row and so runs alone on the locked path. */
    <R> R updateAlone(K row, Attempt attempt, Supplier<R> optimistic, Supplier<R> locked) {
        return choose(row, attempt, optimistic, () -> batches.alone(row, locked));
    }

    private <R> R choose(K row, Attempt attempt, Supplier<R> optimistic, Supplier<R> locked) {
        long key = hotKey.applyAsLong(row);
        boolean afterConflict = attempt.previousConflicted();
        if (afterConflict || hotRows.isHot(key)) {
            events.lockFallback(operation, !afterConflict);
            return locked.get();
        }
        try {
            return optimistic.get();
        } catch (ConcurrentUpdateException conflict) {
            hotRows.markHot(key);
            throw conflict;
        }
    }
}
