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
 * @param strategy       optimistic, pessimistic or adaptive
 * @param retryPolicy    attempts and backoff for conflicts
 * @param lockTimeout    how long any write waits for a row lock held elsewhere, every strategy: 1 ms to 10 minutes
 * @param leaseTable     where the lease table lives
 * @param hotRowCapacity the adaptive strategy's hot-row memory: a power of two up to 2^24 rows
 * @param hotRowCooldown how long a row stays hot after its last sign of contention: 1 ms to 1 hour
 * @param events         what the use cases report to (metrics, logs)
 */
public record LockwiseOptions(Strategy strategy, RetryPolicy retryPolicy, Duration lockTimeout, LeaseTable leaseTable,
                              int hotRowCapacity, Duration hotRowCooldown, LockwiseEvents events) {
    public static final Duration DEFAULT_LOCK_TIMEOUT = Transactions.DEFAULT_LOCK_TIMEOUT;
    public static final Duration MAX_LOCK_TIMEOUT = Transactions.MAX_LOCK_TIMEOUT;

    /** Optimistic, the default retry policy, 5 s lock timeout, the default lease table and hot-row memory, no events. */
    public static final LockwiseOptions DEFAULTS = new LockwiseOptions(Strategy.OPTIMISTIC, RetryPolicy.DEFAULT,
            DEFAULT_LOCK_TIMEOUT, LeaseTable.DEFAULT, HotRows.DEFAULT_CAPACITY, HotRows.DEFAULT_COOLDOWN,
            LockwiseEvents.NONE);

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

    public LockwiseOptions withStrategy(Strategy value) {
        return new LockwiseOptions(value, retryPolicy, lockTimeout, leaseTable, hotRowCapacity, hotRowCooldown, events);
    }

    public LockwiseOptions withRetryPolicy(RetryPolicy value) {
        return new LockwiseOptions(strategy, value, lockTimeout, leaseTable, hotRowCapacity, hotRowCooldown, events);
    }

    public LockwiseOptions withLockTimeout(Duration value) {
        return new LockwiseOptions(strategy, retryPolicy, value, leaseTable, hotRowCapacity, hotRowCooldown, events);
    }

    public LockwiseOptions withLeaseTable(LeaseTable value) {
        return new LockwiseOptions(strategy, retryPolicy, lockTimeout, value, hotRowCapacity, hotRowCooldown, events);
    }

    public LockwiseOptions withHotRows(int capacity, Duration cooldown) {
        return new LockwiseOptions(strategy, retryPolicy, lockTimeout, leaseTable, capacity, cooldown, events);
    }

    public LockwiseOptions withEvents(LockwiseEvents value) {
        return new LockwiseOptions(strategy, retryPolicy, lockTimeout, leaseTable, hotRowCapacity, hotRowCooldown, value);
    }
}
