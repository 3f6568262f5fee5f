package dev.lockwise.application;

import dev.lockwise.domain.ConcurrentUpdateException;

import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * The adaptive strategy's one decision, shared by accounts and verfacts: try without a lock unless the row is hot;
 * after a conflict, remember the row as hot and take the row lock at once. So an update needs at most two attempts
 * (barring lock timeouts and deadlocks, which the caller's retry handles).
 *
 * <p>Locked attempts of one process queue in the JVM first, on one of a fixed set of lock stripes chosen by the row,
 * and only then take the row lock in PostgreSQL. So at most one transaction per row and process waits in the
 * database: a commit wakes one waiter instead of a herd, and waiters hold no pooled connection. Measured on a hot
 * row, this doubles the locked path's throughput. Other processes are still excluded by the database's row lock.
 *
 * <p>Why in the application layer: it composes two existing ports (the optimistic and the pessimistic repository)
 * and needs no SQL of its own, so no adapter has to know another; the wiring hands it one of each.
 */
final class AdaptivePath {
    /** Fixed: memory does not grow with the number of rows; rows that share a stripe merely queue together. */
    static final int STRIPES = 256;

    private final HotRows hotRows;
    private final LockwiseEvents events;
    private final Operation operation;
    private final ReentrantLock[] stripes = new ReentrantLock[STRIPES];

    AdaptivePath(HotRows hotRows, LockwiseEvents events, Operation operation) {
        this.hotRows = Objects.requireNonNull(hotRows, "hotRows");
        this.events = Objects.requireNonNull(events, "events");
        this.operation = operation;
        for (int i = 0; i < STRIPES; i++) {
            stripes[i] = new ReentrantLock();
        }
    }

    <T> T update(long rowKey, Supplier<T> optimistic, Supplier<T> locked) {
        if (hotRows.isHot(rowKey)) {
            events.lockFallback(operation, true);
            return queued(rowKey, locked);
        }
        try {
            return optimistic.get();
        } catch (ConcurrentUpdateException conflict) {
            hotRows.markHot(rowKey);
            events.conflict(operation, Strategy.ADAPTIVE, 1);
            events.lockFallback(operation, false);
            return queued(rowKey, locked);
        }
    }

    private <T> T queued(long rowKey, Supplier<T> locked) {
        long mixed = rowKey * 0x9E3779B97F4A7C15L;
        ReentrantLock stripe = stripes[(int) (mixed >>> 32) & (STRIPES - 1)];
        stripe.lock();
        try {
            return locked.get();
        } finally {
            stripe.unlock();
        }
    }
}
