package dev.lockwise.bootstrap;

import dev.lockwise.adapter.jooq.JooqAccountRepository;
import dev.lockwise.adapter.jooq.JooqVerFactRepository;
import dev.lockwise.adapter.lock.JdbcLeaseLock;
import dev.lockwise.adapter.lock.JdbcScheduledRunLog;
import dev.lockwise.adapter.lock.LeaseFence;
import dev.lockwise.adapter.pessimistic.PessimisticAccountRepository;
import dev.lockwise.adapter.pessimistic.PessimisticVerFactRepository;
import dev.lockwise.application.RunExclusive;
import dev.lockwise.application.RunOncePerSlot;
import dev.lockwise.application.adaptive.AdaptiveAccountRepository;
import dev.lockwise.application.adaptive.AdaptiveVerFactRepository;
import dev.lockwise.application.adaptive.HotRows;
import dev.lockwise.application.batch.BatchedAccountRepository;
import dev.lockwise.application.batch.BatchedVerFactRepository;
import dev.lockwise.application.retry.ConflictRetry;
import dev.lockwise.domain.account.AccountRepository;
import dev.lockwise.domain.lease.LeaseLock;
import dev.lockwise.domain.schedule.ScheduledRunLog;
import dev.lockwise.domain.verfact.VerFactRepository;

import javax.sql.DataSource;

/**
 * The one place where Lockwise's parts are built from a data source and {@link LockwiseOptions}: the strategy picks
 * the adapters here, for {@link Lockwise}'s builder and for the Guice module alike, so the two cannot drift apart.
 * The repositories and the lease lock it builds are low-level ports — a single attempt, no retry; hosts call the use
 * cases, which use them.
 */
public final class LockwiseAssembly {
    /**
     * How many multi-row batches the batched strategy runs at once, per repository. One: measured with durable
     * commits at 100 and 10 000 accounts × 16 and 64 callers, a second batch in flight was never faster and up to 30 %
     * slower (two half-size batches cost two commits where one costs one), and four halved the throughput.
     */
    static final int BATCHES_IN_FLIGHT = 1;

    private LockwiseAssembly() {
    }

    /**
     * The accounts of the chosen strategy (the adaptive one composes the batched optimistic path and the pessimistic
     * adapter with a hot-row memory).
     *
     * @param dataSource the host's pool, where the adapters take their connections
     * @param options    the strategy, the lock timeout and, for the adaptive strategy, the hot-row memory and events
     * @return the repository: one attempt per call, no retry
     */
    public static AccountRepository accounts(DataSource dataSource, LockwiseOptions options) {
        return switch (options.strategy()) {
            case OPTIMISTIC -> new JooqAccountRepository(dataSource, options.lockTimeout());
            case PESSIMISTIC -> new PessimisticAccountRepository(dataSource, options.lockTimeout());
            case ADAPTIVE -> new AdaptiveAccountRepository(batchedAccounts(dataSource, options),
                    new PessimisticAccountRepository(dataSource, options.lockTimeout()), hotRows(options),
                    options.events(), options.lockTimeout());
            case BATCHED -> batchedAccounts(dataSource, options);
        };
    }

    /**
     * The verfacts of the chosen strategy.
     *
     * @param dataSource the host's pool, where the adapters take their connections
     * @param options    the strategy, the lock timeout and, for the adaptive strategy, the hot-row memory and events
     * @return the repository: one attempt per call, no retry
     */
    public static VerFactRepository verFacts(DataSource dataSource, LockwiseOptions options) {
        return switch (options.strategy()) {
            case OPTIMISTIC -> new JooqVerFactRepository(dataSource, options.lockTimeout());
            case PESSIMISTIC -> new PessimisticVerFactRepository(dataSource, options.lockTimeout());
            case ADAPTIVE -> new AdaptiveVerFactRepository(batchedVerFacts(dataSource, options),
                    new PessimisticVerFactRepository(dataSource, options.lockTimeout()), hotRows(options),
                    options.events(), options.lockTimeout());
            case BATCHED -> batchedVerFacts(dataSource, options);
        };
    }

    /*
     * The adaptive strategy's calm rows go through the batched strategy's cross-row batches: measured with durable
     * commits (1, 10 and 100 accounts x 4 and 16 callers, 5 paired rounds), adaptive then leads the better of
     * optimistic and pessimistic in every cell, 10 accounts x 4 callers included (1.20 [1.04-1.38]), where with one
     * optimistic transaction per deposit it was level with pessimistic. Its hot rows still take the row lock.
     */
    private static AccountRepository batchedAccounts(DataSource dataSource, LockwiseOptions options) {
        return new BatchedAccountRepository(new JooqAccountRepository(dataSource, options.lockTimeout()),
                options.events(), options.lockTimeout(), BATCHES_IN_FLIGHT);
    }

    private static VerFactRepository batchedVerFacts(DataSource dataSource, LockwiseOptions options) {
        return new BatchedVerFactRepository(new JooqVerFactRepository(dataSource, options.lockTimeout()),
                options.events(), options.lockTimeout(), BATCHES_IN_FLIGHT);
    }

    private static HotRows hotRows(LockwiseOptions options) {
        return new HotRows(options.hotRowCapacity(), options.hotRowCooldown());
    }

    /**
     * The lease lock on {@code dataSource} (which it keeps up to {@value JdbcLeaseLock#KEEP_IDLE} connections of).
     *
     * @param dataSource where the lock takes its connections: the host's pool or a lease pool of its own
     * @param options    the lease table
     * @return a new lock; close it to give its reserved connections back
     */
    public static JdbcLeaseLock leaseLock(DataSource dataSource, LockwiseOptions options) {
        return new JdbcLeaseLock(dataSource, options.leaseTable());
    }

    /**
     * The predicate for writes that must be refused once a lease is gone, bounded by the lock timeout.
     *
     * @param options the lease table and the lock timeout
     * @return the fence on that lease table
     */
    public static LeaseFence fence(LockwiseOptions options) {
        return new LeaseFence(options.leaseTable(), options.lockTimeout());
    }

    /**
     * The retry of conflicting attempts, shared by the use cases that write.
     *
     * @param options the retry policy, the strategy and the events
     * @return the retry that deposits and set-as-processed run their attempts through
     */
    public static ConflictRetry retry(LockwiseOptions options) {
        return new ConflictRetry(options.retryPolicy(), options.strategy(), options.events());
    }

    /**
     * Runs tasks while holding a lease of {@code lock}.
     *
     * @param lock    the lease lock
     * @param options the events
     * @return the run-exclusive use case; closing it stops renewals and releases running tasks' leases
     */
    public static RunExclusive runExclusive(LeaseLock lock, LockwiseOptions options) {
        return new RunExclusive(lock, options.events());
    }

    /**
     * The record of runs scheduled once per slot, fenced by the options' lease table, bounded by their lock timeout.
     *
     * @param dataSource where the records are written
     * @param options    the lease table and the lock timeout
     * @return the run log
     */
    public static ScheduledRunLog scheduledRunLog(DataSource dataSource, LockwiseOptions options) {
        return new JdbcScheduledRunLog(dataSource, options.leaseTable(), options.lockTimeout());
    }

    /**
     * Once per slot on top of {@code runExclusive}, recording this process as {@link RunOncePerSlot#defaultHolder()}.
     *
     * @param runExclusive how the lease is held
     * @param log          where runs are recorded
     * @return the use case
     */
    public static RunOncePerSlot runOncePerSlot(RunExclusive runExclusive, ScheduledRunLog log) {
        return new RunOncePerSlot(runExclusive, log, RunOncePerSlot.defaultHolder());
    }
}
