package dev.lockwise.application;

import dev.lockwise.domain.ConcurrentUpdateException;

import java.util.Objects;
import java.util.function.Supplier;

/**
 * The adaptive strategy's one decision, shared by accounts and verfacts: try without a lock unless the row is hot;
 * after a conflict, remember the row as hot and take the row lock at once. So an update needs at most two attempts
 * (barring lock timeouts and deadlocks, which the caller's retry handles).
 *
 * <p>Why in the application layer: it composes two existing ports (the optimistic and the pessimistic repository)
 * and needs no SQL of its own, so no adapter has to know another; the wiring hands it one of each.
 */
final class AdaptivePath {
    private final HotRows hotRows;
    private final LockwiseEvents events;
    private final Operation operation;

    AdaptivePath(HotRows hotRows, LockwiseEvents events, Operation operation) {
        this.hotRows = Objects.requireNonNull(hotRows, "hotRows");
        this.events = Objects.requireNonNull(events, "events");
        this.operation = operation;
    }

    <T> T update(long rowKey, Supplier<T> optimistic, Supplier<T> locked) {
        if (hotRows.isHot(rowKey)) {
            events.lockFallback(operation, true);
            return locked.get();
        }
        try {
            return optimistic.get();
        } catch (ConcurrentUpdateException conflict) {
            hotRows.markHot(rowKey);
            events.conflict(operation, Strategy.ADAPTIVE, 1);
            events.lockFallback(operation, false);
            return locked.get();
        }
    }
}
