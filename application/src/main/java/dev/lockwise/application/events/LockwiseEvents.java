package dev.lockwise.application.events;

import dev.lockwise.domain.Strategy;
import dev.lockwise.domain.lease.Lease;
import dev.lockwise.domain.lease.LockId;

import java.time.Duration;
import java.util.function.IntSupplier;

/**
 * What the use cases report, for metrics and logs: the events port. Every method has a no-op default so that an
 * implementation picks what it needs. Implementations must be thread-safe and fast; they are called on hot paths.
 */
public interface LockwiseEvents {
    /** Reports nothing. */
    LockwiseEvents NONE = new LockwiseEvents() {
    };

    /** An attempt lost a race (version mismatch, serialization failure or deadlock). */
    default void conflict(Operation operation, Strategy strategy, int attempt) {
    }

    /** A new attempt will follow after {@code wait}; {@code attempt} is the number of the attempt that failed. */
    default void retry(Operation operation, Strategy strategy, int attempt, Duration wait) {
    }

    /** Every permitted attempt conflicted; the operation failed with RetriesExhaustedException. */
    default void exhausted(Operation operation, Strategy strategy, int attempts) {
    }

    /** The operation succeeded after {@code attempts} attempts, in {@code elapsed} (retries and waits included). */
    default void success(Operation operation, Strategy strategy, int attempts, Duration elapsed) {
    }

    /** The adaptive strategy took the row lock for this attempt ({@code hot}: because the row was remembered hot). */
    default void lockFallback(Operation operation, boolean hot) {
    }

    /**
     * The adaptive strategy ran one row-locked transaction carrying {@code changes} queued attempts on one row
     * (1 when nobody else in this process was waiting for that row).
     */
    default void lockedBatch(Operation operation, int changes) {
    }

    /**
     * The adaptive strategy started a hot-row memory for {@code operation}; {@code hotRowsNow} tells how many rows it
     * remembers as hot at the moment of the call (a scan of a fixed-size table: for gauges, not for hot paths).
     */
    default void hotRowMemory(Operation operation, IntSupplier hotRowsNow) {
    }

    default void leaseAcquired(Lease lease, Duration waited) {
    }

    default void leaseUnavailable(LockId lockId) {
    }

    default void leaseRenewed(Lease lease, Duration took) {
    }

    default void leaseLost(Lease lease, String reason) {
    }

    default void leaseReleased(Lease lease, Duration held) {
    }
}
