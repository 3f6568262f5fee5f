package dev.lockwise.bootstrap;

import dev.lockwise.adapter.jooq.JooqAccountRepository;
import dev.lockwise.adapter.jooq.JooqVerFactRepository;
import dev.lockwise.adapter.lock.FencedJdbcVerFactProcessor;
import dev.lockwise.adapter.lock.JdbcLeaseLock;
import dev.lockwise.adapter.pessimistic.PessimisticAccountRepository;
import dev.lockwise.adapter.pessimistic.PessimisticVerFactRepository;
import dev.lockwise.application.ConflictRetry;
import dev.lockwise.application.Deposit;
import dev.lockwise.application.HotRows;
import dev.lockwise.application.LockwiseEvents;
import dev.lockwise.application.OpenAccount;
import dev.lockwise.application.RecordVerFact;
import dev.lockwise.application.RetryPolicy;
import dev.lockwise.application.RunExclusive;
import dev.lockwise.application.SetAsProcessed;
import dev.lockwise.application.Strategy;
import dev.lockwise.bootstrap.wiring.AdaptiveRepositories;
import dev.lockwise.domain.account.AccountRepository;
import dev.lockwise.domain.lease.FencedVerFactProcessor;
import dev.lockwise.domain.lease.LeaseLock;
import dev.lockwise.domain.lease.LeaseTable;
import dev.lockwise.domain.verfact.VerFactRepository;

import javax.sql.DataSource;
import java.time.Duration;
import java.util.Objects;

/**
 * The plain-Java entry point: every use case built from a {@link DataSource} and a strategy, with no container.
 * A host program keeps one instance for its lifetime (it is thread-safe) and closes it on shutdown (this stops the
 * lease renewal threads; the data source stays the host's to close).
 *
 * <pre>{@code
 * Lockwise lockwise = Lockwise.builder(dataSource).strategy(Strategy.PESSIMISTIC).build();
 * lockwise.deposit().depositTo(new Username("alice"), Money.of("10.00"));
 * }</pre>
 */
public final class Lockwise implements AutoCloseable {
    private final Strategy strategy;
    private final AccountRepository accounts;
    private final VerFactRepository verFacts;
    private final LeaseLock leaseLock;
    private final Deposit deposit;
    private final OpenAccount openAccount;
    private final RecordVerFact recordVerFact;
    private final SetAsProcessed setAsProcessed;
    private final RunExclusive runExclusive;
    private final FencedVerFactProcessor fencedVerFactProcessor;

    private Lockwise(Builder builder) {
        this.strategy = builder.strategy;
        this.accounts = accountsFor(builder);
        this.verFacts = verFactsFor(builder);
        ConflictRetry retry = new ConflictRetry(builder.retryPolicy, strategy, builder.events);
        this.leaseLock = new JdbcLeaseLock(builder.leaseDataSource == null ? builder.dataSource
                : builder.leaseDataSource, builder.leaseTable);
        this.deposit = new Deposit(accounts, retry);
        this.openAccount = new OpenAccount(accounts);
        this.recordVerFact = new RecordVerFact(verFacts);
        this.setAsProcessed = new SetAsProcessed(verFacts, retry);
        this.runExclusive = new RunExclusive(leaseLock, builder.events);
        this.fencedVerFactProcessor = new FencedJdbcVerFactProcessor(builder.dataSource, builder.leaseTable);
    }

    private static AccountRepository accountsFor(Builder builder) {
        return switch (builder.strategy) {
            case OPTIMISTIC -> new JooqAccountRepository(builder.dataSource, builder.lockTimeout);
            case PESSIMISTIC -> new PessimisticAccountRepository(builder.dataSource, builder.lockTimeout);
            case ADAPTIVE -> AdaptiveRepositories.accounts(builder.dataSource, builder.lockTimeout,
                    new HotRows(builder.hotRowCapacity, builder.hotRowCooldown), builder.events);
        };
    }

    private static VerFactRepository verFactsFor(Builder builder) {
        return switch (builder.strategy) {
            case OPTIMISTIC -> new JooqVerFactRepository(builder.dataSource, builder.lockTimeout);
            case PESSIMISTIC -> new PessimisticVerFactRepository(builder.dataSource, builder.lockTimeout);
            case ADAPTIVE -> AdaptiveRepositories.verFacts(builder.dataSource, builder.lockTimeout,
                    new HotRows(builder.hotRowCapacity, builder.hotRowCooldown), builder.events);
        };
    }

    public static Builder builder(DataSource dataSource) {
        return new Builder(dataSource);
    }

    public Strategy strategy() {
        return strategy;
    }

    public Deposit deposit() {
        return deposit;
    }

    public OpenAccount openAccount() {
        return openAccount;
    }

    public RecordVerFact recordVerFact() {
        return recordVerFact;
    }

    public SetAsProcessed setAsProcessed() {
        return setAsProcessed;
    }

    public RunExclusive runExclusive() {
        return runExclusive;
    }

    public FencedVerFactProcessor fencedVerFactProcessor() {
        return fencedVerFactProcessor;
    }

    public AccountRepository accounts() {
        return accounts;
    }

    public VerFactRepository verFacts() {
        return verFacts;
    }

    public LeaseLock leaseLock() {
        return leaseLock;
    }

    /**
     * Stops the lease machinery: running exclusive tasks are interrupted and their leases released (waiting at most
     * until their validity ends), then the lease lock's reserved connections go back to the data source.
     */
    @Override
    public void close() {
        try {
            runExclusive.close();
        } finally {
            leaseLock.close();
        }
    }

    /** Settings with the defaults a demanding user would pick; each is validated when set. */
    public static final class Builder {
        private final DataSource dataSource;
        private Strategy strategy = Strategy.OPTIMISTIC;
        private RetryPolicy retryPolicy = RetryPolicy.DEFAULT;
        private Duration lockTimeout = Duration.ofSeconds(5);
        private LeaseTable leaseTable = LeaseTable.DEFAULT;
        private DataSource leaseDataSource;
        private LockwiseEvents events = LockwiseEvents.NONE;
        private int hotRowCapacity = HotRows.DEFAULT_CAPACITY;
        private Duration hotRowCooldown = HotRows.DEFAULT_COOLDOWN;

        private Builder(DataSource dataSource) {
            this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        }

        public Builder strategy(Strategy value) {
            this.strategy = Objects.requireNonNull(value, "strategy");
            return this;
        }

        public Builder retryPolicy(RetryPolicy value) {
            this.retryPolicy = Objects.requireNonNull(value, "retryPolicy");
            return this;
        }

        /**
         * How long any write waits for a row lock held elsewhere, whatever the strategy (the optimistic {@code UPDATE}
         * included): 1 ms to 10 minutes, default 5 s. There is no "forever".
         */
        public Builder lockTimeout(Duration value) {
            this.lockTimeout = Objects.requireNonNull(value, "lockTimeout");
            return this;
        }

        public Builder leaseTable(LeaseTable value) {
            this.leaseTable = Objects.requireNonNull(value, "leaseTable");
            return this;
        }

        /**
         * Where the lease lock takes its connections; default: the main data source. The lock keeps up to
         * {@value JdbcLeaseLock#KEEP_IDLE} connections of it open for renewals, so that the host's work cannot starve
         * them; give it a small pool of its own (two or three connections) to keep lease traffic entirely apart, or
         * to reach the database directly where the main pool goes through a proxy.
         */
        public Builder leaseDataSource(DataSource value) {
            this.leaseDataSource = Objects.requireNonNull(value, "leaseDataSource");
            return this;
        }

        public Builder events(LockwiseEvents value) {
            this.events = Objects.requireNonNull(value, "events");
            return this;
        }

        /**
         * The adaptive strategy's hot-row memory: how many rows, and how long a row stays hot after its last sign of
         * contention (a conflict, or a locked transaction shared by several callers); default 4096 rows, 20 ms.
         */
        public Builder hotRows(int capacity, Duration cooldown) {
            this.hotRowCapacity = capacity;
            this.hotRowCooldown = Objects.requireNonNull(cooldown, "cooldown");
            return this;
        }

        public Lockwise build() {
            return new Lockwise(this);
        }
    }
}
