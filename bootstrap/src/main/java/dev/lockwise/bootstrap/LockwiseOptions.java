package dev.lockwise.bootstrap;

import dev.lockwise.application.adaptive.HotRows;
import dev.lockwise.application.events.LockwiseEvents;
import dev.lockwise.application.retry.RetryPolicy;
import dev.lockwise.domain.InvalidInputException;
import dev.lockwise.domain.Strategy;
import dev.lockwise.domain.lease.LeaseTable;
import dev.lockwise.jdbc.Transactions;

import java.time.Duration;

/**
 * Everything that shapes how Lockwise works, in one record that the builder and the Guice module both take, each
 * value validated here, once, whatever the strategy.
 *
 * @param strategy       optimistic, pessimistic, adaptive or batched
 * @param retryPolicy    attempts and backoff for conflicts
 * @param lockTimeout    how long any write waits for a row lock held elsewhere, every strategy: 1 ms to 10 minutes
 * @param leaseTable     where the lease table lives
 * @param hotRowCapacity the adaptive strategy's hot-row memory: a power of two up to 2^24 rows
 * @param hotRowCooldown how long a row stays hot after its last sign of contention: 1 ms to 1 hour
 * @param events         what the use cases report to (metrics, logs)
 */
public record LockwiseOptions(Strategy strategy, RetryPolicy retryPolicy, Duration lockTimeout, LeaseTable leaseTable,
                              int hotRowCapacity, Duration hotRowCooldown, LockwiseEvents events) {
    /** The lock timeout when none is given: 5 s. */
    public static final Duration DEFAULT_LOCK_TIMEOUT = Transactions.DEFAULT_LOCK_TIMEOUT;
    /** The longest lock timeout accepted: 10 minutes. */
    public static final Duration MAX_LOCK_TIMEOUT = Transactions.MAX_LOCK_TIMEOUT;

    /** Optimistic, the default retry policy, 5 s lock timeout, the default lease table and hot-row memory, no events. */
    public static final LockwiseOptions DEFAULTS = new LockwiseOptions(Strategy.OPTIMISTIC, RetryPolicy.DEFAULT,
            DEFAULT_LOCK_TIMEOUT, LeaseTable.DEFAULT, HotRows.DEFAULT_CAPACITY, HotRows.DEFAULT_COOLDOWN,
            LockwiseEvents.NONE);

    /**
     * Validates every option, whatever the strategy.
     *
     * @param strategy       optimistic, pessimistic, adaptive or batched; not null
     * @param retryPolicy    attempts and backoff for conflicts; not null
     * @param lockTimeout    how long any write waits for a row lock held elsewhere: 1 ms to 10 minutes
     * @param leaseTable     where the lease table lives; not null
     * @param hotRowCapacity the adaptive strategy's hot-row memory: a power of two, 1 to 2^24 rows
     * @param hotRowCooldown how long a row stays hot after its last sign of contention: 1 ms to 1 hour
     * @param events         what the use cases report to (metrics, logs); not null
     * @throws InvalidInputException if any option is missing or out of range
     */
    public LockwiseOptions {
        required("strategy", strategy);
        required("retry policy", retryPolicy);
        required("lease table", leaseTable);
        required("events", events);
        Transactions.requireLockTimeout(lockTimeout);
        HotRows.requireValid(hotRowCapacity, hotRowCooldown);
    }

    private static void required(String what, Object value) {
        if (value == null) {
            throw new InvalidInputException(what + " is required");
        }
    }

    /**
     * These options with another strategy.
     *
     * @param value optimistic, pessimistic, adaptive or batched; not null
     * @return a copy with {@code value} as its strategy
     * @throws InvalidInputException if it is null
     */
    public LockwiseOptions withStrategy(Strategy value) {
        return new LockwiseOptions(value, retryPolicy, lockTimeout, leaseTable, hotRowCapacity, hotRowCooldown, events);
    }

    /**
     * These options with another retry policy.
     *
     * @param value attempts and backoff for conflicts; not null
     * @return a copy with {@code value} as its retry policy
     * @throws InvalidInputException if it is null
     */
    public LockwiseOptions withRetryPolicy(RetryPolicy value) {
        return new LockwiseOptions(strategy, value, lockTimeout, leaseTable, hotRowCapacity, hotRowCooldown, events);
    }

    /**
     * These options with another lock timeout.
     *
     * @param value how long any write waits for a row lock held elsewhere: 1 ms to 10 minutes
     * @return a copy with {@code value} as its lock timeout
     * @throws InvalidInputException if it is null or out of range
     */
    public LockwiseOptions withLockTimeout(Duration value) {
        return new LockwiseOptions(strategy, retryPolicy, value, leaseTable, hotRowCapacity, hotRowCooldown, events);
    }

    /**
     * These options with another lease table.
     *
     * @param value where the lease table lives; not null
     * @return a copy with {@code value} as its lease table
     * @throws InvalidInputException if it is null
     */
    public LockwiseOptions withLeaseTable(LeaseTable value) {
        return new LockwiseOptions(strategy, retryPolicy, lockTimeout, value, hotRowCapacity, hotRowCooldown, events);
    }

    /**
     * These options with another hot-row memory for the adaptive strategy.
     *
     * @param capacity rows remembered: a power of two, 1 to 2^24
     * @param cooldown how long a row stays hot after its last sign of contention: 1 ms to 1 hour
     * @return a copy with that hot-row memory
     * @throws InvalidInputException if either is missing or out of range
     */
    public LockwiseOptions withHotRows(int capacity, Duration cooldown) {
        return new LockwiseOptions(strategy, retryPolicy, lockTimeout, leaseTable, capacity, cooldown, events);
    }

    /**
     * These options with another event sink.
     *
     * @param value what the use cases report to (metrics, logs); {@link LockwiseEvents#NONE} for nothing; not null
     * @return a copy with {@code value} as its events
     * @throws InvalidInputException if it is null
     */
    public LockwiseOptions withEvents(LockwiseEvents value) {
        return new LockwiseOptions(strategy, retryPolicy, lockTimeout, leaseTable, hotRowCapacity, hotRowCooldown, value);
    }
}
