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

    /**
     * An attempt lost a race (version mismatch, serialization failure or deadlock).
     *
     * @param operation the use case
     * @param strategy  the strategy it runs with
     * @param attempt   which attempt it was, from 1
     */
    default void conflict(Operation operation, Strategy strategy, int attempt) {
    }

    /**
     * A new attempt will follow after {@code wait}.
     *
     * @param operation the use case
     * @param strategy  the strategy it runs with
     * @param attempt   the number of the attempt that failed, from 1
     * @param wait      the backoff before the next attempt
     */
    default void retry(Operation operation, Strategy strategy, int attempt, Duration wait) {
    }

    /**
     * Every permitted attempt conflicted; the operation failed with RetriesExhaustedException.
     *
     * @param operation the use case
     * @param strategy  the strategy it runs with
     * @param attempts  how many attempts were made
     */
    default void exhausted(Operation operation, Strategy strategy, int attempts) {
    }

    /**
     * The operation succeeded.
     *
     * @param operation the use case
     * @param strategy  the strategy it runs with
     * @param attempts  how many attempts it took, from 1
     * @param elapsed   its whole time, retries and waits included
     */
    default void success(Operation operation, Strategy strategy, int attempts, Duration elapsed) {
    }

    /**
     * The adaptive strategy took the row lock for this attempt.
     *
     * @param operation the use case
     * @param hot       true: because the row was remembered hot; false: because the previous attempt conflicted
     */
    default void lockFallback(Operation operation, boolean hot) {
    }

    /**
     * The adaptive strategy ran one row-locked transaction carrying {@code changes} queued attempts on one row
     * (1 when nobody else in this process was waiting for that row).
     *
     * @param operation the use case
     * @param changes   the attempts the transaction carried, 1 to 64
     */
    default void lockedBatch(Operation operation, int changes) {
    }

    /**
     * The batched strategy ran one multi-row attempt: one read and one write carrying {@code attempts} queued attempts
     * on {@code rows} distinct rows (1 and 1 when nobody else in this process was waiting).
     *
     * @param operation the use case
     * @param rows      the distinct rows the attempt read and wrote
     * @param attempts  the callers' attempts it carried, 1 to 64
     */
    default void rowBatch(Operation operation, int rows, int attempts) {
    }

    /**
     * The adaptive strategy started a hot-row memory for {@code operation}; {@code hotRowsNow} tells how many rows it
     * remembers as hot at the moment of the call (a scan of a fixed-size table: for gauges, not for hot paths).
     *
     * @param operation  the use case whose rows it remembers
     * @param hotRowsNow counts the rows remembered hot when called
     */
    default void hotRowMemory(Operation operation, IntSupplier hotRowsNow) {
    }

    /**
     * A lease was acquired.
     *
     * @param lease  the lease, with its generation
     * @param waited how long the acquisition waited for the lock, retries included
     */
    default void leaseAcquired(Lease lease, Duration waited) {
    }

    /**
     * A lock was held by someone else for the whole wait; nothing runs.
     *
     * @param lockId the lock asked for
     */
    default void leaseUnavailable(LockId lockId) {
    }

    /**
     * A lease was renewed.
     *
     * @param lease the lease as renewed
     * @param took  how long the renewal took, from sending it to its answer
     */
    default void leaseRenewed(Lease lease, Duration took) {
    }

    /**
     * A lease was lost while its task ran: the task is being stopped.
     *
     * @param lease  the lease lost
     * @param reason why, for logs (expired, taken over, renewal failed)
     */
    default void leaseLost(Lease lease, String reason) {
    }

    /**
     * A lease was given back after its task ended.
     *
     * @param lease the lease released
     * @param held  how long it was held, from acquisition to release
     */
    default void leaseReleased(Lease lease, Duration held) {
    }
}
