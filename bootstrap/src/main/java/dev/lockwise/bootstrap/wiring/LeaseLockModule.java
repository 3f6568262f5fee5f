package dev.lockwise.bootstrap.wiring;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import dev.lockwise.adapter.lock.FencedJdbcVerFactProcessor;
import dev.lockwise.adapter.lock.JdbcLeaseLock;
import dev.lockwise.application.LockwiseEvents;
import dev.lockwise.application.RunExclusive;
import dev.lockwise.bootstrap.config.Settings;
import dev.lockwise.domain.lease.FencedVerFactProcessor;
import dev.lockwise.domain.lease.LeaseLock;

import javax.sql.DataSource;

/** The lease lock (adapter-lock) and the run-exclusive use case on top of it. */
public final class LeaseLockModule extends AbstractModule {
    @Provides
    @Singleton
    LeaseLock leaseLock(DataSource dataSource, Settings settings) {
        return new JdbcLeaseLock(dataSource, settings.leaseTable());
    }

    @Provides
    @Singleton
    RunExclusive runExclusive(LeaseLock lock, LockwiseEvents events) {
        return new RunExclusive(lock, events);
    }

    @Provides
    @Singleton
    FencedVerFactProcessor fencedProcessor(DataSource dataSource, Settings settings) {
        return new FencedJdbcVerFactProcessor(dataSource, settings.leaseTable());
    }
}
