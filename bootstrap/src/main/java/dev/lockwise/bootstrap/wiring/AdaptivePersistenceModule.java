package dev.lockwise.bootstrap.wiring;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import dev.lockwise.application.HotRows;
import dev.lockwise.application.LockwiseEvents;
import dev.lockwise.bootstrap.config.Settings;
import dev.lockwise.domain.account.AccountRepository;
import dev.lockwise.domain.verfact.VerFactRepository;

import javax.sql.DataSource;

/** Persistence for the {@code adaptive} strategy: both adapters, composed by the application's adaptive path. */
public final class AdaptivePersistenceModule extends AbstractModule {
    @Provides
    @Singleton
    AccountRepository accounts(DataSource dataSource, Settings settings, LockwiseEvents events) {
        return AdaptiveRepositories.accounts(dataSource, settings.lockTimeout(),
                new HotRows(HotRows.DEFAULT_CAPACITY, settings.adaptiveCooldown()), events);
    }

    @Provides
    @Singleton
    VerFactRepository verFacts(DataSource dataSource, Settings settings, LockwiseEvents events) {
        return AdaptiveRepositories.verFacts(dataSource, settings.lockTimeout(),
                new HotRows(HotRows.DEFAULT_CAPACITY, settings.adaptiveCooldown()), events);
    }
}
