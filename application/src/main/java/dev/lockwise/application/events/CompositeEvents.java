package dev.lockwise.application.events;

import dev.lockwise.domain.Strategy;
import dev.lockwise.domain.lease.Lease;
import dev.lockwise.domain.lease.LockId;

import java.time.Duration;
import java.util.List;
import java.util.function.IntSupplier;

/** Sends every event to several listeners, in order (for example Micrometer and an in-memory counter). */
public final class CompositeEvents implements LockwiseEvents {
    private final List<LockwiseEvents> listeners;

    /** @param listeners the listeners, called in this order */
    public CompositeEvents(List<LockwiseEvents> listeners) {
        this.listeners = List.copyOf(listeners);
    }

    /**
     * @param listeners the listeners, called in this order
     * @return events sent to each of them
     */
    public static LockwiseEvents of(LockwiseEvents... listeners) {
        return new CompositeEvents(List.of(listeners));
    }

    @Override
    public void conflict(Operation operation, Strategy strategy, int attempt) {
        listeners.forEach(l -> l.conflict(operation, strategy, attempt));
    }

    @Override
    public void retry(Operation operation, Strategy strategy, int attempt, Duration wait) {
        listeners.forEach(l -> l.retry(operation, strategy, attempt, wait));
    }

    @Override
    public void exhausted(Operation operation, Strategy strategy, int attempts) {
        listeners.forEach(l -> l.exhausted(operation, strategy, attempts));
    }

    @Override
    public void success(Operation operation, Strategy strategy, int attempts, Duration elapsed) {
        listeners.forEach(l -> l.success(operation, strategy, attempts, elapsed));
    }

    @Override
    public void lockFallback(Operation operation, boolean hot) {
        listeners.forEach(l -> l.lockFallback(operation, hot));
    }

    @Override
    public void lockedBatch(Operation operation, int changes) {
        listeners.forEach(l -> l.lockedBatch(operation, changes));
    }

    @Override
    public void rowBatch(Operation operation, int rows, int attempts) {
        listeners.forEach(l -> l.rowBatch(operation, rows, attempts));
    }

    @Override
    public void hotRowMemory(Operation operation, IntSupplier hotRowsNow) {
        listeners.forEach(l -> l.hotRowMemory(operation, hotRowsNow));
    }

    @Override
    public void leaseAcquired(Lease lease, Duration waited) {
        listeners.forEach(l -> l.leaseAcquired(lease, waited));
    }

    @Override
    public void leaseUnavailable(LockId lockId) {
        listeners.forEach(l -> l.leaseUnavailable(lockId));
    }

    @Override
    public void leaseRenewed(Lease lease, Duration took) {
        listeners.forEach(l -> l.leaseRenewed(lease, took));
    }

    @Override
    public void leaseLost(Lease lease, String reason) {
        listeners.forEach(l -> l.leaseLost(lease, reason));
    }

    @Override
    public void leaseReleased(Lease lease, Duration held) {
        listeners.forEach(l -> l.leaseReleased(lease, held));
    }
}
