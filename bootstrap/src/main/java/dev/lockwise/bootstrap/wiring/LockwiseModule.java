package dev.lockwise.bootstrap.wiring;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import dev.lockwise.adapter.lock.LeaseFence;
import dev.lockwise.application.Deposit;
import dev.lockwise.application.OpenAccount;
import dev.lockwise.application.RecordVerFact;
import dev.lockwise.application.RunExclusive;
import dev.lockwise.application.RunOncePerSlot;
import dev.lockwise.application.SetAsProcessed;
import dev.lockwise.application.events.LockwiseEvents;
import dev.lockwise.application.retry.ConflictRetry;
import dev.lockwise.bootstrap.LockwiseAssembly;
import dev.lockwise.bootstrap.LockwiseOptions;
import dev.lockwise.domain.account.AccountRepository;
import dev.lockwise.domain.lease.LeaseLock;
import dev.lockwise.domain.schedule.ScheduledRunLog;
import dev.lockwise.domain.verfact.VerFactRepository;

import java.util.Objects;
import javax.sql.DataSource;

/**
 * Lockwise for a Guice host: the use cases (and, for the host's own wiring, the ports they use) built through
 * {@link LockwiseAssembly} from a data source and {@link LockwiseOptions} — the same factory and the same options as
 * {@code Lockwise.builder}. No side effects: nothing connects until a use case is called. The host closes
 * {@link RunExclusive} and {@link LeaseLock} on shutdown.
 */
public final class LockwiseModule extends AbstractModule {
    private final DataSource dataSource;
    private final DataSource leaseDataSource;
    private final LockwiseOptions options;

    /**
     * A module whose lease lock shares the host's pool.
     *
     * @param dataSource the host's pool, for the repositories, the run log and the lease lock; not null
     * @param options    the validated options; not null
     */
    public LockwiseModule(DataSource dataSource, LockwiseOptions options) {
        this(dataSource, dataSource, options);
    }

    /**
     * A module whose lease lock may take its connections from a pool of its own.
     *
     * @param dataSource      the host's pool, for the repositories and the run log; not null
     * @param leaseDataSource where the lease lock takes its connections (a pool of its own, or the main one); not null
     * @param options         the validated options; not null
     */
    public LockwiseModule(DataSource dataSource, DataSource leaseDataSource, LockwiseOptions options) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        this.leaseDataSource = Objects.requireNonNull(leaseDataSource, "leaseDataSource");
        this.options = Objects.requireNonNull(options, "options");
    }

    @Override
    protected void configure() {
        bind(LockwiseOptions.class).toInstance(options);
        bind(LockwiseEvents.class).toInstance(options.events());
    }

    @Provides
    @Singleton
    AccountRepository accounts() {
        return LockwiseAssembly.accounts(dataSource, options);
    }

    @Provides
    @Singleton
    VerFactRepository verFacts() {
        return LockwiseAssembly.verFacts(dataSource, options);
    }

    @Provides
    @Singleton
    LeaseLock leaseLock() {
        return LockwiseAssembly.leaseLock(leaseDataSource, options);
    }

    @Provides
    @Singleton
    LeaseFence fence() {
        return LockwiseAssembly.fence(options);
    }

    @Provides
    @Singleton
    ConflictRetry retry() {
        return LockwiseAssembly.retry(options);
    }

    @Provides
    @Singleton
    Deposit deposit(AccountRepository accounts, ConflictRetry retry) {
        return new Deposit(accounts, retry);
    }

    @Provides
    @Singleton
    OpenAccount openAccount(AccountRepository accounts) {
        return new OpenAccount(accounts);
    }

    @Provides
    @Singleton
    RecordVerFact recordVerFact(VerFactRepository verFacts) {
        return new RecordVerFact(verFacts);
    }

    @Provides
    @Singleton
    SetAsProcessed setAsProcessed(VerFactRepository verFacts, ConflictRetry retry) {
        return new SetAsProcessed(verFacts, retry);
    }

    @Provides
    @Singleton
    RunExclusive runExclusive(LeaseLock lock) {
        return LockwiseAssembly.runExclusive(lock, options);
    }

    @Provides
    @Singleton
    ScheduledRunLog scheduledRunLog() {
        return LockwiseAssembly.scheduledRunLog(dataSource, options);
    }

    @Provides
    @Singleton
    RunOncePerSlot runOncePerSlot(RunExclusive runExclusive, ScheduledRunLog log) {
        return LockwiseAssembly.runOncePerSlot(runExclusive, log);
    }
}
