package dev.lockwise.bootstrap;

import dev.lockwise.adapter.lock.JdbcLeaseLock;
import dev.lockwise.adapter.lock.LeaseFence;
import dev.lockwise.application.Deposit;
import dev.lockwise.application.OpenAccount;
import dev.lockwise.application.RecordVerFact;
import dev.lockwise.application.RunExclusive;
import dev.lockwise.application.RunOncePerSlot;
import dev.lockwise.application.SetAsProcessed;
import dev.lockwise.application.events.LockwiseEvents;
import dev.lockwise.application.retry.ConflictRetry;
import dev.lockwise.application.retry.RetryPolicy;
import dev.lockwise.domain.Strategy;
import dev.lockwise.domain.account.AccountRepository;
import dev.lockwise.domain.lease.LeaseTable;
import dev.lockwise.domain.verfact.VerFactRepository;

import java.time.Duration;
import java.util.Objects;
import javax.sql.DataSource;

/**
 * The plain-Java entry point: Lockwise's use cases built from a {@link DataSource} and {@link LockwiseOptions}, with
 * no container. A host keeps one instance for its lifetime (it is thread-safe) and closes it on shutdown (this stops
 * the lease machinery; the data sources stay the host's to close).
 *
 * <pre>{@code
 * Lockwise lockwise = Lockwise.builder(dataSource).strategy(Strategy.PESSIMISTIC).build();
 * lockwise.deposit().depositTo(new Username("alice"), Money.of("10.00"));
 * }</pre>
 */
public final class Lockwise implements AutoCloseable {
    private final LockwiseOptions options;
    private final JdbcLeaseLock leaseLock;
    private final Deposit deposit;
    private final OpenAccount openAccount;
    private final RecordVerFact recordVerFact;
    private final SetAsProcessed setAsProcessed;
    private final RunExclusive runExclusive;
    private final RunOncePerSlot runOncePerSlot;
    private final LeaseFence fence;

    private Lockwise(DataSource dataSource, DataSource leaseDataSource, LockwiseOptions options) {
        this.options = options;
        AccountRepository accounts = LockwiseAssembly.accounts(dataSource, options);
        VerFactRepository verFacts = LockwiseAssembly.verFacts(dataSource, options);
        ConflictRetry retry = LockwiseAssembly.retry(options);
        this.leaseLock = LockwiseAssembly.leaseLock(leaseDataSource, options);
        this.deposit = new Deposit(accounts, retry);
        this.openAccount = new OpenAccount(accounts);
        this.recordVerFact = new RecordVerFact(verFacts);
        this.setAsProcessed = new SetAsProcessed(verFacts, retry);
        this.runExclusive = LockwiseAssembly.runExclusive(leaseLock, options);
        this.runOncePerSlot = LockwiseAssembly.runOncePerSlot(runExclusive,
                LockwiseAssembly.scheduledRunLog(dataSource, options));
        this.fence = LockwiseAssembly.fence(options);
    }

    /**
     * Starts building a facade on {@code dataSource}, with {@link LockwiseOptions#DEFAULTS}.
     *
     * @param dataSource the host's pool, where every use case (and, unless set apart, the lease lock) takes its
     *                   connections; not null, and still the host's to close
     * @return a builder with the default options
     */
    public static Builder builder(DataSource dataSource) {
        return new Builder(dataSource);
    }

    /**
     * The options this facade was built with.
     *
     * @return the validated options
     */
    public LockwiseOptions options() {
        return options;
    }

    /**
     * The concurrency control that deposits and set-as-processed use.
     *
     * @return the strategy of {@link #options()}
     */
    public Strategy strategy() {
        return options.strategy();
    }

    /**
     * Deposits into an account, with the strategy's retries; exactly once with a request id.
     *
     * @return the deposit use case
     */
    public Deposit deposit() {
        return deposit;
    }

    /**
     * Opens an account with an opening balance.
     *
     * @return the open-account use case
     */
    public OpenAccount openAccount() {
        return openAccount;
    }

    /**
     * Records a new, unprocessed verfact.
     *
     * @return the record-verfact use case
     */
    public RecordVerFact recordVerFact() {
        return recordVerFact;
    }

    /**
     * Marks a verfact processed: exactly one caller wins.
     *
     * @return the set-as-processed use case
     */
    public SetAsProcessed setAsProcessed() {
        return setAsProcessed;
    }

    /**
     * Runs a task while holding a lease.
     *
     * @return the run-exclusive use case, closed by {@link #close()}
     */
    public RunExclusive runExclusive() {
        return runExclusive;
    }

    /**
     * Runs a task at most once per schedule slot across the cluster, by the database clock, with a record of every
     * run (who, when, how it ended).
     *
     * @return the once-per-slot use case, sharing this facade's lease machinery
     */
    public RunOncePerSlot runOncePerSlot() {
        return runOncePerSlot;
    }

    /**
     * The predicate to add to a write that must be refused by the database once the lease is gone.
     *
     * @return the fence on this facade's lease table, bounded by its lock timeout
     */
    public LeaseFence fence() {
        return fence;
    }

    /**
     * Stops the lease machinery: running exclusive tasks are interrupted and their leases released (waiting at most
     * until their validity ends), then the lease lock's reserved connections go back to their data source.
     */
    @Override
    public void close() {
        try {
            runExclusive.close();
        } finally {
            leaseLock.close();
        }
    }

    /** The options, each validated as it is set, and where the connections come from. */
    public static final class Builder {
        private final DataSource dataSource;
        private DataSource leaseDataSource;
        private LockwiseOptions options = LockwiseOptions.DEFAULTS;

        private Builder(DataSource dataSource) {
            this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        }

        /**
         * All options at once (the Guice module takes the same record).
         *
         * @param value the options, replacing any set before; not null
         * @return this builder
         */
        public Builder options(LockwiseOptions value) {
            this.options = Objects.requireNonNull(value, "options");
            return this;
        }

        /**
         * How deposits and set-as-processed keep concurrent changes safe; default {@link Strategy#OPTIMISTIC}.
         *
         * @param value the strategy; not null
         * @return this builder
         * @throws dev.lockwise.domain.InvalidInputException if it is null
         */
        public Builder strategy(Strategy value) {
            options = options.withStrategy(value);
            return this;
        }

        /**
         * How conflicting attempts are retried; default {@link RetryPolicy#DEFAULT}.
         *
         * @param value the attempts and backoff; not null
         * @return this builder
         * @throws dev.lockwise.domain.InvalidInputException if it is null
         */
        public Builder retryPolicy(RetryPolicy value) {
            options = options.withRetryPolicy(value);
            return this;
        }

        /**
         * How long any write waits for a row lock held elsewhere, whatever the strategy (the optimistic {@code UPDATE}
         * included): 1 ms to 10 minutes, default 5 s. There is no "forever".
         *
         * @param value the lock timeout, 1 ms to 10 minutes
         * @return this builder
         * @throws dev.lockwise.domain.InvalidInputException if it is null or out of range
         */
        public Builder lockTimeout(Duration value) {
            options = options.withLockTimeout(value);
            return this;
        }

        /**
         * Where the lease table lives; default {@link LeaseTable#DEFAULT} ({@code public.lockwise_lease}).
         *
         * @param value the schema and table; not null
         * @return this builder
         * @throws dev.lockwise.domain.InvalidInputException if it is null
         */
        public Builder leaseTable(LeaseTable value) {
            options = options.withLeaseTable(value);
            return this;
        }

        /**
         * What the use cases report to (metrics, logs); default {@link LockwiseEvents#NONE}.
         *
         * @param value the event sink; not null
         * @return this builder
         * @throws dev.lockwise.domain.InvalidInputException if it is null
         */
        public Builder events(LockwiseEvents value) {
            options = options.withEvents(value);
            return this;
        }

        /**
         * The adaptive strategy's hot-row memory: how many rows, and how long a row stays hot after its last sign of
         * contention (a conflict, or a locked transaction shared by several callers); default 4096 rows, 20 ms.
         *
         * @param capacity rows remembered: a power of two, 1 to 2^24
         * @param cooldown how long a row stays hot: 1 ms to 1 hour
         * @return this builder
         * @throws dev.lockwise.domain.InvalidInputException if either is missing or out of range
         */
        public Builder hotRows(int capacity, Duration cooldown) {
            options = options.withHotRows(capacity, cooldown);
            return this;
        }

        /**
         * Where the lease lock takes its connections; default: the main data source. The lock keeps up to
         * {@value JdbcLeaseLock#KEEP_IDLE} connections of it open for renewals, so that the host's work cannot starve
         * them; give it a small pool of its own (two or three connections) to keep lease traffic entirely apart, or
         * to reach the database directly where the main pool goes through a proxy.
         *
         * @param value the lease lock's data source; not null, and still the host's to close
         * @return this builder
         */
        public Builder leaseDataSource(DataSource value) {
            this.leaseDataSource = Objects.requireNonNull(value, "leaseDataSource");
            return this;
        }

        /**
         * Builds the facade; the caller closes it on shutdown.
         *
         * @return a new facade, its use cases wired on these options
         */
        public Lockwise build() {
            return new Lockwise(dataSource, leaseDataSource == null ? dataSource : leaseDataSource, options);
        }
    }
}
